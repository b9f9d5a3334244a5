import { FineMemError, type PathSegment } from "@finemem/spec";

/**
 * What was wrong with a `finemem data` request. Problems inside a dataset's files (a missing file, an
 * unreachable hub, a corrupt row) stay `DatasetError`s from @finemem/benchmarks, with their own codes.
 * - `unknown_dataset`: the name is neither a dataset id nor a repo of the catalog (the known ones are listed).
 * - `unknown_split`: a split the dataset does not have (its splits are listed).
 * - `invalid_options`: an option out of range or of the wrong kind (named in the message and path).
 * - `no_input`: neither a loader nor instances were given, or both were.
 */
export type DataCommandErrorCode = "unknown_dataset" | "unknown_split" | "invalid_options" | "no_input";

export class DataCommandError extends FineMemError {
  declare readonly code: DataCommandErrorCode;

  constructor(code: DataCommandErrorCode, message: string, path: readonly PathSegment[] = [], cause?: unknown) {
    super(code, message, { path, cause });
  }
}

/** `value` when it is undefined or an integer ≥ `min`; otherwise a {@link DataCommandError} naming `option`. */
export function optionalInteger(option: string, value: unknown, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new DataCommandError("invalid_options", `${option} must be an integer ≥ ${min}, got ${String(value)}`, [option]);
  }
  return value;
}
