import type { Stats } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { type CallOptions, throwIfAborted } from "@finemem/spec";
import { sha256File } from "@finemem/utils";
import { DatasetError } from "../dataset-error.js";
import type { DatasetFileSource, ResolvedDatasetFile } from "./dataset-file-source.js";

export interface LocalDirectorySourceOptions {
  /** A folder laid out like the hub repo (e.g. holding `data/Conflict_Resolution-00000-of-00001.parquet`). */
  readonly path: string;
  /** What results record as the repo (default: the folder's absolute path). */
  readonly repo?: string;
  /** The commit the copy was taken at, when known; otherwise results record `unpinned:local`. */
  readonly revision?: string;
}

/** A local folder that mirrors hub paths. No network, no cache. */
export function createLocalDirectorySource(options: LocalDirectorySourceOptions): DatasetFileSource {
  const root = resolve(options.path);
  const repo = options.repo ?? root;
  const revision = options.revision ?? "unpinned:local";
  return {
    repo,
    async listFiles(folder, accept, _complete, callOptions?: CallOptions) {
      throwIfAborted(callOptions?.signal);
      let entries: string[];
      try {
        entries = await readdir(join(root, folder));
      } catch (cause) {
        // A missing sub-folder holds no files (the loader names what it wanted); a missing root is an error.
        if (folder !== "") return [];
        throw new DatasetError("missing_file", `no folder ${root}`, { file: root }, { cause });
      }
      return entries
        .map((name) => (folder === "" ? name : `${folder}/${name}`))
        .filter(accept)
        .sort();
    },
    async fetchFile(path, callOptions?: CallOptions): Promise<ResolvedDatasetFile> {
      throwIfAborted(callOptions?.signal);
      const localPath = join(root, path);
      await requireFile(localPath);
      return { repo, revision, path, localPath, sha256: await sha256File(localPath) };
    },
  };
}

export interface SingleFileSourceOptions {
  /** One `.parquet` or `.jsonl` file. */
  readonly path: string;
  readonly repo?: string;
  readonly revision?: string;
}

/**
 * One file on disk, e.g. a downloaded split or a sample row. `listFiles` offers it under any folder
 * so a loader that asks for a split's shards gets this file as the only shard.
 */
export function createSingleFileSource(options: SingleFileSourceOptions): DatasetFileSource {
  const localPath = resolve(options.path);
  const repo = options.repo ?? localPath;
  const revision = options.revision ?? "unpinned:local";
  return {
    repo,
    singleFile: basename(localPath),
    async listFiles() {
      await requireFile(localPath);
      return [basename(localPath)];
    },
    async fetchFile(_path, callOptions?: CallOptions): Promise<ResolvedDatasetFile> {
      throwIfAborted(callOptions?.signal);
      await requireFile(localPath);
      return { repo, revision, path: basename(localPath), localPath, sha256: await sha256File(localPath) };
    },
  };
}

async function requireFile(path: string): Promise<void> {
  let info: Stats;
  try {
    info = await stat(path);
  } catch (cause) {
    throw new DatasetError("missing_file", "no such file", { file: path }, { cause });
  }
  if (!info.isFile()) throw new DatasetError("missing_file", "not a file", { file: path });
}
