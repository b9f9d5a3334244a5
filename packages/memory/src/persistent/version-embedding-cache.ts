import type { EmbeddingCache, EmbeddingCacheEntry, EmbeddingKey } from "../hybrid/embedding-cache.js";
import { namespaceKey } from "../store/namespace-key.js";
import type { SqlClient } from "./sql-client.js";

/**
 * An {@link EmbeddingCache} that keeps each vector on its item version's row in `finemem_versions`,
 * with the model that made it: embeddings stored with the item version, and kept across restarts.
 * A key matches only a row with the same text (a fork's diverged "m1 v1" never gets the stored
 * vector) and the same model; vectors for versions the database does not hold (a fork's writes) are
 * not stored.
 */
export function versionEmbeddingCache(client: SqlClient, schema: string): EmbeddingCache {
  const table = `"${schema}".finemem_versions`;
  return {
    async getMany(keys: readonly EmbeddingKey[]) {
      if (keys.length === 0) return [];
      const { rows } = await client.query<{ position: number; embedding: number[] | null }>(
        `SELECT k.position, v.embedding
           FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[]) WITH ORDINALITY AS k(namespace_key, item_id, version, content, model, position)
           JOIN ${table} v ON v.namespace_key = k.namespace_key AND v.item_id = k.item_id AND v.version = k.version
          WHERE v.content = k.content AND v.embedding_model = k.model AND v.embedding IS NOT NULL`,
        [
          keys.map((key) => namespaceKey(key.namespace)),
          keys.map((key) => key.itemId),
          keys.map((key) => key.version),
          keys.map((key) => key.content),
          keys.map((key) => key.modelId),
        ],
      );
      const found: (Float32Array | undefined)[] = keys.map(() => undefined);
      for (const row of rows)
        if (row.embedding !== null) found[Number(row.position) - 1] = Float32Array.from(row.embedding);
      return found;
    },
    async setMany(entries: readonly EmbeddingCacheEntry[]) {
      if (entries.length === 0) return;
      await client.transaction(async (tx) => {
        for (const { key, vector } of entries) {
          await tx.query(
            `UPDATE ${table} SET embedding = $1, embedding_model = $2 WHERE namespace_key = $3 AND item_id = $4 AND version = $5 AND content = $6`,
            [Array.from(vector), key.modelId, namespaceKey(key.namespace), key.itemId, key.version, key.content],
          );
        }
      });
    },
  };
}
