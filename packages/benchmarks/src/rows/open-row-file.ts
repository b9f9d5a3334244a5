import { DatasetError } from "../dataset-error.js";
import type { ResolvedDatasetFile } from "../sources/dataset-file-source.js";
import { openJsonlRowFile } from "./jsonl-row-file.js";
import { openParquetRowFile } from "./parquet-row-file.js";
import type { RowFile } from "./row-file.js";

/** Opens a resolved file by its extension: `.parquet` or `.jsonl`. */
export function openRowFile(resolved: ResolvedDatasetFile): Promise<RowFile> {
  if (resolved.path.endsWith(".parquet")) return openParquetRowFile(resolved.localPath, resolved.path);
  if (resolved.path.endsWith(".jsonl")) return openJsonlRowFile(resolved.localPath, resolved.path);
  throw new DatasetError("invalid_option", "only .parquet and .jsonl files can be read", { file: resolved.path });
}
