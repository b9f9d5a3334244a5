import { FineMemError, type FineMemErrorOptions } from "@finemem/spec";

/**
 * Why a hub download could not be served. Callers map these codes to their own typed errors (a
 * dataset loader's `DatasetError`, an embedder's `EmbedderError`, a local model's `LocalModelError`):
 * - `missing_dependency`: `@huggingface/hub`, an optional peer dependency, is not installed;
 * - `load_failed`: it is installed but could not be loaded;
 * - `not_cached`: offline (or cache-first for a branch never resolved) and the cache lacks what was asked;
 * - `unknown_revision`: the hub does not know the branch, tag or commit;
 * - `not_found`: the hub has no such repository or file;
 * - `download_failed`: the hub could not be reached, or answered with an error or nothing usable;
 * - `checksum_mismatch`: the bytes do not hash to the sha256 the hub announced (the blob was removed);
 * - `cache_write_failed`: the cache could not be written (its `cause` is the file system's error);
 * - `invalid_model`: a model folder's `config.json` is not valid JSON.
 */
export type HubErrorCode =
  | "missing_dependency"
  | "load_failed"
  | "not_cached"
  | "unknown_revision"
  | "not_found"
  | "download_failed"
  | "checksum_mismatch"
  | "cache_write_failed"
  | "invalid_model";

export class HubError extends FineMemError {
  declare readonly code: HubErrorCode;
  /** The file the error is about (a path in the repository, or a path in the cache), or null. */
  readonly file: string | null;

  constructor(code: HubErrorCode, message: string, options: FineMemErrorOptions & { readonly file?: string } = {}) {
    const { file, ...rest } = options;
    super(code, message, rest);
    this.file = file ?? null;
  }
}
