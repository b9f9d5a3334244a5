import { FineMemError, type PathSegment } from "@finemem/spec";

/**
 * What stopped a run.
 * - `resume_mismatch`: a journal recorded a step whose replay through the store gave other outcomes,
 *   or a run directory holds a manifest of another configuration: resuming would mix two runs.
 * - `corrupt_journal`: a journal line other than a torn last line does not parse.
 * - `invalid_options`: a runner option out of range (named in the message and path).
 * - `no_instances`: the datasets gave nothing to evaluate.
 * - `mixed_instances`: training records of one group were asked from episodes of several instances.
 * - `not_recorded_for_training`: an episode's decisions lack what a trainer needs (token ids,
 *   log-probabilities, replay payloads): it was run without `training: true`.
 * - `invalid_replay`: a decision policy's replay payload is refused by its replay validator.
 */
export type RunErrorCode = "resume_mismatch" | "corrupt_journal" | "invalid_options" | "no_instances" | "content_judge_required" | "evidence_not_cited" | "mixed_instances" | "not_recorded_for_training" | "invalid_replay";

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
