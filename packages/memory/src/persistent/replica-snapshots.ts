// Snapshots of a persistent store's replica: written after a write commits (every N log rows) and on
// close, read on open. A snapshot is a cache of the log, never a second source of truth: it is used
// only when its checksum, format, settings and log fingerprint all match, else ignored with a warning.
// A store in a folder (PGlite on disk) keeps its snapshot in a file beside the database, read as it
// lies on disk; a store without one (PostgreSQL, a PGlite schema you manage) keeps it in a table.
import { createHash } from "node:crypto";
import { open, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { crc32, deflateRawSync, inflateRawSync } from "node:zlib";
import { framePrefix, readFrame } from "../store/framed-bytes.js";
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
  file?: string,
  fileRead?: Promise<SnapshotFileRead>,
): Promise<number> {
  if (file !== undefined) {
    const restored = await restoreFromFile(client, schema, settings, replica, warn, file, fileRead);
    if (restored !== undefined) return restored;
  }
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
  file?: string,
): Promise<void> {
  if (file !== undefined) {
    await writeSnapshotFile(client, schema, settings, replica, seq, file, beforeCommit);
    return;
  }
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

// ---- Snapshot files ------------------------------------------------------------------------------
// A frame (see framed-bytes.ts) of magic "FMSNAPFL" around the image. The image is read in place (its arrays are views of the file's buffer), so it is neither
// deflated nor base64: reading it costs one read and a CRC-32.

const FILE_MAGIC = "FMSNAPFL";
/** The file layout's version (the image inside has its own). */
const FILE_VERSION = 1;

export interface SnapshotFileHeader {
  readonly fileVersion: number;
  readonly seq: number;
  readonly formatVersion: number;
  readonly settings: string;
  readonly logFingerprint: string;
  readonly imageBytes: number;
  readonly crc32: number;
}

/**
 * A snapshot file as read from disk, its checksum checked: what is left to check needs the database
 * (the settings and the log fingerprint) and the restore itself.
 */
export type SnapshotFileRead =
  | { readonly kind: "missing" }
  | { readonly kind: "unusable"; readonly seq: number | undefined; readonly why: string }
  | { readonly kind: "read"; readonly header: SnapshotFileHeader; readonly image: Uint8Array };

/**
 * Reads the snapshot file and checks its layout, version and checksum. Never rejects. A store in a
 * folder starts this before its database, whose start leaves the main thread idle for long stretches
 * (and keeps libuv's thread pool busy after it): the read and the checksum then cost the reopen
 * nothing. Removes the temporary file of a write killed before its rename (the caller holds the
 * folder's lock).
 */
export async function readSnapshotFile(file: string): Promise<SnapshotFileRead> {
  let bytes: Buffer;
  try {
    await rm(`${file}.tmp`, { force: true });
    bytes = await readWhole(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { kind: "missing" };
    return { kind: "unusable", seq: undefined, why: (error as Error).message };
  }
  const frame = readFrame(bytes);
  if (!frame.ok || frame.magic !== FILE_MAGIC || typeof frame.header !== "object" || frame.header === null)
    return { kind: "unusable", seq: undefined, why: "not a snapshot file, or its header is damaged" };
  const header = frame.header as SnapshotFileHeader;
  const seq = Number(header.seq);
  if (header.fileVersion !== FILE_VERSION)
    return { kind: "unusable", seq, why: `file layout ${header.fileVersion}, this store reads ${FILE_VERSION}` };
  if (header.formatVersion !== REPLICA_SNAPSHOT_FORMAT_VERSION)
    return {
      kind: "unusable",
      seq,
      why: `format ${header.formatVersion}, this store reads ${REPLICA_SNAPSHOT_FORMAT_VERSION}`,
    };
  const image = frame.body;
  if (image.byteLength !== header.imageBytes || crc32(image) !== header.crc32)
    return { kind: "unusable", seq, why: "its checksum does not match its payload" };
  return { kind: "read", header, image };
}

/**
 * A file's bytes in one read call: one job for libuv's thread pool rather than one per 512 KiB, as
 * `readFile` does, each of which waits behind PGlite's own jobs while it starts.
 */
async function readWhole(file: string): Promise<Buffer> {
  const handle = await open(file, "r");
  try {
    const { size } = await handle.stat();
    const bytes = Buffer.allocUnsafeSlow(size);
    let offset = 0;
    while (offset < size) {
      const { bytesRead } = await handle.read(bytes, offset, size - offset, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
    return offset === size ? bytes : bytes.subarray(0, offset);
  } finally {
    await handle.close();
  }
}

/**
 * Restores from the snapshot file (read by `read`, or here): the log seq it holds the state of, 0
 * after warning why it was ignored, or undefined when there is no file (the table may hold an earlier
 * version's snapshot).
 */
async function restoreFromFile(
  client: SqlClient,
  schema: string,
  settings: string,
  replica: InMemoryStore,
  warn: (message: string) => void,
  file: string,
  read: Promise<SnapshotFileRead> = readSnapshotFile(file),
): Promise<number | undefined> {
  const found = await read;
  if (found.kind === "missing") return undefined;
  const ignore = (seq: number | undefined, why: string): number => {
    warn(
      `finemem: ignoring the snapshot ${file}${seq === undefined ? "" : ` at log row ${seq}`} (${why}); replaying the whole log`,
    );
    return 0;
  };
  if (found.kind === "unusable") return ignore(found.seq, found.why);
  const { header, image } = found;
  const seq = Number(header.seq);
  if (header.settings !== settings) return ignore(seq, "written under other settings");
  if (!Number.isSafeInteger(seq) || seq < 1) return ignore(seq, "the log has no such row");
  const fingerprint = await logFingerprint(client, schema, seq);
  if (fingerprint === undefined) return ignore(seq, "the log has no such row");
  if (fingerprint !== header.logFingerprint) return ignore(seq, "it does not match the log");
  try {
    restoreReplicaSnapshot(replica, image);
  } catch (error) {
    return ignore(seq, (error as Error).message);
  }
  return seq;
}

/**
 * Flushes a folder's entries, so a rename in it is durable. Windows cannot open a folder for this (its
 * renames are durable without it): an error there is ignored, as the snapshot is only a cache.
 */
async function syncFolder(folder: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(folder, "r");
  } catch (error) {
    if (process.platform === "win32") return;
    throw error;
  }
  try {
    await handle.sync();
  } catch (error) {
    if (process.platform !== "win32") throw error;
  } finally {
    await handle.close();
  }
}

/**
 * Writes the snapshot file: to a temporary file, flushed to disk, then renamed over the old one, so a
 * crash at any point leaves the old snapshot or the new one whole. Snapshots an earlier version kept
 * in the table are deleted once the file is in place.
 */
async function writeSnapshotFile(
  client: SqlClient,
  schema: string,
  settings: string,
  replica: InMemoryStore,
  seq: number,
  file: string,
  beforeCommit: ((seq: number) => Promise<void>) | undefined,
): Promise<void> {
  const image = encodeReplicaSnapshot(replica);
  const logFingerprintOfSeq = await logFingerprint(client, schema, seq);
  if (logFingerprintOfSeq === undefined) throw new Error(`log row ${seq} is not committed`);
  const header: SnapshotFileHeader = {
    fileVersion: FILE_VERSION,
    seq,
    formatVersion: REPLICA_SNAPSHOT_FORMAT_VERSION,
    settings,
    logFingerprint: logFingerprintOfSeq,
    imageBytes: image.byteLength,
    crc32: crc32(image),
  };
  const temporary = `${file}.tmp`;
  try {
    const handle = await open(temporary, "w");
    try {
      await handle.writev([framePrefix(FILE_MAGIC, header), image]);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await beforeCommit?.(seq);
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await syncFolder(dirname(file));
  await client.query(`DELETE FROM "${schema}".finemem_snapshot`);
}
