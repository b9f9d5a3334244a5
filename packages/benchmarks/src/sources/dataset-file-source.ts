import type { CallOptions } from "@finemem/spec";

/** A file a loader can read: its bytes are on local disk, and where it came from is known. */
export interface ResolvedDatasetFile {
  /** e.g. `ai-hyz/MemoryAgentBench`, or the local folder / file a user gave. */
  readonly repo: string;
  /** The commit the hub reported, or `unpinned:<ref>` when none is known (local data). */
  readonly revision: string;
  /** The path inside the repo, e.g. `data/Conflict_Resolution-00000-of-00001.parquet`. */
  readonly path: string;
  /** Where the bytes are on disk. */
  readonly localPath: string;
  /** sha256 of the bytes (hex). */
  readonly sha256: string;
}

/**
 * Where a loader gets its files: the Hugging Face hub (through the standard HF cache), a local folder
 * that mirrors the hub's paths, or one file. Loaders only see this interface.
 */
export interface DatasetFileSource {
  /** What results record as the repo. */
  readonly repo: string;
  /** Set when the source is one file: loaders read it instead of looking for split files. */
  readonly singleFile?: string;
  /**
   * The files directly inside `folder` ("" for the root) whose names pass `accept`, sorted. A source
   * may answer from what it already holds when `complete(paths)` says the set is whole.
   */
  listFiles(
    folder: string,
    accept: (path: string) => boolean,
    complete?: (paths: readonly string[]) => boolean,
    options?: CallOptions,
  ): Promise<string[]>;
  /** Makes `path` available on disk and returns it with its revision and sha256. */
  fetchFile(path: string, options?: CallOptions): Promise<ResolvedDatasetFile>;
}
