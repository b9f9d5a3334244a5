import { basename } from "node:path";
import { FineMemError } from "@finemem/spec";

/**
 * Why a run directory could not be read.
 * - `missing_file`: one of the run's files does not exist.
 * - `unreadable_file`: it exists but cannot be read (a folder, no permission, …).
 * - `invalid_json`: a JSON file, or a JSONL line, is not JSON.
 * - `invalid_content`: it is JSON, but not the shape `run-files.ts` describes (the validator's message is kept).
 * - `inconsistent`: the files disagree (a step or summary of another run than the manifest's).
 */
export type RunDirectoryErrorCode =
  | "missing_file"
  | "unreadable_file"
  | "invalid_json"
  | "invalid_content"
  | "inconsistent";

/** A run directory's file is missing or corrupt; `file` and `line` say where, so a user can open it. */
export class RunDirectoryError extends FineMemError {
  declare readonly code: RunDirectoryErrorCode;
  /** The path of the offending file. */
  readonly file: string;
  /** 1-based line of the offending JSONL line (or JSON text), `null` when the whole file is at fault. */
  readonly line: number | null;

  constructor(code: RunDirectoryErrorCode, file: string, line: number | null, message: string, cause?: unknown) {
    super(code, `${file}${line === null ? "" : `:${line}`}: ${message}`, {
      path: line === null ? [basename(file)] : [basename(file), line],
      cause,
    });
    this.file = file;
    this.line = line;
  }
}
