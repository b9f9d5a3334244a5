import { FineMemError, type PathSegment } from "@finemem/spec";

/**
 * What went wrong in a trainer:
 * - `invalid_option`: a hyperparameter or option with a bad value (the path names it);
 * - `invalid_request`: an update request the backend cannot train on (the message names the sample
 *   and the field, e.g. a sample without the decision record the local backend replays);
 * - `invalid_replay`: a decision's replay payload that the policy cannot replay;
 * - `corrupt_checkpoint`: a checkpoint file that is not a readable trainer checkpoint;
 * - `newer_format`: a checkpoint written by a newer version of this package (upgrade to read it);
 * - `shape_mismatch`: a checkpoint whose parameters do not fit the policy's (names or shapes);
 * - `missing_file`: a checkpoint or export path that does not exist;
 * - `write_failed`: an export or checkpoint file could not be written (permissions, space).
 */
export type TrainerErrorCode =
  | "invalid_option"
  | "invalid_request"
  | "invalid_replay"
  | "corrupt_checkpoint"
  | "newer_format"
  | "shape_mismatch"
  | "missing_file"
  | "write_failed";

/** Thrown by `@finemem/trainer`; `code` says what was wrong, the message what to do. */
export class TrainerError extends FineMemError {
  declare readonly code: TrainerErrorCode;
  constructor(
    code: TrainerErrorCode,
    message: string,
    options: { path?: readonly PathSegment[]; cause?: unknown } = {},
  ) {
    super(code, message, options);
  }
}
