// Writes a run's report.html next to its files, atomically (see writeAtomically).
import { join } from "node:path";
import { RUN_FILES } from "../run/run-files.js";
import { writeAtomically } from "../run/write-atomically.js";
import { readRunDirectory } from "./read-run-directory.js";
import { type RenderReportOptions, renderReport } from "./render-report.js";

/**
 * Reads the run directory `dir`, renders its report and writes it to `<dir>/report.html`.
 *
 * @returns the report's path
 * @throws {RunDirectoryError} when a run file is missing or corrupt (nothing is written then)
 */
export async function writeReport(dir: string, options: RenderReportOptions = {}): Promise<string> {
  const run = await readRunDirectory(dir);
  const html = renderReport(run, options);
  const target = join(dir, RUN_FILES.report);
  await writeAtomically(target, html);
  return target;
}
