import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { acquireDirectoryLock } from "./directory-lock.js";
import { loadPglite } from "./load-pglite.js";
import { type OpenContext, PersistentStore, type PersistentStoreOptions } from "./persistent-store.js";
import { type PgliteDatabase, pgliteClient } from "./pglite-client.js";
import { readSnapshotFile } from "./replica-snapshots.js";

export interface PgliteStoreOptions extends Omit<PersistentStoreOptions, "shared"> {
  /**
   * The store's folder: PGlite's data goes in `<directory>/pgdata`, the writer lock is
   * `<directory>/finemem.lock`, snapshots (when on) go in `<directory>/finemem.snapshot`. Omit for a store
   * that lives in memory only.
   */
  readonly directory?: string;
}

/** The snapshot file of a store in a folder (see the `snapshot` option), beside `pgdata`. */
const SNAPSHOT_FILE = "finemem.snapshot";

/**
 * PostgreSQL settings of the store's own PGlite (written to its `postgresql.conf` on each start).
 * PostgreSQL's default 128 MB of shared buffers is set up on every start (about 200 ms of PGlite's
 * 300 here); the store reads its log once on open and appends to it after, which 16 MB serves.
 */
const PGLITE_SETTINGS = ["shared_buffers=16MB"];

/**
 * Opens (or creates) a memory store in embedded PostgreSQL (PGlite): the default for persistent use,
 * no server to run. One writer per directory: a second open while the first is alive, in this or
 * another process, fails with `StoreLockedError` and leaves the data as it was. First open of a new
 * directory takes a few seconds (PGlite initialises a cluster); a reopen is fast. Without the optional
 * peer `@electric-sql/pglite` installed, fails with a `StoreDependencyError` of code `missing_dependency`.
 */
export async function openPgliteStore(options: PgliteStoreOptions = {}): Promise<PersistentStore> {
  const { PGlite } = await loadPglite();
  if (options.directory === undefined) {
    const started = performance.now();
    const db = await PGlite.create({ postgresqlconf: PGLITE_SETTINGS });
    return openOn(db, options, async () => db.close(), { databaseMs: performance.now() - started });
  }
  const directory = resolve(options.directory);
  await mkdir(directory, { recursive: true });
  const lock = await acquireDirectoryLock(join(directory, "finemem.lock"));
  // The snapshot file is read while PGlite starts (its start leaves the main thread idle for long
  // stretches): the reopen then waits for neither. Only when snapshots are on (a bad option value is
  // refused by the open below).
  const snapshotFile = join(directory, SNAPSHOT_FILE);
  const snapshotFileRead =
    options.snapshot === undefined || options.snapshot === false ? undefined : readSnapshotFile(snapshotFile);
  let db: PgliteDatabase;
  const started = performance.now();
  try {
    db = await PGlite.create({ dataDir: join(directory, "pgdata"), postgresqlconf: PGLITE_SETTINGS });
  } catch (error) {
    await lock.release();
    throw error;
  }
  return openOn(
    db,
    options,
    async () => {
      try {
        await db.close();
      } finally {
        await lock.release();
      }
    },
    { snapshotFile, snapshotFileRead, databaseMs: performance.now() - started },
  );
}

async function openOn(
  db: PgliteDatabase,
  options: PersistentStoreOptions,
  onClose: () => Promise<void>,
  context: OpenContext,
): Promise<PersistentStore> {
  try {
    return await PersistentStore.open(pgliteClient(db), { ...options, shared: false }, onClose, context);
  } catch (error) {
    await onClose();
    throw error;
  }
}

/**
 * A store in one schema of a PGlite instance you manage (several stores can share one instance, one
 * schema each; closing the store leaves the instance open). No directory lock: you own the instance.
 * `db` is a `PGlite` from `@electric-sql/pglite` (typed structurally as {@link PgliteDatabase}).
 */
export function openPgliteSchemaStore(
  db: PgliteDatabase,
  options: PersistentStoreOptions = {},
): Promise<PersistentStore> {
  return PersistentStore.open({ ...pgliteClient(db), close: async () => {} }, { ...options, shared: false });
}
