// Where an export's files go: `samples-<update, 6 digits>.<jsonl|parquet>` in one directory, each written
// under a temporary name and renamed into place, so that a reader (an engine polling the directory)
// never sees half a file and a killed run leaves no file that looks complete.
import { randomBytes } from "node:crypto";
import { mkdir, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { TrainerError } from "../trainer-error.js";

/** The file formats of an export. */
export type ExportFormat = "jsonl" | "parquet";

const FILE_PATTERN = /^samples-(\d{6,})\.(jsonl|parquet)$/;

/** The name of an update's file: `samples-000012.jsonl` (more digits past update 999999). */
export function exportFileName(updateStep: number, format: ExportFormat): string {
  return `samples-${String(updateStep).padStart(6, "0")}.${format}`;
}

/** The highest update any export file of `directory` holds, 0 when there is none. */
export async function highestExportedUpdate(directory: string): Promise<number> {
  let highest = 0;
  for (const name of await readdir(directory)) {
    const match = FILE_PATTERN.exec(name);
    if (match !== null) highest = Math.max(highest, Number(match[1]));
  }
  return highest;
}

/** Creates `directory` when missing; a path that is not a usable directory is an `invalid_option`. */
export async function prepareExportDirectory(directory: string): Promise<void> {
  try {
    await mkdir(directory, { recursive: true });
    if (!(await stat(directory)).isDirectory()) throw new Error("not a directory");
  } catch (cause) {
    throw new TrainerError(
      "invalid_option",
      `the export directory ${directory} cannot be used (${cause instanceof Error ? cause.message : String(cause)}): name a directory, or a path where one can be created`,
      { path: ["directory"], cause },
    );
  }
}

/**
 * Writes every file under a temporary name first, then renames them into place, so that a failure
 * leaves none of them. `beforeRename` runs between (it throws to cancel, e.g. on abort).
 * A write that fails is a `write_failed` naming the file.
 */
export async function writeFilesAtomically(
  directory: string,
  files: readonly { readonly name: string; readonly bytes: Uint8Array | string }[],
  beforeRename: () => void = () => {},
): Promise<void> {
  const suffix = `${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
  const temporary = files.map((file) => ({ ...file, temporary: join(directory, `.${file.name}.${suffix}`) }));
  try {
    for (const file of temporary) {
      try {
        await writeFile(file.temporary, file.bytes);
      } catch (cause) {
        throw new TrainerError(
          "write_failed",
          `could not write ${join(directory, file.name)} (${cause instanceof Error ? cause.message : String(cause)}): check that the directory exists, is writable and has space`,
          { cause },
        );
      }
    }
    beforeRename();
    const renamed: string[] = [];
    for (const file of temporary) {
      try {
        await rename(file.temporary, join(directory, file.name));
        renamed.push(join(directory, file.name));
      } catch (cause) {
        // The update is all its files or none: take back the ones already in place.
        await Promise.all(renamed.map((path) => rm(path, { force: true })));
        throw new TrainerError(
          "write_failed",
          `could not move ${file.temporary} to ${join(directory, file.name)} (${cause instanceof Error ? cause.message : String(cause)}): check that the directory is writable`,
          { cause },
        );
      }
    }
  } finally {
    await Promise.all(temporary.map((file) => rm(file.temporary, { force: true })));
  }
}
