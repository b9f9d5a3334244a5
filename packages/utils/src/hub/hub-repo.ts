/**
 * Files of a Hugging Face hub repository (a model or a dataset), downloaded through `@huggingface/hub`
 * into the standard HF cache layout (`<type>s--owner--name/{blobs,snapshots,refs}`), which the Python
 * `huggingface_hub` and the `hf` CLI share: a file downloaded by either is reused, and ours are theirs.
 *
 * One owner for every download of the project (the embedder's and the in-process language model's
 * weights, the benchmark datasets), so the rules below hold everywhere:
 * - A branch or tag is resolved to its commit first, and every file is fetched at that commit.
 *   (`downloadFileToCacheDir` alone files each file under the last commit that touched it, scattering
 *   one snapshot over several folders.) The resolution is written to `refs/<revision>`, as
 *   huggingface_hub does, which is how offline and cache-first modes find a branch later.
 * - A file already in the snapshot is served with no request, so a pinned commit loads offline.
 * - LFS blobs are named by their sha256: when asked, a file's bytes are hashed and a blob that hashes
 *   differently is removed (with its snapshot link) so the next load fetches it again.
 * - `@huggingface/hub` is an optional peer dependency, imported on first use; it takes no
 *   AbortSignal, so the signal is threaded through its fetch and downloads are cancellable.
 */
import { mkdir, readdir, readFile, realpath, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { AbortedError, isFineMemError, throwIfAborted } from "@finemem/spec";
import { importOptionalPeer } from "../optional-peer.js";
import { HubError } from "./hub-error.js";
import { sha256File } from "./sha256-file.js";

export type HubRepoType = "model" | "dataset";

/**
 * How the local HF cache is used:
 * - `default`: a pinned commit already in the cache is served with no request; a branch or tag is
 *   resolved on the hub (one request) so new commits are seen;
 * - `cache-first`: anything already in the cache is served with no request, a branch included (its last
 *   resolved commit, from `refs/<branch>`); only what is missing is fetched;
 * - `offline`: never a request; what is not cached is a `not_cached` error.
 */
export type HubCacheMode = "default" | "cache-first" | "offline";

export interface HubRepoOptions {
  /** `owner/name`. */
  readonly repo: string;
  readonly type: HubRepoType;
  /** A branch, tag or 40-hex commit. */
  readonly revision: string;
  /** Default: `@huggingface/hub`'s, https://huggingface.co. Trailing slashes are dropped. */
  readonly hubUrl?: string;
  /** A token for gated or private repositories; none when undefined or empty. */
  readonly accessToken?: string;
  /** The HF hub cache folder. Default: `HF_HUB_CACHE`, else `$HF_HOME/hub`, else `~/.cache/huggingface/hub`. */
  readonly cacheDir?: string;
  /** Default `default`. */
  readonly cache?: HubCacheMode;
  /** The fetch used for every request (a proxy, request counting in tests). */
  readonly fetch?: typeof fetch;
  /** The entry point named when `@huggingface/hub` is missing, e.g. `@finemem/memory/hybrid`. Default `@finemem/utils`. */
  readonly requiredBy?: string;
}

export interface HubCallOptions {
  readonly signal?: AbortSignal | undefined;
}

export interface HubFetchOptions extends HubCallOptions {
  /** Hash the file and check it against the sha256 its LFS blob is named by. Default false. */
  readonly sha256?: boolean | undefined;
}

export interface HubCachedFile {
  /** The path in the repository, `/`-separated. */
  readonly path: string;
  readonly commit: string;
  /** Where the bytes are: the file's entry in the snapshot folder (a link into `blobs/`). */
  readonly localPath: string;
  /** sha256 (hex) of the bytes, when asked for; otherwise null. */
  readonly sha256: string | null;
}

export interface HubRepo {
  readonly repo: string;
  readonly type: HubRepoType;
  readonly revision: string;
  readonly cache: HubCacheMode;
  /** The commit `revision` names: itself for a commit; a branch or tag resolved as `cache` says. Resolved once. */
  resolveCommit(options?: HubCallOptions): Promise<string>;
  /** The snapshot folder of `commit` in the cache (whether or not it exists yet). */
  snapshotDir(commit: string): Promise<string>;
  /**
   * The files directly inside `folder` ("" for the root) at the resolved commit whose paths pass
   * `accept`, sorted. The cached snapshot answers when `complete(paths)` says its set is whole
   * (default: any file); otherwise the hub lists the folder. A folder the repository lacks holds no files.
   */
  listFiles(
    folder: string,
    accept: (path: string) => boolean,
    complete?: (paths: readonly string[]) => boolean,
    options?: HubCallOptions,
  ): Promise<string[]>;
  /** Puts `path` at the resolved commit into the cache (no request when it is there) and says where it is. */
  fetchFile(path: string, options?: HubFetchOptions): Promise<HubCachedFile>;
}

const COMMIT = /^[0-9a-f]{40}$/;
const SHA256 = /^[0-9a-f]{64}$/;
const DEFAULT_HUB_URL = "https://huggingface.co";

/** Whether `revision` names an immutable commit (40 hex digits), whose cached snapshot can be served as is. */
export function isCommitHash(revision: string): boolean {
  return COMMIT.test(revision);
}

/** huggingface_hub's reading of `HF_HUB_OFFLINE`: `1`, `true`, `yes` or `on`, in any case. */
export function isHubOffline(environment: Readonly<Record<string, string | undefined>> = process.env): boolean {
  const value = environment.HF_HUB_OFFLINE;
  return value !== undefined && ["1", "true", "yes", "on"].includes(value.trim().toLowerCase());
}

type HubClient = typeof import("@huggingface/hub");

interface Location {
  readonly hub: HubClient;
  readonly cacheDir: string;
  /** `<cacheDir>/<type>s--owner--name`. */
  readonly storage: string;
}

/** A repository of the hub, read through the HF cache; nothing is loaded or requested until a method is called. */
export function openHubRepo(options: HubRepoOptions): HubRepo {
  const { repo, type, revision } = options;
  const mode = options.cache ?? "default";
  const hubUrl = options.hubUrl?.replace(/\/+$/, "");
  const where = `${repo}@${revision}`;
  const requiredBy = options.requiredBy ?? "@finemem/utils";
  let location: Promise<Location> | null = null;
  let commit: Promise<string> | null = null;

  const locate = (): Promise<Location> => {
    location ??= importOptionalPeer(
      "@huggingface/hub",
      requiredBy,
      () => import("@huggingface/hub"),
      (failure) => new HubError(failure.code, failure.message, { cause: failure.cause }),
    ).then(
      (hub) => {
        const cacheDir = options.cacheDir ?? hub.getHFHubCachePath();
        return { hub, cacheDir, storage: join(cacheDir, hub.getRepoFolderName({ type, name: repo })) };
      },
      (error: unknown) => {
        location = null;
        throw error;
      },
    );
    return location;
  };

  /** What every hub call takes: the URL, the token, and a fetch that carries `signal`. */
  const common = (signal: AbortSignal | undefined) => {
    const base = options.fetch;
    const fetchWithSignal: typeof fetch | undefined =
      signal === undefined ? base : (input, init) => (base ?? globalThis.fetch)(input, { ...init, signal });
    return {
      ...(hubUrl === undefined ? {} : { hubUrl }),
      ...(options.accessToken === undefined || options.accessToken === "" ? {} : { accessToken: options.accessToken }),
      ...(fetchWithSignal === undefined ? {} : { fetch: fetchWithSignal }),
    };
  };

  const failure = (cause: unknown, doing: string, signal: AbortSignal | undefined, file?: string): Error => {
    if (signal?.aborted) return new AbortedError(signal.reason);
    if (isFineMemError(cause)) return cause;
    const at = file === undefined ? {} : { file };
    const status = (cause as { statusCode?: unknown } | null)?.statusCode;
    if (typeof status === "number") {
      const data = (cause as { data?: { error?: unknown } }).data;
      const hubMessage = typeof data?.error === "string" ? data.error : describe(cause);
      if (status === 404 && /revision|rev id/i.test(hubMessage)) {
        return new HubError(
          "unknown_revision",
          `${doing}: the hub does not know revision ${revision} (${hubMessage})`,
          { ...at, cause },
        );
      }
      if (status === 404)
        return new HubError("not_found", `${doing}: the hub has no such repository or file (${hubMessage})`, {
          ...at,
          cause,
        });
      return new HubError(
        "download_failed",
        `${doing}: ${hubUrl ?? DEFAULT_HUB_URL} answered HTTP ${status} (${hubMessage})`,
        { ...at, cause },
      );
    }
    const message = describe(cause);
    // downloadFileToCacheDir throws a plain Error when paths-info lists nothing for the path.
    if (/cannot get path info/i.test(message))
      return new HubError("not_found", `${doing}: the hub lists no such file`, { ...at, cause });
    return new HubError("download_failed", `${doing} from ${hubUrl ?? DEFAULT_HUB_URL}: ${message}`, { ...at, cause });
  };

  async function resolveCommitOnce(signal: AbortSignal | undefined): Promise<string> {
    if (isCommitHash(revision)) return revision;
    const { hub, storage } = await locate();
    const refFile = join(storage, "refs", ...revision.split("/"));
    if (mode !== "default") {
      const cached = await readRef(refFile);
      if (cached !== null) return cached;
      if (mode === "offline") {
        throw new HubError(
          "not_cached",
          `offline: the Hugging Face cache holds no commit for ${where} (no ${refFile})`,
          { file: refFile },
        );
      }
    }
    throwIfAborted(signal);
    const doing = `resolving ${where}`;
    let sha: unknown;
    try {
      const info =
        type === "model"
          ? await hub.modelInfo({ name: repo, revision, additionalFields: ["sha"], ...common(signal) })
          : await hub.datasetInfo({ name: repo, revision, additionalFields: ["sha"], ...common(signal) });
      sha = (info as { sha?: unknown }).sha;
    } catch (cause) {
      throw failure(cause, doing, signal);
    }
    if (typeof sha !== "string" || !isCommitHash(sha))
      throw new HubError(
        "download_failed",
        `${doing}: the hub answered no commit (got ${JSON.stringify(sha) ?? "nothing"})`,
      );
    try {
      await mkdir(dirname(refFile), { recursive: true });
      await writeFile(refFile, sha);
    } catch (cause) {
      throw new HubError("cache_write_failed", `writing ${refFile} into the Hugging Face cache: ${describe(cause)}`, {
        file: refFile,
        cause,
      });
    }
    return sha;
  }

  async function resolveCommit(callOptions?: HubCallOptions): Promise<string> {
    throwIfAborted(callOptions?.signal);
    commit ??= resolveCommitOnce(callOptions?.signal).catch((error: unknown) => {
      commit = null;
      throw error;
    });
    return commit;
  }

  return {
    repo,
    type,
    revision,
    cache: mode,
    resolveCommit,
    async snapshotDir(sha) {
      return join((await locate()).storage, "snapshots", sha);
    },
    async listFiles(folder, accept, complete = (paths) => paths.length > 0, callOptions) {
      const signal = callOptions?.signal;
      const sha = await resolveCommit(callOptions);
      const { hub, storage } = await locate();
      const local = await listLocal(join(storage, "snapshots", sha, ...splitPath(folder)), folder, accept);
      if (local.length > 0 && complete(local)) return local;
      const shown = folder === "" ? "(root)" : folder;
      if (mode === "offline") {
        throw new HubError(
          "not_cached",
          `offline: the cached snapshot ${sha} of ${repo} holds no complete set of files in ${shown}`,
          { file: join(storage, "snapshots", sha, ...splitPath(folder)) },
        );
      }
      throwIfAborted(signal);
      const found: string[] = [];
      try {
        for await (const entry of hub.listFiles({
          repo: { type, name: repo },
          revision: sha,
          ...(folder === "" ? {} : { path: folder }),
          ...common(signal),
        })) {
          if (entry.type === "file" && accept(entry.path)) found.push(entry.path);
        }
      } catch (cause) {
        const error = failure(cause, `listing ${shown} of ${repo}@${sha}`, signal);
        // A folder the repository does not have holds no files; the caller says which files it wanted.
        if (error instanceof HubError && error.code === "not_found") return [];
        throw error;
      }
      return found.sort();
    },
    async fetchFile(path, callOptions = {}) {
      const signal = callOptions.signal;
      const sha = await resolveCommit(callOptions);
      const { hub, cacheDir, storage } = await locate();
      const pointer = join(storage, "snapshots", sha, ...splitPath(path));
      if (!(await isFile(pointer))) {
        if (mode === "offline") {
          throw new HubError(
            "not_cached",
            `offline: ${path} of ${repo}@${sha} is not in the Hugging Face cache at ${cacheDir}`,
            { file: pointer },
          );
        }
        throwIfAborted(signal);
        try {
          await hub.downloadFileToCacheDir({
            repo: { type, name: repo },
            path,
            revision: sha,
            cacheDir,
            ...common(signal),
          });
        } catch (cause) {
          throw failure(cause, `downloading ${path} from ${repo}@${sha}`, signal, path);
        }
      }
      if (callOptions.sha256 !== true) return { path, commit: sha, localPath: pointer, sha256: null };
      const sha256 = await sha256File(pointer);
      await verifyBlob(pointer, sha256, path);
      return { path, commit: sha, localPath: pointer, sha256 };
    },
  };
}

function splitPath(path: string): string[] {
  return path === "" ? [] : path.split("/");
}

async function readRef(path: string): Promise<string | null> {
  try {
    const sha = (await readFile(path, "utf8")).trim();
    return isCommitHash(sha) ? sha : null;
  } catch {
    return null;
  }
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (entry) => entry.isFile(),
    () => false,
  );
}

async function listLocal(folderPath: string, folder: string, accept: (path: string) => boolean): Promise<string[]> {
  try {
    const names = await readdir(folderPath);
    return names
      .map((name) => (folder === "" ? name : `${folder}/${name}`))
      .filter(accept)
      .sort();
  } catch {
    return [];
  }
}

/**
 * LFS blobs are stored under their sha256: a blob whose bytes hash differently is corrupt (a broken
 * transfer or a tampered cache). It is removed, with its snapshot link, so the next load fetches it
 * again instead of failing forever. Blobs named by a git oid (small, non-LFS files) are not checked.
 */
async function verifyBlob(pointer: string, sha256: string, path: string): Promise<void> {
  const blob = await realpath(pointer);
  const expected = basename(blob);
  if (!SHA256.test(expected) || expected === sha256) return;
  await rm(pointer, { force: true });
  await rm(blob, { force: true });
  throw new HubError(
    "checksum_mismatch",
    `the bytes hash to ${sha256}, the hub announced ${expected}; removed from the cache`,
    { file: path },
  );
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // undici reports "fetch failed" and keeps the reason (ECONNREFUSED, ENOTFOUND, …) in `cause`.
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}`;
}
