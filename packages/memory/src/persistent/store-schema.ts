import type { SqlClient } from "./sql-client.js";

/**
 * Bumped when the tables change shape; a store refuses a schema written by a newer version and
 * upgrades an older one on open. 2 added `finemem_snapshot` (a version 1 schema gains it on open).
 */
export const PERSISTENT_SCHEMA_VERSION = 2;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** A PostgreSQL schema name the store may use (lowercase identifiers only, so it never needs escaping). */
export function checkSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema))
    throw new RangeError(`schema must match ${SCHEMA_NAME.source}, got ${JSON.stringify(schema)}`);
  return schema;
}

/**
 * The tables. `finemem_log` is the source of truth: one row per committed write (an apply, a forget
 * by source chunk, or an import), in commit order, replayed on open. `finemem_versions` materialises
 * every item version a write created, for SQL inspection, with room for the version's embedding.
 * `finemem_meta` holds the schema version and the store settings the log was written under.
 * `finemem_snapshot` holds at most one image of the replica as of log row `seq` (a cache: a reopen
 * restores it and replays only the rows after it; one that does not match its log is ignored).
 */
export function schemaStatements(schema: string): string[] {
  const s = `"${checkSchemaName(schema)}"`;
  return [
    `CREATE SCHEMA IF NOT EXISTS ${s}`,
    `CREATE TABLE IF NOT EXISTS ${s}.finemem_meta (key text PRIMARY KEY, value text NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS ${s}.finemem_log (
       seq bigint PRIMARY KEY,
       kind text NOT NULL CHECK (kind IN ('apply', 'forget', 'import')),
       namespace_key text,
       step integer,
       payload text NOT NULL,
       committed_at timestamptz NOT NULL DEFAULT now()
     )`,
    `CREATE TABLE IF NOT EXISTS ${s}.finemem_versions (
       namespace_key text NOT NULL,
       item_id text NOT NULL,
       version integer NOT NULL,
       memory_type text,
       content text,
       deleted boolean NOT NULL,
       step integer NOT NULL,
       operation_id text NOT NULL,
       source_chunk_id text,
       seq bigint NOT NULL REFERENCES ${s}.finemem_log (seq),
       embedding real[],
       embedding_model text,
       PRIMARY KEY (namespace_key, item_id, version)
     )`,
    `CREATE TABLE IF NOT EXISTS ${s}.finemem_snapshot (
       seq bigint PRIMARY KEY,
       format_version integer NOT NULL,
       settings text NOT NULL,
       checksum text NOT NULL,
       log_fingerprint text NOT NULL,
       payload text NOT NULL,
       created_at timestamptz NOT NULL DEFAULT now()
     )`,
  ];
}

/** Creates the tables when missing (idempotent; concurrent openers are serialised by an advisory lock). */
export async function ensureSchema(client: SqlClient, schema: string): Promise<void> {
  await client.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`finemem-schema:${schema}`]);
    for (const statement of schemaStatements(schema)) await tx.query(statement);
  });
}
