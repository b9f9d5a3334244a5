import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { AbortedError, throwIfAborted } from "@finemem/spec";
import { EmbedderError } from "./errors.js";
import { CONFIG_FILE, modelFilesAfterConfig, type EmbedderDtype } from "./model-files.js";
import { importOptional } from "./optional-import.js";

export interface HubSnapshotRequest {
  /** `owner/name`. */
  readonly repo: string;
  /** A branch, tag or 40-hex commit. */
  readonly revision: string;
  readonly hubUrl?: string;
  readonly accessToken?: string;
  /** The Hugging Face hub cache; default `HF_HUB_CACHE`, else `$HF_HOME/hub`, else `~/.cache/huggingface/hub`. */
  readonly cacheDir?: string;
  /** Make no request: everything must already be in the cache. */
  readonly offline: boolean;
  readonly dtype: EmbedderDtype;
  /** Files fetched too when the repository has them (e.g. `generation_config.json`); absent ones are skipped. */
  readonly optionalFiles?: readonly string[];
  readonly fetch?: typeof fetch;
  readonly signal?: AbortSignal;
}

export interface HubSnapshot {
  /** `<cache>/models--<owner>--<name>/snapshots/<commit>`, holding every file the model needs. */
  readonly dir: string;
  readonly commit: string;
}

const COMMIT = /^[0-9a-f]{40}$/;

/**
 * Puts a hub model's files into the standard Hugging Face cache (the layout huggingface_hub and the
 * `hf` CLI share, so a model downloaded by either is reused) and returns its snapshot folder.
 *
 * A branch or tag is first resolved to its commit and every file is then fetched at that commit.
 * `downloadFileToCacheDir` on its own would file each file under the last commit that touched it,
 * scattering one model over several snapshot folders, none of them loadable. The resolution is also
 * written to `refs/<revision>`, as huggingface_hub does, which is how `offline` finds `main` later.
 * Files already in the snapshot are not requested again, so a pinned commit loads with no request.
 */
export async function resolveHubSnapshot(request: HubSnapshotRequest): Promise<HubSnapshot> {
  throwIfAborted(request.signal);
  const hub = await importOptional("@huggingface/hub", () => import("@huggingface/hub"));
  const cacheDir = request.cacheDir ?? hub.getHFHubCachePath();
  const storage = join(cacheDir, hub.getRepoFolderName({ type: "model", name: request.repo }));
  const baseFetch = request.fetch;
  const signal = request.signal;
  // The hub client takes no AbortSignal; threading it through fetch makes downloads cancellable.
  const fetchWithSignal: typeof fetch | undefined =
    signal === undefined ? baseFetch : (input, init) => (baseFetch ?? globalThis.fetch)(input, { ...init, signal });
  const common = {
    hubUrl: request.hubUrl,
    ...(request.accessToken === undefined ? {} : { accessToken: request.accessToken }),
    ...(fetchWithSignal === undefined ? {} : { fetch: fetchWithSignal }),
  };
  const where = `${request.repo}@${request.revision}`;

  const failure = (error: unknown, what: string): Error => {
    if (signal?.aborted) return new AbortedError(signal.reason);
    if (error instanceof EmbedderError) return error;
    const status = (error as { statusCode?: unknown } | null)?.statusCode;
    if (status === 404) return new EmbedderError("model_not_found", `${what} (${where}): the hub has no such repository, revision or file`, { cause: error });
    const detail = typeof status === "number" ? `HTTP ${status}` : describe(error);
    return new EmbedderError("download_failed", `${what} (${where}) from ${request.hubUrl ?? "the Hugging Face hub"}: ${detail}`, { cause: error });
  };

  let commit: string;
  if (COMMIT.test(request.revision)) {
    commit = request.revision;
  } else {
    const refFile = join(storage, "refs", ...request.revision.split("/"));
    if (request.offline) {
      const cached = (await readFile(refFile, "utf8").catch(() => "")).trim();
      if (!COMMIT.test(cached)) {
        throw new EmbedderError("not_cached", `${where} is not in the Hugging Face cache at ${cacheDir} (no ${join("refs", request.revision)}), and cache is "offline"`);
      }
      commit = cached;
    } else {
      const info = await hub.modelInfo({ name: request.repo, revision: request.revision, additionalFields: ["sha"], ...common }).catch((error: unknown) => {
        throw failure(error, "resolving the revision");
      });
      const sha: unknown = info.sha;
      if (typeof sha !== "string" || !COMMIT.test(sha)) throw failure(new Error(`the hub answered no commit (got ${JSON.stringify(sha)})`), "resolving the revision");
      commit = sha;
      try {
        await mkdir(dirname(refFile), { recursive: true });
        await writeFile(refFile, commit);
      } catch (error) {
        throw failure(error, `writing ${join("refs", request.revision)} into the cache`);
      }
    }
  }

  const snapshot = join(storage, "snapshots", commit);
  const fetchFile = async (file: string): Promise<void> => {
    throwIfAborted(signal);
    if (request.offline) {
      if (!(await isFile(join(snapshot, ...file.split("/"))))) {
        throw new EmbedderError("not_cached", `${file} of ${request.repo}@${commit} is not in the Hugging Face cache at ${cacheDir}, and cache is "offline"`);
      }
      return;
    }
    await hub
      .downloadFileToCacheDir({ repo: { type: "model", name: request.repo }, path: file, revision: commit, cacheDir, ...common })
      .catch((error: unknown) => {
        throw failure(error, `downloading ${file}`);
      });
  };

  await fetchFile(CONFIG_FILE);
  let config: unknown;
  try {
    config = JSON.parse(await readFile(join(snapshot, CONFIG_FILE), "utf8"));
  } catch (error) {
    throw new EmbedderError("load_failed", `${CONFIG_FILE} of ${request.repo}@${commit} is not valid JSON`, { cause: error });
  }
  await Promise.all(modelFilesAfterConfig(config, request.dtype).map(fetchFile));
  await Promise.all(
    (request.optionalFiles ?? []).map((file) =>
      fetchFile(file).catch((error: unknown) => {
        if (error instanceof EmbedderError && (error.code === "model_not_found" || error.code === "not_cached")) return;
        throw error;
      }),
    ),
  );
  return { dir: snapshot, commit };
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then((entry) => entry.isFile(), () => false);
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // undici reports "fetch failed" and keeps the reason (ECONNREFUSED, ENOTFOUND, …) in `cause`.
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}`;
}
