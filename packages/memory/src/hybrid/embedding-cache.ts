import type { Id, Namespace } from "@finemem/spec";
import { positiveInteger } from "@finemem/utils";
import { hybridOptionError } from "./errors.js";

/**
 * What an embedding is cached under: one version of one memory item, embedded by one model.
 *
 * `(namespace, itemId, version)` names one text only within one store: two stores, or a store and
 * its fork, can each hold a different version 1 of item `m1` in the default namespace. A cache shared
 * between stores must therefore key on `content` too (the in-memory default keys on it alone); a
 * persistent backend that keeps the vector beside the version row may key on its own row plus `modelId`.
 */
export interface EmbeddingKey {
  /** The embedder's `modelId`: vectors of different models are not comparable. */
  readonly modelId: string;
  readonly namespace: Namespace;
  readonly itemId: Id;
  readonly version: number;
  /** The version's text, the input that was embedded. */
  readonly content: string;
}

export interface EmbeddingCacheEntry {
  readonly key: EmbeddingKey;
  readonly vector: Float32Array;
}

/**
 * Stores item embeddings between queries, so each item version is embedded once. Batched and possibly
 * asynchronous, so a database-backed cache answers a whole view in one round trip. Vectors handed in
 * and out are not modified by the retriever; a cache may return the very arrays it was given.
 */
export interface EmbeddingCache {
  /** One answer per key, in order: the vector, or `undefined` when the cache does not have it. */
  getMany(
    keys: readonly EmbeddingKey[],
  ): readonly (Float32Array | undefined)[] | Promise<readonly (Float32Array | undefined)[]>;
  setMany(entries: readonly EmbeddingCacheEntry[]): void | Promise<void>;
}

export interface InMemoryEmbeddingCacheOptions {
  /** Keep at most this many vectors, dropping the least recently used. Default: no limit. */
  readonly maxEntries?: number;
}

/**
 * The default {@link EmbeddingCache}: a map from (model, text) to vector. Keying on the text rather
 * than (item, version) makes it safe to share between stores and forks, and an item updated back to
 * an earlier text, or two items with one text, cost one embedding.
 */
export class InMemoryEmbeddingCache implements EmbeddingCache {
  private readonly entries = new Map<string, Float32Array>();
  private readonly maxEntries: number;

  constructor(options: InMemoryEmbeddingCacheOptions = {}) {
    const maxEntries = options.maxEntries ?? Number.POSITIVE_INFINITY;
    if (maxEntries !== Number.POSITIVE_INFINITY) positiveInteger("maxEntries", maxEntries, hybridOptionError);
    this.maxEntries = maxEntries;
  }

  /** Vectors held. */
  get size(): number {
    return this.entries.size;
  }

  getMany(keys: readonly EmbeddingKey[]): (Float32Array | undefined)[] {
    return keys.map((key) => {
      const id = cacheId(key);
      const vector = this.entries.get(id);
      if (vector !== undefined && this.maxEntries !== Number.POSITIVE_INFINITY) {
        // Map order is insertion order: re-inserting marks the entry most recently used.
        this.entries.delete(id);
        this.entries.set(id, vector);
      }
      return vector;
    });
  }

  setMany(entries: readonly EmbeddingCacheEntry[]): void {
    for (const { key, vector } of entries) {
      const id = cacheId(key);
      this.entries.delete(id);
      this.entries.set(id, vector);
      if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}

export function createInMemoryEmbeddingCache(options: InMemoryEmbeddingCacheOptions = {}): InMemoryEmbeddingCache {
  return new InMemoryEmbeddingCache(options);
}

function cacheId(key: EmbeddingKey): string {
  // Model ids cannot contain NUL in practice; the separator keeps ("a", "bc") apart from ("ab", "c").
  return `${key.modelId}\u0000${key.content}`;
}
