// Writes a run's report.html next to its files, atomically (see writeAtomically): the eval report for
// an eval run, the training report for a training run (one that holds updates.jsonl).
import { join } from "node:path";
import { RUN_FILES } from "../run/run-files.js";
import { writeAtomically } from "../run/write-atomically.js";
import { readRunDirectory } from "./read-run-directory.js";
import { isTrainingRun, readTrainingRun } from "./read-training-run.js";
import { type RenderReportOptions, renderReport } from "./render-report.js";
import { renderTrainingReport } from "./render-training-report.js";

/**
 * Reads the run directory `dir`, renders its report and writes it to `<dir>/report.html`. A training
 * run folder gets the training report (`options` only tune the eval report's sections).
 *
 * @returns the report's path
 * @throws {RunDirectoryError} when a run file is missing or corrupt (nothing is written then)
 */
export async function writeReport(dir: string, options: RenderReportOptions = {}): Promise<string> {
  const html = (await isTrainingRun(dir))
    ? renderTrainingReport(await readTrainingRun(dir))
    : renderReport(await readRunDirectory(dir), options);
  const target = join(dir, RUN_FILES.report);
  await writeAtomically(target, html);
  return target;
}
