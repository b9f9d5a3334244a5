/**
 * Getting a transformers.js model onto disk: a local folder is checked for the files transformers.js
 * will read, a hub model is put into the standard HF cache (through {@link openHubRepo}) and its
 * snapshot folder returned. The embedder of `@finemem/memory/hybrid` and the language model of
 * `@finemem/policy/transformers` both load through these two functions; each maps {@link HubError}'s
 * codes to its own error.
 */
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { throwIfAborted } from "@finemem/spec";
import { HubError } from "./hub-error.js";
import { type HubRepoOptions, openHubRepo } from "./hub-repo.js";
import { CONFIG_FILE, modelFilesAfterConfig, type TransformersDtype } from "./transformers-model-files.js";

export interface TransformersSnapshotRequest {
  /** `owner/name`. */
  readonly repo: string;
  /** A branch, tag or 40-hex commit. */
  readonly revision: string;
  readonly hubUrl?: string;
  readonly accessToken?: string;
  /** The Hugging Face hub cache; default `HF_HUB_CACHE`, else `$HF_HOME/hub`, else `~/.cache/huggingface/hub`. */
  readonly cacheDir?: string;
  /** Make no request: everything must already be in the cache (for a branch, through `refs/<branch>`). */
  readonly offline: boolean;
  readonly dtype: TransformersDtype;
  /** Files fetched too when the repository has them (e.g. `generation_config.json`); absent ones are skipped. */
  readonly optionalFiles?: readonly string[];
  readonly fetch?: typeof fetch;
  readonly signal?: AbortSignal;
  /** The entry point named when `@huggingface/hub` is missing. */
  readonly requiredBy?: HubRepoOptions["requiredBy"];
}

export interface TransformersSnapshot {
  /** `<cache>/models--<owner>--<name>/snapshots/<commit>`, holding every file the model needs. */
  readonly dir: string;
  readonly commit: string;
}

/**
 * Puts a hub model's files (config.json, then what it says the dtype needs, then the optional files
 * the repository has) into the HF cache at one resolved commit, and returns the snapshot folder.
 * Files already there are not requested again, so a pinned commit loads with no request.
 * @throws {HubError} `not_cached` offline, `unknown_revision` / `not_found` for what the hub lacks,
 * `download_failed`, `invalid_model` for a config.json that is not JSON; `AbortedError` once `signal` fires.
 */
export async function resolveTransformersSnapshot(request: TransformersSnapshotRequest): Promise<TransformersSnapshot> {
  throwIfAborted(request.signal);
  const hub = openHubRepo({
    repo: request.repo,
    type: "model",
    revision: request.revision,
    cache: request.offline ? "offline" : "default",
    ...(request.hubUrl === undefined ? {} : { hubUrl: request.hubUrl }),
    ...(request.accessToken === undefined ? {} : { accessToken: request.accessToken }),
    ...(request.cacheDir === undefined ? {} : { cacheDir: request.cacheDir }),
    ...(request.fetch === undefined ? {} : { fetch: request.fetch }),
    ...(request.requiredBy === undefined ? {} : { requiredBy: request.requiredBy }),
  });
  const call = request.signal === undefined ? {} : { signal: request.signal };
  const commit = await hub.resolveCommit(call);
  const config = await hub.fetchFile(CONFIG_FILE, call);
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(config.localPath, "utf8"));
  } catch (error) {
    throw new HubError("invalid_model", `${CONFIG_FILE} of ${request.repo}@${commit} is not valid JSON`, {
      file: CONFIG_FILE,
      cause: error,
    });
  }
  await Promise.all(modelFilesAfterConfig(parsed, request.dtype).map((file) => hub.fetchFile(file, call)));
  await Promise.all(
    (request.optionalFiles ?? []).map((file) =>
      hub.fetchFile(file, call).catch((error: unknown) => {
        if (
          error instanceof HubError &&
          (error.code === "not_found" || error.code === "unknown_revision" || error.code === "not_cached")
        )
          return;
        throw error;
      }),
    ),
  );
  return { dir: await hub.snapshotDir(commit), commit };
}

/**
 * Checks that a local folder holds what transformers.js will read for `dtype`, so a wrong path fails
 * clearly before transformers.js is loaded.
 * @throws {HubError} `not_found` naming the missing folder or files, `invalid_model` for a config.json that is not JSON
 */
export async function checkTransformersModelFolder(dir: string, dtype: TransformersDtype): Promise<void> {
  const isDirectory = await stat(dir).then(
    (entry) => entry.isDirectory(),
    () => false,
  );
  if (!isDirectory) throw new HubError("not_found", `no model folder at ${dir}`, { file: dir });
  const configPath = join(dir, CONFIG_FILE);
  let configText: string;
  try {
    configText = await readFile(configPath, "utf8");
  } catch (error) {
    throw new HubError("not_found", `${configPath} does not exist: ${dir} is not a transformers.js model folder`, {
      file: configPath,
      cause: error,
    });
  }
  let config: unknown;
  try {
    config = JSON.parse(configText);
  } catch (error) {
    throw new HubError("invalid_model", `${configPath} is not valid JSON`, { file: configPath, cause: error });
  }
  const files = modelFilesAfterConfig(config, dtype);
  const present = await Promise.all(
    files.map((file) =>
      stat(join(dir, ...file.split("/"))).then(
        (entry) => entry.isFile(),
        () => false,
      ),
    ),
  );
  const missing = files.filter((_, index) => !present[index]);
  if (missing.length > 0)
    throw new HubError("not_found", `${dir} lacks ${missing.join(", ")} (needed for dtype ${dtype})`, { file: dir });
}
