// Reads and validates every file of a run directory (the format of run/run-files.ts). The report and
// the CLI's table both start here, so a corrupt run fails once, with the file and line at fault.
import { access, readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  type RunManifest,
  runManifestValidator,
  type StepRecord,
  stepRecordValidator,
  type Validator,
} from "@finemem/spec";
import { decodeJsonl, JsonlError } from "@finemem/utils";
import { type EpisodeLine, type QuestionResultLine, RUN_FILES, type RunSummary } from "../run/run-files.js";
import { RunDirectoryError } from "./run-directory-error.js";
import { episodeLineValidator, questionResultLineValidator, runSummaryValidator } from "./run-file-validators.js";

/** The parsed contents of a run directory. */
export interface RunDirectory {
  /** The directory read. */
  readonly dir: string;
  readonly manifest: RunManifest;
  /** In file order. */
  readonly steps: readonly StepRecord[];
  readonly results: readonly QuestionResultLine[];
  readonly episodes: readonly EpisodeLine[];
  readonly summary: RunSummary;
}

/**
 * Reads `manifest.json`, `steps.jsonl`, `results.jsonl`, `episodes.jsonl` and `summary.json` of a run.
 *
 * @throws {RunDirectoryError} naming the file (and the 1-based line) that is missing, not JSON, of the wrong shape, or of another run
 */
export async function readRunDirectory(dir: string): Promise<RunDirectory> {
  const manifest = await readJsonFile(join(dir, RUN_FILES.manifest), runManifestValidator);
  // summary.json is written last: without it the run has not finished, and "file does not exist"
  // would send the user looking for a file that nothing has written yet.
  const summaryFile = join(dir, RUN_FILES.summary);
  if (!(await exists(summaryFile))) {
    throw new RunDirectoryError(
      "missing_file",
      summaryFile,
      null,
      `does not exist: run ${manifest.runId} has not finished (it was stopped, or is still running); finish the run first by running the same finemem eval command again, then write the report`,
    );
  }
  const { values: steps, lines: stepLines } = await readJsonlFile(join(dir, RUN_FILES.steps), stepRecordValidator);
  const { values: results } = await readJsonlFile(join(dir, RUN_FILES.results), questionResultLineValidator);
  const { values: episodes } = await readJsonlFile(join(dir, RUN_FILES.episodes), episodeLineValidator);
  const summary = await readJsonFile(join(dir, RUN_FILES.summary), runSummaryValidator);

  // A directory assembled from two runs would render one run's header over another's numbers.
  steps.forEach((step, index) => {
    if (step.runId !== manifest.runId) {
      throw new RunDirectoryError(
        "inconsistent",
        join(dir, RUN_FILES.steps),
        stepLines[index] ?? null,
        `step of run "${step.runId}" in the directory of run "${manifest.runId}"`,
      );
    }
  });
  if (summary.runId !== manifest.runId) {
    throw new RunDirectoryError(
      "inconsistent",
      join(dir, RUN_FILES.summary),
      null,
      `summary of run "${summary.runId}" in the directory of run "${manifest.runId}"`,
    );
  }
  return { dir, manifest, steps, results, episodes, summary };
}

/**
 * Reads and validates a run directory's `manifest.json` alone (what a resumed run starts from).
 *
 * @throws {RunDirectoryError} `missing_file`, `unreadable_file`, `invalid_json` or `invalid_content`, naming the file
 */
export function readRunManifest(dir: string): Promise<RunManifest> {
  return readJsonFile(join(dir, RUN_FILES.manifest), runManifestValidator);
}

async function exists(file: string): Promise<boolean> {
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

async function readJsonFile<T>(file: string, validator: Validator<T>): Promise<T> {
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

/** The records, and the 1-based line of each (blank lines hold no record, so index + 1 is not always the line). */
async function readJsonlFile<T>(
  file: string,
  validator: Validator<T>,
): Promise<{ readonly values: T[]; readonly lines: number[] }> {
  const text = await readText(file);
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
