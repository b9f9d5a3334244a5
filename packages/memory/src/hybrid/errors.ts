import { FineMemError, type FineMemErrorOptions } from "@finemem/spec";

/** An option of the embedder or the hybrid retriever that is missing, out of range or of the wrong kind. */
export class HybridOptionsError extends FineMemError {
  constructor(key: string, message: string) {
    super("invalid_option", `${key}: ${message}`, { path: [key] });
  }
}

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
