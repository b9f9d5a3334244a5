/**
 * The little of a PostgreSQL client the persistent store needs. PGlite (embedded) and `pg` (a server)
 * both sit behind it, so the two backends share every line of SQL.
 */
export interface SqlClient {
  query<Row extends Record<string, unknown> = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<{ rows: Row[] }>;
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: SqlClient) => Promise<T>): Promise<T>;
  /** Releases the connection(s) the client owns. */
  close(): Promise<void>;
}
