import { readFile } from "node:fs/promises";
import { DatasetError } from "../dataset-error.js";
import type { RowFile } from "./row-file.js";

/**
 * Opens a JSONL file of rows (one JSON object per line, the hub's row schema). JSON has no column
 * layout to skip through, so the file is parsed once; a line that is not a JSON object is a
 * `corrupt_file` error naming the line's row.
 */
export async function openJsonlRowFile(localPath: string, file: string): Promise<RowFile> {
  const text = await readFile(localPath, "utf8");
  const rows: Record<string, unknown>[] = [];
  const lines = text.split("\n");
  for (const [index, line] of lines.entries()) {
    if (line.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (cause) {
      throw new DatasetError(
        "corrupt_file",
        `line ${index + 1} is not JSON (${cause instanceof Error ? cause.message : String(cause)})`,
        { file, row: rows.length },
        { cause },
      );
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new DatasetError("corrupt_file", `line ${index + 1} is not a JSON object`, { file, row: rows.length });
    }
    rows.push(value as Record<string, unknown>);
  }
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const requireColumn = (column: string, row: number) => {
    if (!(column in rows[row]!))
      throw new DatasetError("missing_column", `no field ${column}`, { file, row, field: column });
  };
  return {
    file,
    numRows: rows.length,
    columns,
    rowGroups: [{ start: 0, end: rows.length }],
    async readColumn(column) {
      return rows.map((row, index) => {
        requireColumn(column, index);
        return row[column];
      });
    },
    async readField(path) {
      const [column] = path;
      if (column === undefined) throw new RangeError("readField needs a path");
      return rows.map((row, index) => {
        requireColumn(column, index);
        let value: unknown = row[column];
        for (const key of path.slice(1))
          value =
            value === null || value === undefined || typeof value !== "object"
              ? null
              : (value as Record<string, unknown>)[key];
        return value ?? null;
      });
    },
    async readRows(rowStart, rowEnd, wanted) {
      const out: Record<string, unknown>[] = [];
      for (let index = rowStart; index < rowEnd; index++) {
        const picked: Record<string, unknown> = {};
        for (const column of wanted) {
          requireColumn(column, index);
          picked[column] = rows[index]![column];
        }
        out.push(picked);
      }
      return out;
    },
  };
}
