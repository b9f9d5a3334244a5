import { readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RUN_FILES } from "../run/run-files.js";
import { readRunDirectory } from "./read-run-directory.js";
import { replaceLine, runFolderTestSetup } from "./test-support/run-folder-test-setup.js";
import { writeFixtureRun } from "./test-support/write-fixture-run.js";

const { tempDir, fixture, failure } = runFolderTestSetup("finemem-report-read-", writeFixtureRun, readRunDirectory);

describe("readRunDirectory", () => {
  it("reads and validates every file of a run", async () => {
    const dir = tempDir();
    const written = writeFixtureRun(dir);
    const run = await readRunDirectory(dir);
    expect(run.dir).toBe(dir);
    expect(run.manifest).toEqual(written.manifest);
    expect(run.steps).toEqual(written.steps);
    expect(run.results).toEqual(written.results);
    expect(run.episodes).toEqual(written.episodes);
    expect(run.summary).toEqual(written.summary);
  });

  it.each(["manifest", "steps", "results", "episodes", "summary"] as const)(
    "names the missing %s file",
    async (name) => {
      const dir = fixture();
      unlinkSync(join(dir, RUN_FILES[name]));
      const error = await failure(dir);
      expect(error.code).toBe("missing_file");
      expect(error.file).toBe(join(dir, RUN_FILES[name]));
      expect(error.line).toBeNull();
      expect(error.message).toContain(RUN_FILES[name]);
    },
  );

  it("says an unfinished run (no summary.json yet, no steps.jsonl either) must be finished first", async () => {
    const dir = fixture();
    unlinkSync(join(dir, RUN_FILES.summary));
    unlinkSync(join(dir, RUN_FILES.steps));
    const error = await failure(dir);
    expect(error.code).toBe("missing_file");
    expect(error.file).toBe(join(dir, RUN_FILES.summary));
    expect(error.message).toContain("has not finished");
    expect(error.message).toContain("finish the run first by running the same finemem eval command again");
  });

  it("names the file and line of a JSONL line that is not JSON", async () => {
    const dir = fixture();
    replaceLine(join(dir, RUN_FILES.steps), 3, '{"runId": "fixture-run-1", oops');
    const error = await failure(dir);
    expect(error).toMatchObject({ code: "invalid_json", file: join(dir, RUN_FILES.steps), line: 3 });
    expect(error.message).toMatch(/steps\.jsonl:3: not valid JSON/);
  });

  it("validates step records with the spec's validator, counting blank lines", async () => {
    const dir = fixture();
    const file = join(dir, RUN_FILES.steps);
    const lines = readFileSync(file, "utf8").split("\n");
    const bad = JSON.parse(lines[1]!) as { rewards: { format: number } };
    bad.rewards.format = 2;
    writeFileSync(file, [lines[0], "", JSON.stringify(bad), ...lines.slice(2)].join("\n"));
    const error = await failure(dir);
    expect(error).toMatchObject({ code: "invalid_content", line: 3 });
    expect(error.message).toMatch(/steps\.jsonl:3: StepRecord: rewards\.format/);
  });

  it("validates results, episodes and the summary", async () => {
    let dir = fixture();
    const results = join(dir, RUN_FILES.results);
    const second = JSON.parse(readFileSync(results, "utf8").split("\n")[1]!) as { score: number };
    second.score = 1.5;
    replaceLine(results, 2, JSON.stringify(second));
    expect(await failure(dir)).toMatchObject({ code: "invalid_content", file: results, line: 2 });

    dir = fixture();
    const episodes = join(dir, RUN_FILES.episodes);
    replaceLine(episodes, 1, JSON.stringify({ instanceId: "x" }));
    expect((await failure(dir)).message).toMatch(/episodes\.jsonl:1: EpisodeLine/);

    dir = fixture();
    const summary = join(dir, RUN_FILES.summary);
    writeFileSync(summary, JSON.stringify({ ...JSON.parse(readFileSync(summary, "utf8")), table: null }));
    expect(await failure(dir)).toMatchObject({ code: "invalid_content", file: summary, line: null });
  });

  it("gives the line of a JSON syntax error in the manifest, and rejects a manifest of the wrong shape", async () => {
    let dir = fixture();
    const manifest = join(dir, RUN_FILES.manifest);
    writeFileSync(manifest, '{\n  "runId": "fixture-run-1",\n  "seed" 42\n}\n');
    const syntax = await failure(dir);
    expect(syntax.code).toBe("invalid_json");
    expect(syntax.line).toBe(3);
    expect(syntax.message).toMatch(/manifest\.json:3: not valid JSON/);
    writeFileSync(manifest, '{\n  "runId": "fixture-run-1",\n');
    expect(await failure(dir)).toMatchObject({ code: "invalid_json", line: 2 });

    dir = fixture();
    const valid = JSON.parse(readFileSync(join(dir, RUN_FILES.manifest), "utf8")) as Record<string, unknown>;
    writeFileSync(join(dir, RUN_FILES.manifest), JSON.stringify({ ...valid, specificationVersion: "v0" }));
    const shape = await failure(dir);
    expect(shape.code).toBe("invalid_content");
    expect(shape.message).toMatch(/RunManifest: specificationVersion/);
  });

  it("refuses files of another run", async () => {
    const dir = fixture();
    const summary = join(dir, RUN_FILES.summary);
    writeFileSync(summary, JSON.stringify({ ...JSON.parse(readFileSync(summary, "utf8")), runId: "another-run" }));
    expect(await failure(dir)).toMatchObject({ code: "inconsistent", file: summary });

    const other = fixture();
    const steps = join(other, RUN_FILES.steps);
    const fifth = JSON.parse(readFileSync(steps, "utf8").split("\n")[4]!) as { runId: string };
    fifth.runId = "another-run";
    replaceLine(steps, 5, JSON.stringify(fifth));
    expect(await failure(other)).toMatchObject({ code: "inconsistent", file: steps, line: 5 });
  });

  it("reports a directory in place of a file as unreadable", async () => {
    const dir = fixture();
    unlinkSync(join(dir, RUN_FILES.summary));
    const { mkdirSync } = await import("node:fs");
    mkdirSync(join(dir, RUN_FILES.summary));
    expect(await failure(dir)).toMatchObject({ code: "unreadable_file", file: join(dir, RUN_FILES.summary) });
  });
});
