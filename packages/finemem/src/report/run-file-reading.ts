// Reading one file of a run folder, eval or training (read-run-directory.ts, read-training-run.ts):
// JSON or JSONL through a validator, every failure turned into a RunDirectoryError that names the
// file and, where it can, the 1-based line, so both readers report a corrupt run the same way.
import { access, readFile } from "node:fs/promises";
import type { Validator } from "@finemem/spec";
import { decodeJsonl, JsonlError } from "@finemem/utils";
import { RunDirectoryError } from "./run-directory-error.js";

/** Whether `file` exists (and can be reached): for files whose absence means something, not an error. */
export async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new RunDirectoryError("missing_file", file, null, "file does not exist", cause);
    throw new RunDirectoryError("unreadable_file", file, null, `cannot read: ${(cause as Error).message}`, cause);
  }
}

/**
 * `file` parsed as JSON and validated.
 *
 * @throws {RunDirectoryError} `missing_file`, `unreadable_file`, `invalid_json` (with the line where V8 gives one) or `invalid_content`
 */
export async function readJsonFile<T>(file: string, validator: Validator<T>): Promise<T> {
  const text = await readText(file);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new RunDirectoryError("invalid_json", file, jsonErrorLine(text, cause), "not valid JSON", cause);
  }
  const result = validator.validate(parsed);
  if (!result.ok) throw new RunDirectoryError("invalid_content", file, null, result.error.message, result.error);
  return result.value;
}

/**
 * The records of a JSONL file, validated, and the 1-based line of each (blank lines hold no record, so
 * index + 1 is not always the line; a reader's own consistency checks name a record's line with it).
 *
 * @throws {RunDirectoryError} `missing_file`, `unreadable_file`, or `invalid_json` / `invalid_content` with the line at fault
 */
export async function readJsonlFile<T>(
  file: string,
  validator: Validator<T>,
  options: {
    /**
     * The file is an append-only log of a run that may still be going, or was killed mid-append:
     * what follows its last newline is a line not yet whole, and is not read.
     */
    readonly appendOnly?: boolean;
  } = {},
): Promise<{ readonly values: T[]; readonly lines: number[] }> {
  const whole = await readText(file);
  const text = options.appendOnly === true ? whole.slice(0, whole.lastIndexOf("\n") + 1) : whole;
  try {
    const values = decodeJsonl(text, validator);
    const lines: number[] = [];
    text.split("\n").forEach((line, index) => {
      if (line.trim() !== "") lines.push(index + 1);
    });
    return { values, lines };
  } catch (cause) {
    if (!(cause instanceof JsonlError)) throw cause;
    const message =
      cause.code === "invalid_json" ? "not valid JSON" : ((cause.cause as Error | undefined)?.message ?? cause.message);
    throw new RunDirectoryError(
      cause.code === "invalid_json" ? "invalid_json" : "invalid_content",
      file,
      cause.line,
      message,
      cause,
    );
  }
}

/**
 * The 1-based line of a JSON syntax error, from V8's message: "(line N column M)" or "at position N"
 * where it gives one, the last line for a truncated text; `null` for messages that quote the text
 * instead (e.g. an unexpected token), which locate nothing reliably.
 */
function jsonErrorLine(text: string, cause: unknown): number | null {
  const message = cause instanceof Error ? cause.message : "";
  const line = /\(line (\d+) column \d+\)/.exec(message);
  if (line !== null) return Number(line[1]);
  const position = /at position (\d+)/.exec(message);
  const end = /end of JSON input/.test(message) ? text.trimEnd().length : null;
  const offset = position === null ? end : Number(position[1]);
  if (offset === null) return null;
  // An error at the very end (a truncated file) belongs to the last line that holds anything.
  const within = Math.min(offset, text.trimEnd().length);
  let count = 1;
  for (let index = 0; index < within; index++) if (text.charCodeAt(index) === 10) count++;
  return count;
}
