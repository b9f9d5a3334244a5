/**
 * @finemem/memory/postgres: the memory store on a PostgreSQL server through `pg`, for several
 * processes sharing one memory. Needs the optional peer dependency `pg`.
 */
export { openPostgresStore, type PostgresStoreOptions } from "./persistent/open-postgres-store.js";
export { type OpenStats, PersistentStore, type PersistentStoreOptions } from "./persistent/persistent-store.js";
export type { SnapshotOption } from "./persistent/replica-snapshots.js";
