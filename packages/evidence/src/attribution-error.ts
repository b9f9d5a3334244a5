import { FineMemError, type PathSegment } from "@finemem/spec";

/**
 * What was wrong with an attribution's input. Each code is one documented case: the attributor never
 * turns bad input into a silent NaN or a made-up credit.
 * - `invalid_steps`: T is not an integer ≥ 1 (an episode with no step has nothing to credit).
 * - `invalid_beta`: β is not a number in [0, 1].
 * - `invalid_score`: a question's score is missing, NaN or outside [0, 1].
 * - `invalid_shares`: a question's evidence shares are not finite, negative, or do not sum to 1.
 * - `duplicate_question`: two evidence entries for one question id.
 * - `duplicate_item`: one item listed twice in a question's evidence.
 * - `invalid_step_weights`: an item's φ weights are not a valid step-weight map (see spec's `StepWeights`).
 * - `unknown_evidence_item`: evidence names an item the memory never held (no φ for it).
 * - `invalid_fraction`: a subsampling fraction outside (0, 1].
 * - `unscored_record`: an evidence record whose score is still `null`.
 * - `missing_question`: leave-one-out got a record whose question it was not given.
 */
export type AttributionErrorCode =
  | "invalid_steps"
  | "invalid_beta"
  | "invalid_score"
  | "invalid_shares"
  | "duplicate_question"
  | "duplicate_item"
  | "invalid_step_weights"
  | "unknown_evidence_item"
  | "invalid_fraction"
  | "unscored_record"
  | "missing_question";

export class AttributionError extends FineMemError {
  declare readonly code: AttributionErrorCode;

  constructor(code: AttributionErrorCode, message: string, path: readonly PathSegment[] = [], cause?: unknown) {
    super(code, message, { path, cause });
  }
}
