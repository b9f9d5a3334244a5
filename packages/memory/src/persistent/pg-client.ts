import type { Pool, PoolClient } from "pg";
import type { SqlClient } from "./sql-client.js";

/** A {@link SqlClient} over a `pg` pool: each transaction takes one connection for BEGIN … COMMIT. */
export function pgPoolClient(pool: Pool, ownsPool: boolean): SqlClient {
  return {
    query: (sql, params) => pool.query(sql, params as unknown[] | undefined) as never,
    async transaction(work) {
      const connection = await pool.connect();
      try {
        await connection.query("BEGIN");
        const result = await work(connectionClient(connection));
        await connection.query("COMMIT");
        return result;
      } catch (error) {
        await connection.query("ROLLBACK").catch(() => undefined);
        throw error;
      } finally {
        connection.release();
      }
    },
    close: async () => {
      if (ownsPool) await pool.end();
    },
  };
}

function connectionClient(connection: PoolClient): SqlClient {
  return {
    query: (sql, params) => connection.query(sql, params as unknown[] | undefined) as never,
    transaction: (work) => work(connectionClient(connection)),
    close: async () => {},
  };
}
