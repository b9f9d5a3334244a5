import { FineMemError, type FineMemErrorOptions } from "@finemem/spec";
import { HubError, type HubErrorCode } from "@finemem/utils";

/** An option of the embedder or the hybrid retriever that is missing, out of range or of the wrong kind. */
export class HybridOptionsError extends FineMemError {
  constructor(key: string, message: string) {
    super("invalid_option", `${key}: ${message}`, { path: [key] });
  }
}

/** The error factory this entry passes to `@finemem/utils`' option checks: `<key>: must be <expected>`. */
export const hybridOptionError = (key: string, expected: string): HybridOptionsError =>
  new HybridOptionsError(key, `must be ${expected}`);

/**
 * Why an embedder could not be created or could not embed. Codes:
 * - `missing_dependency`: the optional peer dependency (`@huggingface/transformers` or `@huggingface/hub`) is not installed;
 * - `model_not_found`: a local model folder, or one of the files transformers.js needs in it, does not exist, or the hub has no such repository, revision or file;
 * - `not_cached`: `cache: "offline"` and the model is not in the Hugging Face cache;
 * - `download_failed`: the hub could not be reached or answered with an error;
 * - `load_failed`: the files are there but transformers.js / onnxruntime could not load them;
 * - `inference_failed`: running the model failed;
 * - `invalid_embedding`: an embedder returned the wrong number of vectors or vectors of the wrong length;
 * - `disposed`: `embed` after `dispose()`.
 */
export type EmbedderErrorCode =
  | "missing_dependency"
  | "model_not_found"
  | "not_cached"
  | "download_failed"
  | "load_failed"
  | "inference_failed"
  | "invalid_embedding"
  | "disposed";

export class EmbedderError extends FineMemError {
  declare readonly code: EmbedderErrorCode;
  constructor(code: EmbedderErrorCode, message: string, options: FineMemErrorOptions = {}) {
    super(code, message, options);
  }
}

// What a failure to find, fetch or check a model (`@finemem/utils`' hub module) means to an embedder.
const FROM_HUB: Readonly<Record<HubErrorCode, EmbedderErrorCode>> = {
  missing_dependency: "missing_dependency",
  load_failed: "load_failed",
  not_cached: "not_cached",
  unknown_revision: "model_not_found",
  not_found: "model_not_found",
  download_failed: "download_failed",
  checksum_mismatch: "download_failed",
  cache_write_failed: "download_failed",
  invalid_model: "load_failed",
};

/** A {@link HubError} as the {@link EmbedderError} of the same meaning and message; any other error as it is. */
export function embedderErrorOf(error: unknown): unknown {
  return error instanceof HubError ? new EmbedderError(FROM_HUB[error.code], error.message, { cause: error }) : error;
}
