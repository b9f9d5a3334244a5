// `finemem data download`: fetches a dataset's files into the standard Hugging Face cache through
// @finemem/benchmarks' hub source, so a later load (and the Python tools) read them with no request.
import { stat } from "node:fs/promises";
import { basename } from "node:path";
import { createHubSource, DatasetError, type DatasetFileSource } from "@finemem/benchmarks";
import { type CallOptions, throwIfAborted } from "@finemem/spec";
import type { HubCacheMode } from "@finemem/utils";
import { type DatasetId, type DatasetInfo, findDataset, resolveSplits } from "./dataset-catalog.js";

/** How to reach the hub and where to keep the files. */
export interface HubAccessOptions {
  /** Default: `HF_ENDPOINT`, else https://huggingface.co. */
  readonly hubUrl?: string;
  /** The HF hub cache folder; default the standard one (`HF_HUB_CACHE`, `HF_HOME/hub`, ~/.cache/huggingface/hub). */
  readonly cacheDir?: string;
  /** A branch, tag or commit; default the dataset's pinned commit, else `main` (with a warning). */
  readonly revision?: string;
  /** Default `HF_TOKEN`. */
  readonly token?: string;
  readonly fetch?: typeof fetch;
  /** Default `default` (`offline` under `HF_HUB_OFFLINE=1`); see @finemem/utils' `HubCacheMode`. */
  readonly cache?: HubCacheMode;
}

export interface DownloadedFile {
  /** The path inside the repo, e.g. `data/Conflict_Resolution-00000-of-00001.parquet`. */
  readonly path: string;
  /** Where the bytes are: the cache's snapshot path. */
  readonly localPath: string;
  /** The commit the file was read at. */
  readonly revision: string;
  readonly sha256: string;
  readonly bytes: number;
  /** The split the file belongs to, when the dataset has named splits or one was asked for. */
  readonly split: string | null;
}

export type DownloadProgress =
  /** The file list is known; downloads start. */
  | { readonly kind: "listed"; readonly repo: string; readonly files: readonly string[] }
  /** One more file is on disk (downloaded, or found in the cache). */
  | { readonly kind: "file"; readonly file: DownloadedFile; readonly done: number; readonly total: number };

export interface DownloadDatasetOptions {
  /** A dataset id or repo (see `listDatasets`), or the catalog entry. */
  readonly dataset: string | DatasetInfo;
  /** Default: every split. */
  readonly splits?: readonly string[];
  readonly hub?: HubAccessOptions;
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: DownloadProgress) => void;
  /** Warnings such as an unpinned revision, as they happen (they are also returned). */
  readonly onWarning?: (message: string) => void;
  /** Replaces the hub (a local mirror, a test double); `hub` is then ignored. */
  readonly source?: DatasetFileSource;
}

export interface DatasetDownload {
  readonly dataset: DatasetId;
  readonly repo: string;
  /** True for the synthetic benchmark: it is generated, so nothing was fetched. */
  readonly generated: boolean;
  /** The revision asked for (or the default one). */
  readonly requestedRevision: string;
  /** The commit the files were read at; null when nothing was fetched. */
  readonly revision: string | null;
  readonly splits: readonly string[];
  readonly files: readonly DownloadedFile[];
  readonly totalBytes: number;
  readonly warnings: readonly string[];
}

/**
 * Downloads the files of `dataset` (its `splits`, default all) into the HF cache and returns each with
 * its commit, sha256 and size. Files already cached at a pinned commit cost no request.
 *
 * @throws {DataCommandError} `unknown_dataset`, `unknown_split`
 * @throws {DatasetError} from the hub: `hub_unreachable`, `unknown_revision`, `missing_file`, `not_cached` (offline), `checksum_mismatch`
 * @throws {AbortedError} when `signal` fires
 */
export async function downloadDataset(options: DownloadDatasetOptions): Promise<DatasetDownload> {
  const dataset = typeof options.dataset === "string" ? findDataset(options.dataset) : options.dataset;
  const splits = resolveSplits(dataset, options.splits);
  const warnings: string[] = [];
  const warn = (message: string): void => {
    warnings.push(message);
    options.onWarning?.(message);
  };
  throwIfAborted(options.signal);
  if (dataset.origin === "generated") {
    return {
      dataset: dataset.id,
      repo: dataset.repo,
      generated: true,
      requestedRevision: dataset.revision,
      revision: null,
      splits,
      files: [],
      totalBytes: 0,
      warnings,
    };
  }

  const hub = options.hub ?? {};
  const source =
    options.source ??
    createHubSource({
      repo: dataset.repo,
      onWarning: warn,
      ...(hub.revision === undefined ? {} : { revision: hub.revision }),
      ...(hub.hubUrl === undefined ? {} : { hubUrl: hub.hubUrl }),
      ...(hub.cacheDir === undefined ? {} : { cacheDir: hub.cacheDir }),
      ...(hub.token === undefined ? {} : { accessToken: hub.token }),
      ...(hub.fetch === undefined ? {} : { fetch: hub.fetch }),
      ...(hub.cache === undefined ? {} : { cache: hub.cache }),
    });
  const requestedRevision = hub.revision ?? dataset.revision;
  const callOptions: CallOptions = options.signal === undefined ? {} : { signal: options.signal };

  const wanted =
    dataset.id === "memoryagentbench"
      ? await memoryAgentBenchFiles(source, splits, callOptions)
      : await memalphaFiles(source, splits, callOptions);
  options.onProgress?.({ kind: "listed", repo: dataset.repo, files: wanted.map((file) => file.path) });

  const files: DownloadedFile[] = [];
  // One file at a time: split files reach gigabytes, and the hub client streams each to disk.
  for (const { path, split } of wanted) {
    throwIfAborted(options.signal);
    const resolved = await source.fetchFile(path, callOptions);
    const { size } = await stat(resolved.localPath);
    const file: DownloadedFile = {
      path: resolved.path,
      localPath: resolved.localPath,
      revision: resolved.revision,
      sha256: resolved.sha256,
      bytes: size,
      split,
    };
    files.push(file);
    options.onProgress?.({ kind: "file", file, done: files.length, total: wanted.length });
  }
  return {
    dataset: dataset.id,
    repo: dataset.repo,
    generated: false,
    requestedRevision,
    revision: files[0]?.revision ?? null,
    splits,
    files,
    totalBytes: files.reduce((sum, file) => sum + file.bytes, 0),
    warnings,
  };
}

interface WantedFile {
  readonly path: string;
  readonly split: string | null;
}

// The same shard naming the MemoryAgentBench loader reads: data/<Split>-00000-of-00001.parquet.
const SHARD = /^data\/([A-Za-z_]+)-(\d{5})-of-(\d{5})\.parquet$/;

async function memoryAgentBenchFiles(
  source: DatasetFileSource,
  splits: readonly string[],
  callOptions: CallOptions,
): Promise<WantedFile[]> {
  const out: WantedFile[] = [];
  for (const split of splits) {
    const isShard = (path: string) => SHARD.exec(path)?.[1] === split;
    // A set is whole when it holds every shard 0..N-1 of the N its names announce.
    const complete = (paths: readonly string[]) => {
      const totals = new Set(paths.map((path) => SHARD.exec(path)![3]));
      return totals.size === 1 && paths.length === Number([...totals][0]);
    };
    const files = await source.listFiles("data", isShard, complete, callOptions);
    if (files.length === 0 || !complete(files)) {
      throw new DatasetError(
        "missing_file",
        `no complete set of data/${split}-NNNNN-of-NNNNN.parquet files in ${source.repo} (found ${files.length === 0 ? "none" : files.join(", ")})`,
        {
          file: `data/${split}-00000-of-00001.parquet`,
        },
      );
    }
    for (const path of files) out.push({ path, split });
  }
  return out;
}

/** Memalpha's files are `<split>.parquet` at the root (a `datasets` conversion keeps them under data/), as its loader reads them. */
async function memalphaFiles(
  source: DatasetFileSource,
  splits: readonly string[],
  callOptions: CallOptions,
): Promise<WantedFile[]> {
  const isData = (path: string) => path.endsWith(".parquet") || path.endsWith(".jsonl");
  const list = async (accept: (path: string) => boolean): Promise<string[]> => {
    const root = await source.listFiles("", accept, undefined, callOptions);
    return root.length > 0 ? root : source.listFiles("data", accept, undefined, callOptions);
  };
  if (splits.length === 0) {
    const files = await list(isData);
    if (files.length === 0)
      throw new DatasetError("missing_file", `no parquet file in ${source.repo} (looked at the root and under data/)`, {
        file: "*.parquet",
      });
    return files.map((path) => ({ path, split: null }));
  }
  const out: WantedFile[] = [];
  for (const split of splits) {
    // `<split>.parquet` or its shards `<split>-00000-of-00002.parquet`, not a split whose name begins with it.
    const ofSplit = (name: string) => name.startsWith(`${split}.`) || name.startsWith(`${split}-`);
    const files = await list((path) => isData(path) && ofSplit(basename(path)));
    if (files.length === 0)
      throw new DatasetError(
        "missing_file",
        `no ${split}.parquet (or ${split}-* shard) in ${source.repo} (looked at the root and under data/)`,
        { file: `${split}.parquet` },
      );
    for (const path of files) if (!out.some((file) => file.path === path)) out.push({ path, split });
  }
  return out;
}

/** A download as terminal lines: one per file, then the total. */
export function formatDownload(download: DatasetDownload): string {
  if (download.generated)
    return `${download.dataset}: generated locally from a seed (${download.requestedRevision}); nothing to download.`;
  const lines = [
    `${download.dataset} (${download.repo}) at ${download.revision ?? download.requestedRevision}${download.requestedRevision === download.revision ? "" : ` (asked: ${download.requestedRevision})`}`,
  ];
  for (const file of download.files)
    lines.push(`  ${file.path}  ${formatBytes(file.bytes)}  sha256 ${file.sha256.slice(0, 12)}…  ${file.localPath}`);
  lines.push(`  ${download.files.length} file(s), ${formatBytes(download.totalBytes)}`);
  for (const warning of download.warnings) lines.push(`  warning: ${warning}`);
  return lines.join("\n");
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}
