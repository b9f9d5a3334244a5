// Resuming a run folder: where its files go is not part of the run's configuration, a refusal names
// what differs and keeps finished work, and a corrupt manifest is a typed run-folder error.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { generateSyntheticBenchmark } from "@finemem/benchmarks";
import { createExtractiveReader, createHeuristicPolicy } from "@finemem/policy";
import type { JsonValue } from "@finemem/spec";
import { describe, expect, it } from "vitest";
import { RunDirectoryError } from "../report/run-directory-error.js";
import { evaluate } from "./evaluate.js";

const instances = generateSyntheticBenchmark({
  seed: 5,
  instanceCount: 1,
  chunkCount: 2,
  factsPerChunk: 3,
  questionsPerChunk: 1,
});

const runIn = (runDir: string, config: JsonValue, models: { [role: string]: string } = { manager: "heuristic" }) =>
  evaluate({
    runId: "run-r",
    runDir,
    instances,
    policy: createHeuristicPolicy(),
    reasoner: createExtractiveReader(),
    manifest: { models, config },
  });

/** The recorded configuration of a CLI run, as `recordedConfig` gives it (run.out as typed). */
const cliConfig = (out: string, seed = "finemem"): JsonValue => ({
  datasets: [{ kind: "synthetic", seed: 5 }],
  run: { out, seed, rollouts: 1, concurrency: { episodes: 2, questions: 8 } },
});

const snapshot = (dir: string): Record<string, string> => {
  const files: Record<string, string> = {};
  const walk = (folder: string, prefix: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(folder, entry.name), `${prefix}${entry.name}/`);
      else files[`${prefix}${entry.name}`] = readFileSync(join(folder, entry.name), "utf8");
    }
  };
  walk(dir, "");
  return files;
};

describe("evaluate resumes a run folder", () => {
  it("resumes the same folder whatever spelling of run.out the configuration records (./out, absolute, sub/out)", async () => {
    const parent = mkdtempSync(join(tmpdir(), "finemem-resume-out-"));
    const runDir = join(parent, "sub", "out", "run-r");
    // A manifest as an earlier version wrote it, recording run.out, keeps opening.
    const first = await runIn(runDir, cliConfig("./out"));
    const manifestBytes = readFileSync(join(runDir, "manifest.json"), "utf8");
    expect(JSON.parse(manifestBytes).config.run.out).toBe("./out");

    for (const out of [resolve(parent, "sub", "out"), "sub/out", "out"]) {
      const again = await runIn(runDir, cliConfig(out));
      expect(again.results).toEqual(first.results);
      expect(again.manifest).toEqual(first.manifest);
    }
    // The manifest the run started with is kept as it was.
    expect(readFileSync(join(runDir, "manifest.json"), "utf8")).toBe(manifestBytes);
  });

  it("resumes when only the concurrency or the report settings change (neither changes results)", async () => {
    const runDir = join(mkdtempSync(join(tmpdir(), "finemem-resume-concurrency-")), "run-r");
    const first = await runIn(runDir, cliConfig("./out"));
    const changed: JsonValue = {
      datasets: [{ kind: "synthetic", seed: 5 }],
      run: { out: "./out", seed: "finemem", rollouts: 1, concurrency: { episodes: 1, questions: 2 } },
      report: { html: false, worstQuestions: 3 },
    };
    const again = await runIn(runDir, changed);
    expect(again.results).toEqual(first.results);
  });

  it("still refuses another configuration when run.out differs too, naming only what changes results", async () => {
    const runDir = join(mkdtempSync(join(tmpdir(), "finemem-resume-out-")), "run-r");
    await runIn(runDir, cliConfig("./out", "a"));
    const refused = await runIn(runDir, cliConfig("/elsewhere/out", "b")).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: "resume_mismatch" });
    const message = (refused as Error).message;
    expect(message).toContain('config.run.seed: recorded "a", now "b"');
    expect(message).not.toContain("run.out");
  });

  it("a resume_mismatch names each differing key with its recorded and new value and advises keeping finished work", async () => {
    const runDir = join(mkdtempSync(join(tmpdir(), "finemem-resume-diff-")), "run-r");
    await runIn(runDir, { run: { seed: "a", rollouts: 1 }, rewards: { beta: 0.5 } }, { manager: "m-1" });
    const before = snapshot(runDir);
    const refused = await runIn(
      runDir,
      { run: { seed: "b", rollouts: 1 }, rewards: { beta: 0.5, chunk: 0.2 } },
      { manager: "m-2" },
    ).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: "resume_mismatch" });
    const message = (refused as Error).message;
    expect(message).toContain('config.run.seed: recorded "a", now "b"');
    expect(message).toContain('models.manager: recorded "m-1", now "m-2"');
    expect(message).toContain("config.rewards.chunk: recorded (absent), now 0.2");
    expect(message).not.toContain("config.run.rollouts");
    expect(message).not.toContain("config.rewards.beta");
    expect(message).toContain("run with the recorded configuration to resume");
    expect(message).toContain("new --out");
    expect(message).not.toMatch(/\b(delete|remove)\b/i);
    // Nothing stored was touched.
    expect(snapshot(runDir)).toEqual(before);
  });

  it("a truncated manifest.json is a RunDirectoryError invalid_json naming the file and what to do, and nothing stored is lost", async () => {
    const runDir = join(mkdtempSync(join(tmpdir(), "finemem-resume-torn-")), "run-r");
    await runIn(runDir, { run: { seed: "a" } });
    const manifestPath = join(runDir, "manifest.json");
    writeFileSync(manifestPath, readFileSync(manifestPath, "utf8").slice(0, 40));
    mkdirSync(join(runDir, "journal"), { recursive: true });
    const before = snapshot(runDir);

    const refused = await runIn(runDir, { run: { seed: "a" } }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RunDirectoryError);
    expect(refused).toMatchObject({ code: "invalid_json", file: manifestPath });
    const message = (refused as Error).message;
    expect(message).toContain(manifestPath);
    expect(message).toContain("not valid JSON");
    expect(message).toContain("new --out");
    expect(snapshot(runDir)).toEqual(before);
  });

  it("a manifest.json of the wrong shape is a RunDirectoryError invalid_content", async () => {
    const runDir = join(mkdtempSync(join(tmpdir(), "finemem-resume-shape-")), "run-r");
    mkdirSync(runDir, { recursive: true });
    writeFileSync(join(runDir, "manifest.json"), '{"runId": 3}\n');
    const refused = await runIn(runDir, { run: { seed: "a" } }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RunDirectoryError);
    expect(refused).toMatchObject({ code: "invalid_content", file: join(runDir, "manifest.json") });
    expect(readFileSync(join(runDir, "manifest.json"), "utf8")).toBe('{"runId": 3}\n');
  });
});
