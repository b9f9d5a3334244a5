import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { aggregateScores, generateSyntheticBenchmark } from "@finemem/benchmarks";
import { createExtractiveReader, createHeuristicPolicy } from "@finemem/policy";
import { runManifestValidator, stepRecordValidator } from "@finemem/spec";
import { decodeJsonl } from "@finemem/utils";
import { describe, expect, it } from "vitest";
import { countPolicy, countReasoner } from "../episode/test-support/counting-doubles.js";
import { evaluate } from "./evaluate.js";
import { scoreRowsOf } from "./run-aggregates.js";
import type { EpisodeLine, QuestionResultLine } from "./run-files.js";

const instances = generateSyntheticBenchmark({
  seed: 5,
  instanceCount: 2,
  chunkCount: 3,
  factsPerChunk: 4,
  questionsPerChunk: 2,
});
const read = (dir: string, file: string) => readFileSync(join(dir, file), "utf8");

describe("evaluate", () => {
  it("writes the manifest, step log, results, episodes and summary; a rerun replays every journal and writes the same bytes", async () => {
    const runDir = join(mkdtempSync(join(tmpdir(), "finemem-eval-")), "run-1");
    const options = {
      runId: "run-1",
      runDir,
      instances,
      policy: createHeuristicPolicy(),
      reasoner: createExtractiveReader(),
      rollouts: 2,
      manifest: { models: { manager: "heuristic" }, config: { a: 1 } },
    };
    const first = await evaluate(options);
    const manifest = runManifestValidator.parse(JSON.parse(read(runDir, "manifest.json")));
    expect(manifest).toMatchObject({
      runId: "run-1",
      seed: "run-1",
      models: { manager: "heuristic" },
      config: { a: 1 },
    });
    expect(manifest.datasets).toEqual([
      { repo: "synthetic", revision: instances[0]!.source.revision, file: instances[0]!.source.file, sha256: null },
    ]);
    const steps = decodeJsonl(read(runDir, "steps.jsonl")).map((line) => stepRecordValidator.parse(line));
    expect(steps).toHaveLength(2 * 2 * 3);
    const results = decodeJsonl(read(runDir, "results.jsonl")) as QuestionResultLine[];
    expect(results).toHaveLength(2 * instances.reduce((sum, instance) => sum + instance.questions.length, 0));
    expect(results[0]).toMatchObject({
      instanceId: instances[0]!.instanceId,
      rollout: 0,
      dataSource: "synthetic",
      metric: "substring_exact_match",
    });
    expect(results[0]!.evidence[0]).toMatchObject({ rank: 1, steps: expect.any(Object) });
    const episodes = decodeJsonl(read(runDir, "episodes.jsonl")) as EpisodeLine[];
    expect(episodes.map((episode) => `${episode.instanceId}.${episode.rollout}`)).toEqual(
      instances.flatMap((instance) => [`${instance.instanceId}.0`, `${instance.instanceId}.1`]),
    );
    const summary = JSON.parse(read(runDir, "summary.json"));
    expect(summary.table).toEqual(aggregateScores(scoreRowsOf(results)));
    expect(summary).toEqual(JSON.parse(JSON.stringify(first.summary)));

    const policy = countPolicy(createHeuristicPolicy());
    const reasoner = countReasoner(createExtractiveReader());
    const bytes = ["steps.jsonl", "results.jsonl", "episodes.jsonl", "summary.json", "manifest.json"].map((file) =>
      read(runDir, file),
    );
    await evaluate({ ...options, policy: policy.value, reasoner: reasoner.value });
    expect(policy.calls() + reasoner.calls()).toBe(0);
    expect(
      ["steps.jsonl", "results.jsonl", "episodes.jsonl", "summary.json", "manifest.json"].map((file) =>
        read(runDir, file),
      ),
    ).toEqual(bytes);
  });

  it("refuses to resume a run directory of another configuration", async () => {
    const runDir = join(mkdtempSync(join(tmpdir(), "finemem-eval-")), "run-2");
    await evaluate({
      runId: "run-2",
      runDir,
      instances: instances.slice(0, 1),
      policy: createHeuristicPolicy(),
      reasoner: createExtractiveReader(),
      manifest: { config: { seed: 1 } },
    });
    await expect(
      evaluate({
        runId: "run-2",
        runDir,
        instances: instances.slice(0, 1),
        policy: createHeuristicPolicy(),
        reasoner: createExtractiveReader(),
        manifest: { config: { seed: 2 } },
      }),
    ).rejects.toMatchObject({ code: "resume_mismatch" });
  });

  it("refuses no instances, duplicate instance ids and bad counts", async () => {
    const base = { runId: "r", policy: createHeuristicPolicy(), reasoner: createExtractiveReader() };
    await expect(evaluate({ ...base, instances: [] })).rejects.toMatchObject({ code: "no_instances" });
    await expect(evaluate({ ...base, instances: [instances[0]!, instances[0]!] })).rejects.toMatchObject({
      code: "invalid_option",
      message: expect.stringContaining("appears twice"),
    });
    await expect(evaluate({ ...base, instances, rollouts: 0 })).rejects.toMatchObject({
      code: "invalid_option",
      path: ["rollouts"],
    });
    await expect(evaluate({ ...base, instances, concurrency: { episodes: -1 } })).rejects.toMatchObject({
      path: ["concurrency.episodes"],
    });
  });

  it("a corrupt manifest is an error, not a silent restart", async () => {
    const runDir = mkdtempSync(join(tmpdir(), "finemem-eval-"));
    writeFileSync(join(runDir, "manifest.json"), "{");
    await expect(
      evaluate({ runId: "r", runDir, instances, policy: createHeuristicPolicy(), reasoner: createExtractiveReader() }),
    ).rejects.toThrow();
    expect(read(runDir, "manifest.json")).toBe("{");
  });
});
