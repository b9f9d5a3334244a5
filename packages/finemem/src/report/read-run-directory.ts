// Reads and validates every file of a run directory (the format of run/run-files.ts). The report and
// the CLI's table both start here, so a corrupt run fails once, with the file and line at fault.
import { join } from "node:path";
import { type RunManifest, runManifestValidator, type StepRecord, stepRecordValidator } from "@finemem/spec";
import { type EpisodeLine, type QuestionResultLine, RUN_FILES, type RunSummary } from "../run/run-files.js";
import { RunDirectoryError } from "./run-directory-error.js";
import { exists, readJsonFile, readJsonlFile } from "./run-file-reading.js";
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
