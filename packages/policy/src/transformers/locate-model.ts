import { isFineMemError } from "@finemem/spec";
import { LocalModelError, type LocalModelErrorCode } from "../local/local-model-error.js";
import type { ResolvedTransformersModelOptions } from "./transformers-model-options.js";

export interface LocatedModel {
  /** The folder transformers.js loads (for a hub model, its snapshot in the Hugging Face cache). */
  readonly dir: string;
  /** The commit, for a hub model; `null` for a local folder. */
  readonly revision: string | null;
  readonly defaultModelId: string;
}

const SHARED_CODES: ReadonlySet<string> = new Set<LocalModelErrorCode>(["model_not_found", "not_cached", "download_failed", "load_failed", "missing_dependency"]);

/**
 * Finds the model's folder: a local folder is checked for the files transformers.js will read, a hub
 * model is put into the standard Hugging Face cache. Both go through `@finemem/memory/hybrid`, which
 * owns the hub download (revision → commit, `refs/<branch>`, offline mode) for every transformers.js
 * model of the project; its errors come back as {@link LocalModelError} with the same code.
 */
export async function locateModel(options: ResolvedTransformersModelOptions, signal: AbortSignal | undefined): Promise<LocatedModel> {
  const hybrid = await import("@finemem/memory/hybrid");
  try {
    if (options.source.kind === "local") {
      await hybrid.checkLocalModelFolder(options.source.dir, options.dtype);
      return { dir: options.source.dir, revision: null, defaultModelId: options.source.dir };
    }
    const snapshot = await hybrid.resolveHubSnapshot({
      repo: options.source.repo,
      revision: options.source.revision,
      offline: options.offline,
      dtype: options.dtype,
      optionalFiles: ["generation_config.json"],
      ...(options.hubUrl === undefined ? {} : { hubUrl: options.hubUrl }),
      ...(options.accessToken === undefined ? {} : { accessToken: options.accessToken }),
      ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      ...(signal === undefined ? {} : { signal }),
    });
    return { dir: snapshot.dir, revision: snapshot.commit, defaultModelId: `${options.source.repo}@${snapshot.commit}` };
  } catch (error) {
    if (!isFineMemError(error) || error.code === "aborted") throw error;
    const code = SHARED_CODES.has(error.code) ? (error.code as LocalModelErrorCode) : "load_failed";
    const modelPath = options.source.kind === "local" ? options.source.dir : options.source.repo;
    throw new LocalModelError(code, error.message, { modelPath, cause: error });
  }
}
