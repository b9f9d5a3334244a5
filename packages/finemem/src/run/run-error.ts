import { FineMemError, type PathSegment } from "@finemem/spec";

/**
 * What stopped a run.
 * - `resume_mismatch`: a journal recorded a step whose replay through the store gave other outcomes,
 *   or a run directory holds a manifest of another configuration: resuming would mix two runs.
 * - `corrupt_journal`: a journal line other than a torn last line does not parse.
 * - `invalid_options`: a runner option out of range (named in the message and path).
 * - `no_instances`: the datasets gave nothing to evaluate.
 */
export type RunErrorCode = "resume_mismatch" | "corrupt_journal" | "invalid_options" | "no_instances";

export class RunError extends FineMemError {
  declare readonly code: RunErrorCode;

  constructor(code: RunErrorCode, message: string, path: readonly PathSegment[] = [], cause?: unknown) {
    super(code, message, { path, cause });
  }
}

/** An integer option ≥ 1, or a typed error naming it. */
export function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RunError("invalid_options", `${name} must be an integer ≥ 1, got ${value}`, [name]);
  return value;
}
