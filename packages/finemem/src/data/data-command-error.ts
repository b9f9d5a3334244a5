import { FineMemError, type PathSegment } from "@finemem/spec";

/**
 * What was wrong with a `finemem data` request. Problems inside a dataset's files (a missing file, an
 * unreachable hub, a corrupt row) stay `DatasetError`s from @finemem/benchmarks, with their own codes.
 * - `unknown_dataset`: the name is neither a dataset id nor a repo of the catalog (the known ones are listed).
 * - `unknown_split`: a split the dataset does not have (its splits are listed).
 * - `invalid_option`: an option out of range or of the wrong kind (named in the message and path).
 * - `no_input`: neither a loader nor instances were given, or both were.
 */
export type DataCommandErrorCode = "unknown_dataset" | "unknown_split" | "invalid_option" | "no_input";

export class DataCommandError extends FineMemError {
  declare readonly code: DataCommandErrorCode;

  constructor(code: DataCommandErrorCode, message: string, path: readonly PathSegment[] = [], cause?: unknown) {
    super(code, message, { path, cause });
  }
}

/**
 * The error factory the data commands pass to `@finemem/utils`' option checks: an `invalid_option`
 * {@link DataCommandError} naming the option in its path and message (`<option> must be <expected>, got <value>`).
 */
export function invalidDataOption(option: string, expected: string, value: unknown): DataCommandError {
  return new DataCommandError("invalid_option", `${option} must be ${expected}, got ${String(value)}`, [option]);
}
