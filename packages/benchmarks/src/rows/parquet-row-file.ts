import {
  type AsyncBuffer,
  asyncBufferFromFile,
  type FileMetaData,
  parquetMetadataAsync,
  parquetReadObjects,
  parquetSchema,
} from "hyparquet";
import { DatasetError } from "../dataset-error.js";
import type { RowFile } from "./row-file.js";

/**
 * Opens a parquet file with hyparquet. Only the footer is read here; columns are read on demand.
 * Whatever hyparquet cannot decode (a truncated file, a bad page, wrong magic bytes) becomes a
 * `corrupt_file` error naming the file, and a missing column a `missing_column` error.
 */
export async function openParquetRowFile(localPath: string, file: string): Promise<RowFile> {
  let buffer: AsyncBuffer;
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
      if (!columns.includes(column))
        throw new DatasetError("missing_column", `no column ${column} (the file has ${columns.join(", ")})`, {
          file,
          field: column,
        });
    }
  };
  const read = async (rowStart: number, rowEnd: number, wanted: readonly string[]) => {
    requireColumns(wanted);
    try {
      const rows = await parquetReadObjects({ file: file_, metadata, columns: [...wanted], rowStart, rowEnd });
      if (rows.length !== rowEnd - rowStart)
        throw new Error(`expected ${rowEnd - rowStart} rows, decoded ${rows.length}`);
      return rows as Record<string, unknown>[];
    } catch (cause) {
      throw new DatasetError(
        "corrupt_file",
        `cannot decode rows ${rowStart}-${rowEnd - 1} of columns ${wanted.join(", ")} (${describe(cause)})`,
        { file, row: rowStart },
        { cause },
      );
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
    async readField(path) {
      const [column] = path;
      if (column === undefined) throw new RangeError("readField needs a path");
      requireColumns([column]);
      const projected = projectToLeaf(metadata, path);
      if (projected === null)
        throw new DatasetError("missing_column", `no field ${path.join(".")}`, { file, field: path.join(".") });
      let rows: Record<string, unknown>[];
      try {
        rows = (await parquetReadObjects({ file: file_, metadata: projected, columns: [column] })) as Record<
          string,
          unknown
        >[];
      } catch (cause) {
        throw new DatasetError(
          "corrupt_file",
          `cannot decode ${path.join(".")} (${describe(cause)})`,
          { file, field: path.join(".") },
          { cause },
        );
      }
      return rows.map((row) => {
        let value: unknown = row[column];
        for (const key of path.slice(1))
          value = value === null || value === undefined ? null : (value as Record<string, unknown>)[key];
        return value ?? null;
      });
    },
    readRows: read,
  };
}

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

/**
 * The file's metadata narrowed to one leaf: the schema keeps only the nodes on `path` (and whatever
 * lies below its end), each row group only that leaf's column chunks. hyparquet then reads and
 * assembles just those bytes; the chunk offsets are absolute, so nothing else moves. `null` when the
 * path does not lead into the schema.
 */
function projectToLeaf(metadata: FileMetaData, path: readonly string[]): FileMetaData | null {
  const tree = parquetSchema(metadata);
  const schema: FileMetaData["schema"] = [];
  let found = true;
  const visit = (node: typeof tree, depth: number): void => {
    const children =
      depth < path.length ? node.children.filter((child) => child.element.name === path[depth]) : node.children;
    if (depth < path.length && children.length === 0) found = false;
    schema.push(
      children.length === node.children.length ? node.element : { ...node.element, num_children: children.length },
    );
    for (const child of children) visit(child, depth + 1);
  };
  visit(tree, 0);
  if (!found) return null;
  const prefix = path.join("\u0000");
  const row_groups = metadata.row_groups.map((group) => ({
    ...group,
    columns: group.columns.filter((chunk) => {
      const chunkPath = (chunk.meta_data?.path_in_schema ?? []).join("\u0000");
      return chunkPath === prefix || chunkPath.startsWith(`${prefix}\u0000`);
    }),
  }));
  return { ...metadata, schema, row_groups };
}
