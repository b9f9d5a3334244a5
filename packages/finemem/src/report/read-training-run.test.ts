import { existsSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TRAIN_FILES } from "../train/train-files.js";
import { isTrainingRun, readTrainingRun } from "./read-training-run.js";
import { renderTrainingReport } from "./render-training-report.js";
import { RunDirectoryError } from "./run-directory-error.js";
import { replaceLine, runFolderTestSetup } from "./test-support/run-folder-test-setup.js";
import { writeFixtureRun } from "./test-support/write-fixture-run.js";
import { writeFixtureTrainingRun } from "./test-support/write-fixture-training-run.js";
import { writeReport } from "./write-report.js";

const { tempDir, fixture, failure } = runFolderTestSetup(
  "finemem-training-read-",
  writeFixtureTrainingRun,
  readTrainingRun,
);

describe("readTrainingRun", () => {
  it("reads and validates the manifest and the three line files", async () => {
    const dir = tempDir();
    const written = writeFixtureTrainingRun(dir);
    expect(await readTrainingRun(dir)).toEqual(written);
  });

  it.each(["manifest", "updates", "evaluations", "baselines"] as const)("names the missing %s file", async (name) => {
    const dir = fixture();
    unlinkSync(join(dir, TRAIN_FILES[name]));
    const error = await failure(dir);
    expect(error.code).toBe("missing_file");
    expect(error.file).toBe(join(dir, TRAIN_FILES[name]));
    expect(error.line).toBeNull();
  });

  it("names the file and line of a line that is not JSON", async () => {
    const dir = fixture();
    const file = join(dir, TRAIN_FILES.evaluations);
    replaceLine(file, 2, `{"update":2,"policyId":"learned","score":0.2`);
    const error = await failure(dir);
    expect(error.code).toBe("invalid_json");
    expect(error.file).toBe(file);
    expect(error.line).toBe(2);
    expect(error.message).toContain(`${file}:2: not valid JSON`);
  });

  it("reads a run killed mid-append as far as its whole lines go", async () => {
    const dir = tempDir();
    const written = writeFixtureTrainingRun(dir);
    const file = join(dir, TRAIN_FILES.updates);
    const text = readFileSync(file, "utf8");
    // The last update's line, torn: half of it and no newline.
    const lastLine = text.slice(text.lastIndexOf("\n", text.length - 2) + 1);
    writeFileSync(file, text.slice(0, text.length - lastLine.length) + lastLine.slice(0, lastLine.length >> 1));
    const evaluationsFile = join(dir, TRAIN_FILES.evaluations);
    const evaluations = readFileSync(evaluationsFile, "utf8")
      .split("\n")
      .filter((line) => line !== "");
    // The evaluation of the torn update goes too (train writes it after the update's line).
    const kept = written.evaluations.filter((line) => line.update < written.updates.length);
    writeFileSync(evaluationsFile, `${evaluations.slice(0, kept.length).join("\n")}\n`);
    const read = await readTrainingRun(dir);
    expect(read.updates).toEqual(written.updates.slice(0, -1));
    expect(read.evaluations).toEqual(kept);
  });

  it("names the file, line and field of a line of the wrong shape", async () => {
    const dir = fixture();
    const file = join(dir, TRAIN_FILES.updates);
    const line = JSON.parse(readFileSync(file, "utf8").split("\n")[2]!) as Record<string, unknown>;
    replaceLine(file, 3, JSON.stringify({ ...line, rewards: { ...(line.rewards as object), total: "high" } }));
    const error = await failure(dir);
    expect(error.code).toBe("invalid_content");
    expect(error.file).toBe(file);
    expect(error.line).toBe(3);
    expect(error.message).toContain("rewards.total");
  });

  it("refuses a baseline whose score is not a score", async () => {
    const dir = fixture();
    const file = join(dir, TRAIN_FILES.baselines);
    const line = JSON.parse(readFileSync(file, "utf8").split("\n")[0]!) as Record<string, unknown>;
    replaceLine(file, 1, JSON.stringify({ ...line, score: 1.5 }));
    const error = await failure(dir);
    expect(error.code).toBe("invalid_content");
    expect(error.line).toBe(1);
  });

  it("refuses updates out of order and an evaluation of an update the log does not hold", async () => {
    const dir = fixture();
    const updates = join(dir, TRAIN_FILES.updates);
    const original = readFileSync(updates, "utf8");
    const lines = original.split("\n");
    writeFileSync(updates, [lines[0], lines[2], lines[1], ""].join("\n"));
    const order = await failure(dir);
    expect(order.code).toBe("inconsistent");
    expect(order.file).toBe(updates);
    expect(order.line).toBe(2);

    // Updates 1 and 2 only, but an evaluation at update 3 (the fixture's third line).
    writeFileSync(updates, [lines[0], lines[1], ""].join("\n"));
    const ahead = await failure(dir);
    expect(ahead.code).toBe("inconsistent");
    expect(ahead.file).toBe(join(dir, TRAIN_FILES.evaluations));
    expect(ahead.line).toBe(3);
  });
});

describe("isTrainingRun", () => {
  it("tells a training run folder (it holds updates.jsonl) from an eval run's", async () => {
    const training = fixture();
    const evaluation = tempDir();
    writeFixtureRun(evaluation);
    expect(await isTrainingRun(training)).toBe(true);
    expect(await isTrainingRun(evaluation)).toBe(false);
    expect(await isTrainingRun(join(evaluation, "absent"))).toBe(false);
  });
});

describe("writeReport of a training run", () => {
  it("writes the training report, and nothing when a line file is corrupt", async () => {
    const dir = fixture();
    const path = await writeReport(dir);
    expect(path).toBe(join(dir, TRAIN_FILES.report));
    expect(readFileSync(path, "utf8")).toBe(renderTrainingReport(await readTrainingRun(dir)));
    const broken = fixture();
    replaceLine(join(broken, TRAIN_FILES.updates), 1, "{");
    await expect(writeReport(broken)).rejects.toBeInstanceOf(RunDirectoryError);
    expect(existsSync(join(broken, TRAIN_FILES.report))).toBe(false);
  });
});
