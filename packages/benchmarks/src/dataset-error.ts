import { FineMemError, type FineMemErrorOptions } from "@finemem/spec";

/**
 * Why a dataset could not be read. Consumers branch on these codes:
 * - `missing_file`: the file (or the split's files) is not in the repo, directory or cache
 * - `unknown_revision`: the hub does not know the branch, tag or commit
 * - `not_cached`: offline mode, and the cache holds no snapshot for the request
 * - `hub_unreachable`: a request to the hub failed (network error or an unexpected status)
 * - `corrupt_file`: the bytes are not a readable parquet / JSONL file (truncated, wrong magic, bad page)
 * - `checksum_mismatch`: the downloaded bytes do not hash to the sha256 the hub announced
 * - `missing_column`: a required column or field is absent
 * - `wrong_type`: a column or field holds the wrong type (e.g. a number where text belongs)
 * - `invalid_json`: a JSON-string column does not parse
 * - `length_mismatch`: questions and answers (or counts and lists) of different lengths
 * - `empty_chunks`: a row gives no chunk with text
 * - `unknown_data_source`: a row's data source has no known competency or metric route
 * - `invalid_option`: the loader was configured wrongly
 */
export type DatasetErrorCode =
  | "missing_file"
  | "unknown_revision"
  | "not_cached"
  | "hub_unreachable"
  | "corrupt_file"
  | "checksum_mismatch"
  | "missing_column"
  | "wrong_type"
  | "invalid_json"
  | "length_mismatch"
  | "empty_chunks"
  | "unknown_data_source"
  | "invalid_option";

/** Where in a dataset the problem is: the file, the 0-based row inside it, and the field. */
export interface DatasetLocation {
  readonly file?: string;
  readonly row?: number;
  readonly field?: string;
}

/** A dataset that cannot be read as asked. The message names the file, row and field. */
export class DatasetError extends FineMemError {
  readonly file: string | null;
  readonly row: number | null;
  readonly field: string | null;

  constructor(
    code: DatasetErrorCode,
    message: string,
    location: DatasetLocation = {},
    options: FineMemErrorOptions = {},
  ) {
    super(code, `${describeLocation(location)}${message}`, {
      ...options,
      path: options.path ?? [
        ...(location.row === undefined ? [] : [location.row]),
        ...(location.field === undefined ? [] : [location.field]),
      ],
    });
    this.file = location.file ?? null;
    this.row = location.row ?? null;
    this.field = location.field ?? null;
  }
}

function describeLocation({ file, row, field }: DatasetLocation): string {
  const parts: string[] = [];
  if (file !== undefined) parts.push(file);
  if (row !== undefined) parts.push(`row ${row}`);
  if (field !== undefined) parts.push(`field ${field}`);
  return parts.length === 0 ? "" : `${parts.join(", ")}: `;
}

/** A bad row the caller chose to skip (`skipBadRows: true`), reported instead of thrown. */
export interface SkippedRow {
  readonly file: string;
  readonly row: number;
  readonly error: DatasetError;
}
