import { readFile } from "node:fs/promises";
import { RunError } from "./run-error.js";

/** An append-only JSONL journal as a killed process leaves it: whole lines, and maybe a torn last one. */
export interface JournalLines {
  /** The whole lines, parsed, in file order. */
  readonly lines: readonly unknown[];
  /** The file's text (empty when it does not exist). */
  readonly text: string;
  /** What follows the last newline: empty for a clean file, a torn line after a kill mid-append. */
  readonly tornTail: string;
}

/**
 * Reads a journal that is only ever appended to: a torn last line is set apart (the work it recorded
 * is redone), and any other line that is not JSON is a `corrupt_journal` error naming the file and
 * line, with `remedy` saying what to do; the file is left as it is.
 */
export async function readJournalLines(path: string, remedy: string): Promise<JournalLines> {
  let text = "";
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const raw = text.split("\n");
  const tornTail = raw.pop() ?? "";
  const lines = raw.map((line, index) => {
    try {
      return JSON.parse(line) as unknown;
    } catch (cause) {
      throw new RunError(
        "corrupt_journal",
        `${path} line ${index + 1} is not JSON; ${remedy}`,
        ["journal", path, index + 1],
        cause,
      );
    }
  });
  return { lines, text, tornTail };
}
