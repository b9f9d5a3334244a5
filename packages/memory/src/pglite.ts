/**
 * @finemem/memory/pglite: the memory store in embedded PostgreSQL (PGlite), the default for
 * persistent use. Needs the optional peer dependency `@electric-sql/pglite`.
 */

export { StoreLockedError } from "./persistent/directory-lock.js";
export { StoreDependencyError } from "./persistent/load-pglite.js";
export { openPgliteSchemaStore, openPgliteStore, type PgliteStoreOptions } from "./persistent/open-pglite-store.js";
export { type OpenStats, PersistentStore, type PersistentStoreOptions } from "./persistent/persistent-store.js";
export type { PgliteDatabase, PgliteQueryable } from "./persistent/pglite-client.js";
export type { SnapshotOption } from "./persistent/replica-snapshots.js";
