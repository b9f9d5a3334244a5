import { FineMemError, type PathSegment } from "@finemem/spec";

/**
 * What `finemem serve` answers with a 4xx or 5xx, each code with its HTTP status (`SERVE_ERROR_STATUS`).
 * - `invalid_json`: the body is not JSON. `invalid_request`: it fails the route's schema (the path names the field).
 * - `unauthorized`: no bearer token, or the wrong one.
 * - `unknown_episode`, `unknown_instance`: no such episode (never started, or closed), no such instance in the server's datasets.
 * - `step_order`: a step other than the next one. `episode_finished`: a step after the last.
 *   `episode_not_finished`: finalize before the last step. `idempotency_conflict`: a key reused for another body.
 * - `body_too_large`, `too_many_requests`, `shutting_down`, `internal`.
 */
export type ServeErrorCode =
  | "invalid_json"
  | "invalid_request"
  | "unauthorized"
  | "unknown_episode"
  | "unknown_instance"
  | "step_order"
  | "episode_finished"
  | "episode_not_finished"
  | "idempotency_conflict"
  | "body_too_large"
  | "too_many_requests"
  | "shutting_down"
  | "internal";

export const SERVE_ERROR_STATUS: Readonly<Record<ServeErrorCode, 400 | 401 | 404 | 409 | 413 | 429 | 500 | 503>> =
  Object.freeze({
    invalid_json: 400,
    invalid_request: 400,
    unauthorized: 401,
    unknown_episode: 404,
    unknown_instance: 404,
    step_order: 409,
    episode_finished: 409,
    episode_not_finished: 409,
    idempotency_conflict: 409,
    body_too_large: 413,
    too_many_requests: 429,
    shutting_down: 503,
    internal: 500,
  });

export class ServeError extends FineMemError {
  declare readonly code: ServeErrorCode;

  constructor(code: ServeErrorCode, message: string, path: readonly PathSegment[] = [], cause?: unknown) {
    super(code, message, { path, cause });
  }

  get status(): number {
    return SERVE_ERROR_STATUS[this.code];
  }
}
