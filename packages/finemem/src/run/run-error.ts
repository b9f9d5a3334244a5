import { FineMemError, type PathSegment } from "@finemem/spec";

/**
 * What stopped a run.
 * - `resume_mismatch`: a journal recorded a step whose replay through the store gave other outcomes,
 *   or a run directory holds a manifest of another configuration: resuming would mix two runs.
 * - `corrupt_journal`: a journal line other than a torn last line does not parse.
 * - `invalid_option`: a runner option out of range (named in the message and path).
 * - `no_instances`: the datasets gave nothing to evaluate.
 * - `mixed_instances`: training records of one group were asked from episodes of several instances.
 * - `not_recorded_for_training`: an episode's decisions lack what a trainer needs (token ids,
 *   log-probabilities, replay payloads): it was run without `training: true`.
 * - `invalid_replay`: a decision policy's replay payload is refused by its replay validator.
 * - `no_checkpoint`: a path given as a training checkpoint holds none.
 * - `corrupt_checkpoint`: a training checkpoint's `checkpoint.json` or trainer state cannot be read.
 * - `newer_format`: a training checkpoint written by a newer finemem.
 */
export type RunErrorCode =
  | "resume_mismatch"
  | "corrupt_journal"
  | "invalid_option"
  | "no_instances"
  | "content_judge_required"
  | "evidence_not_cited"
  | "mixed_instances"
  | "not_recorded_for_training"
  | "invalid_replay"
  | "no_checkpoint"
  | "corrupt_checkpoint"
  | "newer_format";

export class RunError extends FineMemError {
  declare readonly code: RunErrorCode;

  constructor(code: RunErrorCode, message: string, path: readonly PathSegment[] = [], cause?: unknown) {
    super(code, message, { path, cause });
  }
}

/**
 * The error factory the runner passes to `@finemem/utils`' option checks: an `invalid_option`
 * {@link RunError} naming the option in its path and message (`<name> must be <expected>, got <value>`).
 */
export function invalidRunOption(name: string, expected: string, value: unknown): RunError {
  return new RunError("invalid_option", `${name} must be ${expected}, got ${String(value)}`, [name]);
}
