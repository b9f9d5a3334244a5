import type { PGlite, Transaction } from "@electric-sql/pglite";
import type { SqlClient } from "./sql-client.js";

/** A {@link SqlClient} over a PGlite instance (or one of its transactions). */
export function pgliteClient(db: PGlite): SqlClient {
  return {
    query: (sql, params) => db.query(sql, params as unknown[] | undefined) as never,
    transaction: (work) => db.transaction((tx) => work(transactionClient(tx))),
    close: () => db.close(),
  };
}

function transactionClient(tx: Transaction): SqlClient {
  return {
    query: (sql, params) => tx.query(sql, params as unknown[] | undefined) as never,
    // PGlite transactions do not nest; the store never nests them.
    transaction: (work) => work(transactionClient(tx)),
    close: async () => {},
  };
}
