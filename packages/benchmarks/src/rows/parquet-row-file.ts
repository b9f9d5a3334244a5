import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema, type FileMetaData } from "hyparquet";
import { DatasetError } from "../dataset-error.js";
import type { RowFile } from "./row-file.js";

/**
 * Opens a parquet file with hyparquet. Only the footer is read here; columns are read on demand.
 * Whatever hyparquet cannot decode (a truncated file, a bad page, wrong magic bytes) becomes a
 * `corrupt_file` error naming the file, and a missing column a `missing_column` error.
 */
export async function openParquetRowFile(localPath: string, file: string): Promise<RowFile> {
  let buffer;
  let metadata: FileMetaData;
  try {
    buffer = await asyncBufferFromFile(localPath);
    metadata = await parquetMetadataAsync(buffer);
  } catch (cause) {
    throw new DatasetError("corrupt_file", `not a readable parquet file (${describe(cause)})`, { file }, { cause });
  }
  let columns: string[];
  try {
    columns = parquetSchema(metadata).children.map((child) => child.element.name);
  } catch (cause) {
    throw new DatasetError("corrupt_file", `unreadable parquet schema (${describe(cause)})`, { file }, { cause });
  }
  const numRows = Number(metadata.num_rows);
  const file_ = buffer;
  const requireColumns = (wanted: readonly string[]) => {
    for (const column of wanted) {
      if (!columns.includes(column)) throw new DatasetError("missing_column", `no column ${column} (the file has ${columns.join(", ")})`, { file, field: column });
    }
  };
  const read = async (rowStart: number, rowEnd: number, wanted: readonly string[]) => {
    requireColumns(wanted);
    try {
      const rows = await parquetReadObjects({ file: file_, metadata, columns: [...wanted], rowStart, rowEnd });
      if (rows.length !== rowEnd - rowStart) throw new Error(`expected ${rowEnd - rowStart} rows, decoded ${rows.length}`);
      return rows as Record<string, unknown>[];
    } catch (cause) {
      throw new DatasetError("corrupt_file", `cannot decode rows ${rowStart}-${rowEnd - 1} of columns ${wanted.join(", ")} (${describe(cause)})`, { file, row: rowStart }, { cause });
    }
  };
  const rowGroups: { start: number; end: number }[] = [];
  let start = 0;
  for (const group of metadata.row_groups) {
    const end = start + Number(group.num_rows);
    rowGroups.push({ start, end });
    start = end;
  }
  return {
    file,
    numRows,
    columns,
    rowGroups,
    async readColumn(column) {
      const rows = await read(0, numRows, [column]);
      return rows.map((row) => row[column]);
    },
    readRows: read,
  };
}

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
