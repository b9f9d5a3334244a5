import { FineMemError, type PathSegment } from "@finemem/spec";

/**
 * What was wrong with a reward's input.
 * - `invalid_weights`: a reward weight is not a finite number in its range (the key is in the path).
 * - `invalid_component`: a step's component is NaN, infinite or outside its range.
 * - `inconsistent_results`: a step's operation results do not line up with its operations.
 * - `invalid_token_count`: a token count is not an integer ≥ 0.
 * - `empty_history`: the chunks hold no token, so the compression ratio is undefined.
 * - `invalid_option`: a scorer or judge option out of range (named in the message).
 */
export type StepRewardErrorCode =
  | "invalid_weights"
  | "invalid_component"
  | "inconsistent_results"
  | "invalid_token_count"
  | "empty_history"
  | "invalid_option";

export class StepRewardError extends FineMemError {
  declare readonly code: StepRewardErrorCode;

  constructor(code: StepRewardErrorCode, message: string, path: readonly PathSegment[] = [], cause?: unknown) {
    super(code, message, { path, cause });
  }
}

/**
 * The error factory this package passes to `@finemem/utils`' option checks: an `invalid_option`
 * {@link StepRewardError} naming the option in its path and message (`<name> must be <expected>, got <value>`).
 */
export function invalidOption(name: string, expected: string, value: unknown): StepRewardError {
  return new StepRewardError("invalid_option", `${name} must be ${expected}, got ${String(value)}`, [name]);
}
