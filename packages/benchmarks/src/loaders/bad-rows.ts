import { DatasetError, type SkippedRow } from "../dataset-error.js";

export interface BadRowPolicy {
  /** Skip a row that cannot become an instance, with a warning, instead of failing the load. */
  readonly skipBadRows?: boolean;
  /** Receives warnings (default: console.warn). */
  readonly onWarning?: (message: string) => void;
}

/**
 * Runs `build` for one row. A `DatasetError` about the row is thrown, or, when the caller asked for
 * `skipBadRows`, recorded in `skipped`, reported through `onWarning`, and the row yields nothing.
 * File-level errors (a corrupt file) are never skipped: they would silently drop whole splits.
 */
export function buildRow<T>(
  policy: BadRowPolicy,
  skipped: SkippedRow[],
  file: string,
  row: number,
  build: () => T,
): T | null {
  try {
    return build();
  } catch (error) {
    if (!(error instanceof DatasetError) || policy.skipBadRows !== true || error.code === "corrupt_file") throw error;
    skipped.push({ file, row, error });
    warn(policy, `skipped ${error.message}`);
    return null;
  }
}

export function warn(policy: BadRowPolicy, message: string): void {
  (policy.onWarning ?? ((text: string) => console.warn(`[finemem] ${text}`)))(message);
}
