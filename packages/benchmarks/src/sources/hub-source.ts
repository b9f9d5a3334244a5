import { mkdir, readdir, readFile, realpath, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { HubApiError, datasetInfo, downloadFileToCacheDir, getHFHubCachePath, getRepoFolderName, listFiles } from "@huggingface/hub";
import { throwIfAborted, type CallOptions } from "@finemem/spec";
import { DatasetError } from "../dataset-error.js";
import type { DatasetFileSource, ResolvedDatasetFile } from "./dataset-file-source.js";
import { defaultRevision, isCommit } from "./revision-policy.js";
import { sha256File } from "./sha256-file.js";

/**
 * How the hub source uses the local HF cache:
 * - `default`: a pinned commit already in the cache is served with no request; a branch or tag is
 *   resolved on the hub (one request) so new commits are seen.
 * - `cache-first`: anything already in the cache is served with no request, a branch included (its
 *   last resolved commit, from `refs/<branch>`); only what is missing is fetched.
 * - `offline`: never a request; what is not cached is a `not_cached` error. Also chosen by the
 *   standard `HF_HUB_OFFLINE=1` environment variable.
 */
export type HubCacheMode = "default" | "cache-first" | "offline";

export interface HubSourceOptions {
  /** e.g. `ai-hyz/MemoryAgentBench` (a dataset repo). */
  readonly repo: string;
  /** A branch, tag or commit; default: the pinned commit of FINEMEM.md §5, else `main` with a warning. */
  readonly revision?: string;
  /** Default: `HF_ENDPOINT`, else https://huggingface.co. */
  readonly hubUrl?: string;
  /** The HF hub cache folder; default: the standard one (`HF_HUB_CACHE`, `HF_HOME/hub`, ~/.cache/huggingface/hub). */
  readonly cacheDir?: string;
  readonly cache?: HubCacheMode;
  /** Default: `HF_TOKEN`. */
  readonly accessToken?: string;
  /** A custom fetch (proxies, request counting in tests). */
  readonly fetch?: typeof fetch;
  /** Receives warnings such as an unpinned revision (default: console.warn). */
  readonly onWarning?: (message: string) => void;
}

/**
 * Files of a Hugging Face dataset repo, downloaded through `@huggingface/hub` into the standard HF
 * cache layout (`datasets--owner--name/{blobs,snapshots,refs}`), so the Python tools share the cache.
 */
export function createHubSource(options: HubSourceOptions): DatasetFileSource & { readonly revision: string; resolveCommit(options?: CallOptions): Promise<string> } {
  const repo = options.repo;
  if (!/^[\w.-]+\/[\w.-]+$/.test(repo)) throw new DatasetError("invalid_option", `repo must be "owner/name", got ${JSON.stringify(repo)}`, { field: "repo" });
  const choice = options.revision === undefined ? defaultRevision(repo) : { revision: options.revision, warning: null };
  const warn = options.onWarning ?? ((message: string) => console.warn(`[finemem] ${message}`));
  if (choice.warning !== null) warn(choice.warning);
  const revision = choice.revision;
  const mode: HubCacheMode = options.cache ?? (isTruthyEnv(process.env["HF_HUB_OFFLINE"]) ? "offline" : "default");
  const hubUrl = (options.hubUrl ?? process.env["HF_ENDPOINT"] ?? "https://huggingface.co").replace(/\/+$/, "");
  const cacheDir = options.cacheDir ?? getHFHubCachePath();
  const storage = join(cacheDir, getRepoFolderName({ type: "dataset", name: repo }));
  const accessToken = options.accessToken ?? process.env["HF_TOKEN"];
  const hubParams = {
    repo: { type: "dataset" as const, name: repo },
    hubUrl,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    ...(accessToken === undefined || accessToken === "" ? {} : { accessToken }),
  };
  let commit: Promise<string> | null = null;

  const refPath = join(storage, "refs", revision);
  const snapshot = (sha: string, path = "") => join(storage, "snapshots", sha, path);

  async function resolveCommitOnce(): Promise<string> {
    if (isCommit(revision)) return revision;
    if (mode !== "default") {
      const cached = await readRef(refPath);
      if (cached !== null) return cached;
      if (mode === "offline") throw new DatasetError("not_cached", `offline: the cache holds no commit for ${repo}@${revision} (looked in ${refPath})`, { file: refPath });
    }
    let sha: string | undefined;
    try {
      const info = await datasetInfo({ ...hubParams, name: repo, revision, additionalFields: ["sha"] });
      sha = (info as { sha?: string }).sha;
    } catch (cause) {
      throw hubError(cause, `resolving ${repo}@${revision}`, revision);
    }
    if (sha === undefined || !isCommit(sha)) throw new DatasetError("hub_unreachable", `the hub gave no commit for ${repo}@${revision}`);
    await mkdir(dirname(refPath), { recursive: true });
    await writeFile(refPath, sha);
    return sha;
  }

  function resolveCommit(callOptions?: CallOptions): Promise<string> {
    throwIfAborted(callOptions?.signal);
    commit ??= resolveCommitOnce().catch((error: unknown) => {
      commit = null;
      throw error;
    });
    return commit;
  }

  return {
    repo,
    revision,
    resolveCommit,
    async listFiles(folder, accept, complete = (paths) => paths.length > 0, callOptions) {
      const sha = await resolveCommit(callOptions);
      const local = await listLocal(snapshot(sha, folder), folder, accept);
      if (local.length > 0 && complete(local)) return local;
      if (mode === "offline") {
        throw new DatasetError("not_cached", `offline: the cached snapshot ${sha} of ${repo} holds no complete set of files in ${folder === "" ? "(root)" : folder}`, { file: snapshot(sha, folder) });
      }
      throwIfAborted(callOptions?.signal);
      const found: string[] = [];
      try {
        for await (const entry of listFiles({ ...hubParams, revision: sha, ...(folder === "" ? {} : { path: folder }) })) {
          if (entry.type === "file" && accept(entry.path)) found.push(entry.path);
        }
      } catch (cause) {
        const error = hubError(cause, `listing ${folder === "" ? "(root)" : folder} of ${repo}@${sha}`, sha);
        // A folder the repo does not have holds no files; the loader says which files it wanted.
        if (error.code === "missing_file") return [];
        throw error;
      }
      return found.sort();
    },
    async fetchFile(path, callOptions): Promise<ResolvedDatasetFile> {
      const sha = await resolveCommit(callOptions);
      const pointer = snapshot(sha, path);
      if (!(await isFile(pointer))) {
        if (mode === "offline") throw new DatasetError("not_cached", `offline: ${path} of ${repo}@${sha} is not in the cache`, { file: pointer });
        throwIfAborted(callOptions?.signal);
        try {
          await downloadFileToCacheDir({ ...hubParams, path, revision: sha, cacheDir });
        } catch (cause) {
          throw hubError(cause, `downloading ${path} from ${repo}@${sha}`, sha, path);
        }
      }
      const sha256 = await sha256File(pointer);
      await verifyBlob(pointer, sha256, path);
      return { repo, revision: sha, path, localPath: pointer, sha256 };
    },
  };
}

function isTruthyEnv(value: string | undefined): boolean {
  return value !== undefined && ["1", "true", "yes", "on"].includes(value.toLowerCase());
}

async function readRef(path: string): Promise<string | null> {
  try {
    const sha = (await readFile(path, "utf8")).trim();
    return isCommit(sha) ? sha : null;
  } catch {
    return null;
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function listLocal(folderPath: string, folder: string, accept: (path: string) => boolean): Promise<string[]> {
  try {
    const names = await readdir(folderPath);
    return names.map((name) => (folder === "" ? name : `${folder}/${name}`)).filter(accept).sort();
  } catch {
    return [];
  }
}

/**
 * LFS blobs are stored under their sha256: a blob whose bytes hash differently is corrupt (a broken
 * transfer or a tampered cache). It is removed, with its snapshot link, so the next load fetches it
 * again instead of failing forever.
 */
async function verifyBlob(pointer: string, sha256: string, path: string): Promise<void> {
  const blob = await realpath(pointer);
  const expected = basename(blob);
  if (!/^[0-9a-f]{64}$/.test(expected) || expected === sha256) return;
  await rm(pointer, { force: true });
  await rm(blob, { force: true });
  throw new DatasetError("checksum_mismatch", `the bytes hash to ${sha256}, the hub announced ${expected}; removed from the cache`, { file: path });
}

function hubError(cause: unknown, doing: string, revision: string, path?: string): DatasetError {
  const location = path === undefined ? {} : { file: path };
  if (cause instanceof DatasetError) return cause;
  if (cause instanceof HubApiError) {
    const data = cause.data as { error?: unknown } | undefined;
    const hubMessage = typeof data?.error === "string" ? data.error : cause.message;
    if (cause.statusCode === 404 && /revision|rev id/i.test(hubMessage)) {
      return new DatasetError("unknown_revision", `${doing}: the hub does not know revision ${revision} (${hubMessage})`, location, { cause });
    }
    if (cause.statusCode === 404) return new DatasetError("missing_file", `${doing}: not found on the hub (${hubMessage})`, location, { cause });
    return new DatasetError("hub_unreachable", `${doing}: the hub answered ${cause.statusCode} (${hubMessage})`, location, { cause });
  }
  const message = cause instanceof Error ? cause.message : String(cause);
  // downloadFileToCacheDir throws a plain Error when paths-info lists nothing for the path.
  if (/cannot get path info/i.test(message)) return new DatasetError("missing_file", `${doing}: the hub lists no such file`, location, { cause });
  return new DatasetError("hub_unreachable", `${doing}: ${message}`, location, { cause });
}
