import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { RUN_FILES } from "../run/run-files.js";
import { readRunDirectory } from "./read-run-directory.js";
import { renderReport } from "./render-report.js";
import { RunDirectoryError } from "./run-directory-error.js";
import { writeFixtureRun } from "./test-support/write-fixture-run.js";
import { writeReport } from "./write-report.js";

const root = mkdtempSync(join(tmpdir(), "finemem-report-write-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("writeReport", () => {
  it("writes report.html beside the run files, replacing an older one, and leaves no temporary file", async () => {
    const dir = join(root, "ok");
    writeFixtureRun(dir);
    const path = await writeReport(dir);
    expect(path).toBe(join(dir, RUN_FILES.report));
    expect(readFileSync(path, "utf8")).toBe(renderReport(await readRunDirectory(dir)));
    await writeReport(dir, { worstQuestions: 2 });
    expect(readFileSync(path, "utf8").match(/<article/g)).toHaveLength(2);
    expect(readdirSync(dir).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });

  it("writes nothing when a run file is missing", async () => {
    const dir = join(root, "missing");
    writeFixtureRun(dir);
    unlinkSync(join(dir, RUN_FILES.results));
    await expect(writeReport(dir)).rejects.toBeInstanceOf(RunDirectoryError);
    expect(existsSync(join(dir, RUN_FILES.report))).toBe(false);
  });
});
