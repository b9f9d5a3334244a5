import { FineMemError } from "@finemem/spec";
import type { OptionalPeerFailure } from "@finemem/utils";

/**
 * What went wrong with a model that runs in this process (transformers.js, node-llama-cpp).
 * - `model_not_found`: the file or folder is not there (the path is named).
 * - `model_corrupt`: it is there but cannot be read as a model (the path is named).
 * - `missing_dependency`: the optional peer dependency is not installed.
 * - `load_failed`: the runtime failed to start for another reason.
 * - `not_cached`: offline, and the hub model is not in the Hugging Face cache.
 * - `download_failed`: the hub could not be reached, or refused.
 * - `generation_failed`: the runtime failed while generating.
 */
export type LocalModelErrorCode =
  | "model_not_found"
  | "model_corrupt"
  | "missing_dependency"
  | "load_failed"
  | "not_cached"
  | "download_failed"
  | "generation_failed";

export class LocalModelError extends FineMemError {
  declare readonly code: LocalModelErrorCode;
  /** The file or folder the error is about, when there is one. */
  readonly modelPath: string | undefined;

  constructor(
    code: LocalModelErrorCode,
    message: string,
    options: { readonly modelPath?: string; readonly cause?: unknown } = {},
  ) {
    super(code, message, { cause: options.cause });
    this.modelPath = options.modelPath;
  }
}

/**
 * A runtime that could not be imported (`@finemem/utils`' `importOptionalPeer`) as a {@link LocalModelError}
 * of the same code (`missing_dependency` or `load_failed`) and message: the factory both local
 * backends pass when they load their optional peer.
 */
export function peerLoadError(failure: OptionalPeerFailure): LocalModelError {
  return new LocalModelError(failure.code, failure.message, { cause: failure.cause });
}
