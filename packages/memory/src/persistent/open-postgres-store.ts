import pg from "pg";
import { PersistentStore, type PersistentStoreOptions } from "./persistent-store.js";
import { pgPoolClient } from "./pg-client.js";

export interface PostgresStoreOptions extends Omit<PersistentStoreOptions, "shared"> {
  /** e.g. `postgresql://user@host/db`, or `postgresql:///db?host=/var/run/postgresql` for a local socket. */
  readonly connectionString?: string;
  /** A pool you manage (closing the store leaves it open). */
  readonly pool?: pg.Pool;
  /** Connections in the pool the store creates (default 4). */
  readonly maxConnections?: number;
}

/**
 * Opens (or creates) a memory store on a PostgreSQL server through `pg`: for several processes
 * sharing one memory. Writers serialise on an advisory lock and every call first reads what other
 * processes committed, so all of them see one history.
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PersistentStore> {
  const owns = options.pool === undefined;
  const pool =
    options.pool ?? new pg.Pool({ connectionString: options.connectionString, max: options.maxConnections ?? 4 });
  const client = pgPoolClient(pool, owns);
  try {
    return await PersistentStore.open(client, { ...options, shared: true }, () => client.close());
  } catch (error) {
    await client.close();
    throw error;
  }
}
