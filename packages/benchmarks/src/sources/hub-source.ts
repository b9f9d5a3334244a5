import type { CallOptions } from "@finemem/spec";
import { type HubCacheMode, HubError, type HubErrorCode, isHubOffline, openHubRepo } from "@finemem/utils";
import { DatasetError, type DatasetErrorCode } from "../dataset-error.js";
import type { DatasetFileSource, ResolvedDatasetFile } from "./dataset-file-source.js";
import { defaultRevision } from "./revision-policy.js";

export interface HubSourceOptions {
  /** e.g. `ai-hyz/MemoryAgentBench` (a dataset repo). */
  readonly repo: string;
  /** A branch, tag or commit; default: the pinned commit of FINEMEM.md §5, else `main` with a warning. */
  readonly revision?: string | undefined;
  /** Default: `HF_ENDPOINT`, else https://huggingface.co. */
  readonly hubUrl?: string | undefined;
  /** The HF hub cache folder; default: the standard one (`HF_HUB_CACHE`, `HF_HOME/hub`, ~/.cache/huggingface/hub). */
  readonly cacheDir?: string | undefined;
  /**
   * How the local HF cache is used (`@finemem/utils`' `HubCacheMode`): `default` resolves a branch on
   * the hub and serves a cached pinned commit with no request; `cache-first` serves anything cached,
   * a branch included; `offline` never makes a request. Default: `offline` under `HF_HUB_OFFLINE=1`,
   * else `default`.
   */
  readonly cache?: HubCacheMode | undefined;
  /** Default: `HF_TOKEN`. */
  readonly accessToken?: string | undefined;
  /** A custom fetch (proxies, request counting in tests). */
  readonly fetch?: typeof fetch | undefined;
  /** Receives warnings such as an unpinned revision (default: console.warn). */
  readonly onWarning?: ((message: string) => void) | undefined;
}

// What a hub failure (`@finemem/utils`' hub module) means to a dataset loader.
const FROM_HUB: Readonly<Record<Exclude<HubErrorCode, "cache_write_failed">, DatasetErrorCode>> = {
  missing_dependency: "hub_unreachable",
  load_failed: "hub_unreachable",
  not_cached: "not_cached",
  unknown_revision: "unknown_revision",
  not_found: "missing_file",
  download_failed: "hub_unreachable",
  checksum_mismatch: "checksum_mismatch",
  invalid_model: "corrupt_file",
};

/** A hub failure as the {@link DatasetError} of the same meaning (naming its file); any other error as it is. */
function datasetErrorOf(error: unknown): unknown {
  if (!(error instanceof HubError)) return error;
  // The cache could not be written: the file system's own error says why (a full disk, a permission).
  if (error.code === "cache_write_failed") return error.cause;
  const code = FROM_HUB[error.code];
  // "fetch failed" alone leaves a newcomer stuck: say what else works without the hub.
  const next =
    error.code === "download_failed"
      ? "; check the network, or work without the hub: read a local file (`--file` in the CLI, a local source in the library), use what is cached with HF_HUB_OFFLINE=1, or point HF_ENDPOINT at a mirror"
      : "";
  return new DatasetError(code, `${error.message}${next}`, error.file === null ? {} : { file: error.file }, {
    cause: error,
  });
}

/**
 * Files of a Hugging Face dataset repo, downloaded into the standard HF cache layout
 * (`datasets--owner--name/{blobs,snapshots,refs}`, shared with the Python tools) by `@finemem/utils`'
 * hub module, which owns every download of the project. This source adds the dataset side: the
 * revision a known repo is read at, the environment's defaults, a sha256 for every file, and
 * `DatasetError`s.
 */
export function createHubSource(
  options: HubSourceOptions,
): DatasetFileSource & { readonly revision: string; resolveCommit(options?: CallOptions): Promise<string> } {
  const repo = options.repo;
  if (!/^[\w.-]+\/[\w.-]+$/.test(repo))
    throw new DatasetError("invalid_option", `repo must be "owner/name", got ${JSON.stringify(repo)}`, {
      field: "repo",
    });
  const choice = options.revision === undefined ? defaultRevision(repo) : { revision: options.revision, warning: null };
  const warn = options.onWarning ?? ((message: string) => console.warn(`[finemem] ${message}`));
  if (choice.warning !== null) warn(choice.warning);
  const revision = choice.revision;
  const accessToken = options.accessToken ?? process.env.HF_TOKEN;
  const hub = openHubRepo({
    repo,
    type: "dataset",
    revision,
    hubUrl: options.hubUrl ?? process.env.HF_ENDPOINT ?? "https://huggingface.co",
    cache: options.cache ?? (isHubOffline() ? "offline" : "default"),
    requiredBy: "@finemem/benchmarks",
    ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }),
    ...(accessToken === undefined ? {} : { accessToken }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  const rethrow = (error: unknown): never => {
    throw datasetErrorOf(error);
  };

  return {
    repo,
    revision,
    resolveCommit: (callOptions) => hub.resolveCommit(callOptions).catch(rethrow),
    listFiles: (folder, accept, complete, callOptions) =>
      hub.listFiles(folder, accept, complete, callOptions).catch(rethrow),
    async fetchFile(path, callOptions): Promise<ResolvedDatasetFile> {
      const file = await hub.fetchFile(path, { ...callOptions, sha256: true }).catch(rethrow);
      return { repo, revision: file.commit, path, localPath: file.localPath, sha256: file.sha256! };
    },
  };
}
