// Snapshots of a persistent store's replica: written after a write commits (every N log rows) and on
// close, read on open. A snapshot is a cache of the log, never a second source of truth: it is used
// only when its checksum, format, settings and log fingerprint all match, else ignored with a warning.
import { createHash } from "node:crypto";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import type { InMemoryStore } from "../store/in-memory-store.js";
import { StoreOptionsError } from "../store/in-memory-store.js";
import {
  encodeReplicaSnapshot,
  REPLICA_SNAPSHOT_FORMAT_VERSION,
  restoreReplicaSnapshot,
} from "../store/replica-snapshot.js";
import type { SqlClient } from "./sql-client.js";

/** The `snapshot` option of a persistent store: every how many log rows to snapshot, or `false` for none. */
export type SnapshotOption = { readonly everyRows: number } | false;

/**
 * The snapshot interval in log rows, or undefined when snapshots are off (the default: a snapshot
 * costs about as much to write as it saves on one reopen, see the README).
 */
export function checkSnapshotOption(snapshot: SnapshotOption | undefined): number | undefined {
  if (snapshot === undefined || snapshot === false) return undefined;
  const everyRows = (snapshot as { everyRows?: unknown } | null)?.everyRows;
  if (typeof everyRows !== "number" || !Number.isInteger(everyRows) || everyRows < 1)
    throw new StoreOptionsError(
      "snapshot.everyRows",
      `expected a positive integer number of log rows (or snapshot: false), got ${String(everyRows)}`,
    );
  return everyRows;
}

// The image travels deflated, as base64 text: PGlite moves text about ten times faster than bytea,
// and a deflated image is about a quarter of the bytes to read back.
const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

/** What identifies the log up to row `seq`: a hash of that row and the number of rows up to it. */
async function logFingerprint(client: SqlClient, schema: string, seq: number): Promise<string | undefined> {
  const { rows } = await client.query<{ hash: string; rows: string | number }>(
    `SELECT md5(seq::text || E'\\n' || kind || E'\\n' || coalesce(namespace_key, '') || E'\\n' || payload) AS hash,
            (SELECT count(*) FROM "${schema}".finemem_log WHERE seq <= $1) AS rows
       FROM "${schema}".finemem_log WHERE seq = $1`,
    [seq],
  );
  const row = rows[0];
  return row === undefined ? undefined : `${Number(row.rows)}:${row.hash}`;
}

interface SnapshotRow extends Record<string, unknown> {
  seq: string | number;
  format_version: number;
  settings: string;
  checksum: string;
  log_fingerprint: string;
  payload: string;
}

/**
 * Restores `replica` (empty) from the newest snapshot when it matches the log and the settings;
 * returns the log seq it holds the state of, or 0 (nothing restored) after warning why not.
 */
export async function restoreFromSnapshot(
  client: SqlClient,
  schema: string,
  settings: string,
  replica: InMemoryStore,
  warn: (message: string) => void,
): Promise<number> {
  const { rows } = await client.query<SnapshotRow>(
    `SELECT seq, format_version, settings, checksum, log_fingerprint, payload FROM "${schema}".finemem_snapshot ORDER BY seq DESC LIMIT 1`,
  );
  const row = rows[0];
  if (row === undefined) return 0;
  const seq = Number(row.seq);
  const ignore = (why: string): number => {
    warn(`finemem: ignoring the snapshot of schema ${schema} at log row ${seq} (${why}); replaying the whole log`);
    return 0;
  };
  if (row.format_version !== REPLICA_SNAPSHOT_FORMAT_VERSION)
    return ignore(`format ${row.format_version}, this store reads ${REPLICA_SNAPSHOT_FORMAT_VERSION}`);
  if (row.settings !== settings) return ignore("written under other settings");
  if (typeof row.payload !== "string" || sha256(row.payload) !== row.checksum)
    return ignore("its checksum does not match its payload");
  const fingerprint = await logFingerprint(client, schema, seq);
  if (fingerprint === undefined) return ignore("the log has no such row");
  if (fingerprint !== row.log_fingerprint) return ignore("it does not match the log");
  try {
    restoreReplicaSnapshot(replica, inflateRawSync(Buffer.from(row.payload, "base64")));
  } catch (error) {
    return ignore((error as Error).message);
  }
  return seq;
}

/**
 * Writes a snapshot of `replica`, which holds the state as of log row `seq`, in its own transaction,
 * and deletes the older one. A newer snapshot already there (another writer's) is kept.
 */
export async function writeSnapshot(
  client: SqlClient,
  schema: string,
  settings: string,
  replica: InMemoryStore,
  seq: number,
  beforeCommit?: (seq: number) => Promise<void>,
): Promise<void> {
  const payload = deflateRawSync(encodeReplicaSnapshot(replica), { level: 1 }).toString("base64");
  const checksum = sha256(payload);
  await client.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`finemem-snapshot:${schema}`]);
    const newer = await tx.query(`SELECT 1 FROM "${schema}".finemem_snapshot WHERE seq > $1 LIMIT 1`, [seq]);
    if (newer.rows.length > 0) return;
    // One at this row already (another writer's, or one this store ignored) is replaced.
    await tx.query(`DELETE FROM "${schema}".finemem_snapshot WHERE seq = $1`, [seq]);
    const fingerprint = await logFingerprint(tx, schema, seq);
    if (fingerprint === undefined) throw new Error(`log row ${seq} is not committed`);
    await tx.query(
      `INSERT INTO "${schema}".finemem_snapshot (seq, format_version, settings, checksum, log_fingerprint, payload) VALUES ($1, $2, $3, $4, $5, $6)`,
      [seq, REPLICA_SNAPSHOT_FORMAT_VERSION, settings, checksum, fingerprint, payload],
    );
    await beforeCommit?.(seq);
    await tx.query(`DELETE FROM "${schema}".finemem_snapshot WHERE seq <> $1`, [seq]);
  });
}
