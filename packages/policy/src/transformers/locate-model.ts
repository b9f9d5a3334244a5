import { checkTransformersModelFolder, HubError, type HubErrorCode, resolveTransformersSnapshot } from "@finemem/utils";
import { LocalModelError, type LocalModelErrorCode } from "../local/local-model-error.js";
import type { ResolvedTransformersModelOptions } from "./transformers-model-options.js";

export interface LocatedModel {
  /** The folder transformers.js loads (for a hub model, its snapshot in the Hugging Face cache). */
  readonly dir: string;
  /** The commit, for a hub model; `null` for a local folder. */
  readonly revision: string | null;
  readonly defaultModelId: string;
}

// What a failure to find, fetch or check a model (`@finemem/utils`' hub module) means here.
const FROM_HUB: Readonly<Record<HubErrorCode, LocalModelErrorCode>> = {
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

/**
 * Finds the model's folder: a local folder is checked for the files transformers.js will read, a hub
 * model is put into the standard Hugging Face cache. Both go through `@finemem/utils`' hub module,
 * which owns every hub download of the project (revision → commit, `refs/<branch>`, offline mode);
 * its errors come back as {@link LocalModelError}s of the same meaning, naming the model.
 */
export async function locateModel(
  options: ResolvedTransformersModelOptions,
  signal: AbortSignal | undefined,
): Promise<LocatedModel> {
  try {
    if (options.source.kind === "local") {
      await checkTransformersModelFolder(options.source.dir, options.dtype);
      return { dir: options.source.dir, revision: null, defaultModelId: options.source.dir };
    }
    const snapshot = await resolveTransformersSnapshot({
      repo: options.source.repo,
      revision: options.source.revision,
      offline: options.offline,
      dtype: options.dtype,
      optionalFiles: ["generation_config.json"],
      requiredBy: "@finemem/policy/transformers",
      ...(options.hubUrl === undefined ? {} : { hubUrl: options.hubUrl }),
      ...(options.accessToken === undefined ? {} : { accessToken: options.accessToken }),
      ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      ...(signal === undefined ? {} : { signal }),
    });
    return {
      dir: snapshot.dir,
      revision: snapshot.commit,
      defaultModelId: `${options.source.repo}@${snapshot.commit}`,
    };
  } catch (error) {
    if (!(error instanceof HubError)) throw error;
    const modelPath = options.source.kind === "local" ? options.source.dir : options.source.repo;
    throw new LocalModelError(FROM_HUB[error.code], error.message, { modelPath, cause: error });
  }
}
