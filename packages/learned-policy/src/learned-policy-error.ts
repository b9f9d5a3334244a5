import { FineMemError, type PathSegment } from "@finemem/spec";

/**
 * What went wrong in the learned policy:
 * - `invalid_option`: an option with a bad value (the path names it), or parameters trained with
 *   another feature version;
 * - `invalid_replay`: a replay payload this policy cannot replay (another width or version);
 * - `shape_mismatch`: checkpoint parameters whose names or shapes differ from the configuration's.
 */
export type LearnedPolicyErrorCode = "invalid_option" | "invalid_replay" | "shape_mismatch";

/** Thrown by `@finemem/learned-policy`; `code` says what was wrong, the message what to do. */
export class LearnedPolicyError extends FineMemError {
  declare readonly code: LearnedPolicyErrorCode;
  constructor(
    code: LearnedPolicyErrorCode,
    message: string,
    options: { path?: readonly PathSegment[]; cause?: unknown } = {},
  ) {
    super(code, message, options);
  }
}
