/**
 * A table of rows a loader reads column by column. MemoryAgentBench contexts reach megabytes, so a
 * loader reads the small columns of every row first (e.g. `metadata`) and then only the rows it keeps.
 */
export interface RowFile {
  /** The name errors and results use (the path inside the repo). */
  readonly file: string;
  readonly numRows: number;
  /** The top-level column names. */
  readonly columns: readonly string[];
  /** Row ranges `[start, end)` that decode together (parquet row groups); reading inside one is cheapest. */
  readonly rowGroups: readonly { readonly start: number; readonly end: number }[];
  /** One column for every row. */
  readColumn(column: string): Promise<unknown[]>;
  /**
   * One nested field for every row, e.g. `["metadata", "source"]`, decoding only that leaf (not the
   * whole struct: MemoryAgentBench's `metadata` also holds LongMemEval's multi-megabyte sessions).
   * A row whose parent value is null gives `null`.
   */
  readField(path: readonly string[]): Promise<unknown[]>;
  /** Rows `[rowStart, rowEnd)`, with only the named columns. */
  readRows(rowStart: number, rowEnd: number, columns: readonly string[]): Promise<Record<string, unknown>[]>;
}
