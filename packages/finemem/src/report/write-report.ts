// Writes a run's report.html next to its files. The write is atomic (a temporary file in the same
// directory, then a rename), so a reader, a browser or a CI artifact upload never sees half a report.
import { randomBytes } from "node:crypto";
import { rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { RUN_FILES } from "../run/run-files.js";
import { readRunDirectory } from "./read-run-directory.js";
import { renderReport, type RenderReportOptions } from "./render-report.js";

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
  const temporary = `${target}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await writeFile(temporary, html, "utf8");
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  return target;
}
