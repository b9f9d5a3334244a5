import type { SqlClient } from "./sql-client.js";

/**
 * The part of a PGlite instance or transaction the store uses. Declared here rather than taken from
 * `@electric-sql/pglite`, so that this package's type declarations do not pull in PGlite's (which need
 * Emscripten's global types and fail to type-check in a project with `skipLibCheck: false`). A
 * `PGlite` from `@electric-sql/pglite` is one.
 */
export interface PgliteQueryable {
  /** Runs one statement with `$1`, `$2`, … bound to `params`. */
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** The part of a PGlite instance the store uses (see {@link PgliteQueryable}); a `PGlite` is one. */
export interface PgliteDatabase extends PgliteQueryable {
  /** Runs `callback` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(callback: (tx: PgliteQueryable) => Promise<T>): Promise<T>;
  /** Closes the instance. */
  close(): Promise<void>;
}

/** A {@link SqlClient} over a PGlite instance (or one of its transactions). */
export function pgliteClient(db: PgliteDatabase): SqlClient {
  return {
    query: (sql, params) => db.query(sql, params as unknown[] | undefined) as never,
    transaction: (work) => db.transaction((tx) => work(transactionClient(tx))),
    close: () => db.close(),
  };
}

function transactionClient(tx: PgliteQueryable): SqlClient {
  return {
    query: (sql, params) => tx.query(sql, params as unknown[] | undefined) as never,
    // PGlite transactions do not nest; the store never nests them.
    transaction: (work) => work(transactionClient(tx)),
    close: async () => {},
  };
}
