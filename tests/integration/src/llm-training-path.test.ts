// The LLM path of training end to end: a tiny random GGUF through node-llama-cpp is the memory manager
// (sampling at temperature 1 with a seed per rollout, recording token ids and log-probabilities), the
// extractive reader answers, finemem's `train` runs one update of one rollout group (G = 2) with every
// per-step reward, and the external trainee exports those samples for verl. The expectations come from
// the export schema's description (one row per step, LLM fields, verl's GRPO advantage), not from the
// code that writes them; python/check_export.py re-checks the file when Python is there.

import { spawnSync } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateSyntheticBenchmark } from "@finemem/benchmarks";
import { createExtractiveReader, createLlmMemoryPolicy } from "@finemem/policy";
import { createLlamaCppModel, type LlamaCppModel } from "@finemem/policy/llama-cpp";
import type { StepRewardComponents } from "@finemem/spec";
import { checkService, probePython, pythonPath, writeTinyGguf } from "@finemem/testing";
import type { ExportedTrainingSample } from "@finemem/trainer";
import { createExternalTrainee, type TrainStepLine, train, type UpdateLine } from "finemem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const CHECK_EXPORT = join(import.meta.dirname, "..", "..", "..", "packages", "trainer", "python", "check_export.py");
const python = await checkService("python", () => probePython([]));

const SEED = "llm-path";
const REWARD_COLUMNS: readonly (readonly [keyof ExportedTrainingSample, keyof StepRewardComponents])[] = [
  ["rewardFormat", "format"],
  ["rewardChunk", "chunk"],
  ["rewardEvidence", "evidence"],
  ["rewardEara", "eara"],
  ["rewardCompression", "compression"],
  ["rewardContent", "content"],
];

/** FNV-1a over the seed string: the unsigned 32-bit sampling seed of one rollout. */
function samplingSeed(seed: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < seed.length; index++) {
    hash ^= seed.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

const readJsonl = async <Line>(path: string): Promise<Line[]> =>
  (await readFile(path, "utf8"))
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Line);

let dir: string;
let modelPath: string;
let model: LlamaCppModel | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "finemem-llm-training-path-"));
  // The flat prompt with tools is a few thousand tokens in the tiny vocabulary.
  modelPath = (await writeTinyGguf(join(dir, "tiny-llama.gguf"), { contextLength: 4096 })).path;
});

afterAll(async () => {
  await model?.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe("training an LLM memory manager through the external backend", () => {
  it("a tiny GGUF's rollout group, its rewards and advantages land in samples-000001 with tokens and log-probs", async () => {
    model = createLlamaCppModel({
      modelPath,
      contextSize: 4096,
      // The grammar makes the random model's replies parse as operations; small caps keep replies short.
      operationGrammar: { toolSet: "flat", maxOperations: 3, maxContentChars: 32, maxIdChars: 8 },
    });
    const llm = model;
    const [instance] = generateSyntheticBenchmark({
      seed: SEED,
      instanceCount: 1,
      chunkCount: 2,
      factsPerChunk: 2,
      questionsPerChunk: 1,
    });
    if (instance === undefined) throw new Error("the generator gave no instance");
    expect(instance.chunks).toHaveLength(2);

    const exportDir = join(dir, "export");
    const runDir = join(dir, "run");
    const sampled: string[] = [];
    const run = await train({
      runId: "llm-path",
      runDir,
      seed: SEED,
      updates: 1,
      rollouts: 2,
      instances: () => [instance],
      trainee: createExternalTrainee({
        directory: exportDir,
        grouping: "pooled",
        sample: (seed) => {
          sampled.push(seed);
          return createLlmMemoryPolicy({
            model: llm,
            prompt: "flat",
            callStyle: "tools",
            sampling: { temperature: 1, seed: samplingSeed(seed) },
            returnTokenIds: true,
          });
        },
      }),
      reasoner: createExtractiveReader(),
    });

    // Each rollout sampled with its own seed, named as TrainOptions.seed documents.
    expect(new Set(sampled)).toEqual(
      new Set([0, 1].map((rollout) => `${SEED}/update-1/${instance.instanceId}/rollout-${rollout}`)),
    );

    // One update: its JSONL and parquet files, nothing else.
    expect((await readdir(exportDir)).sort()).toEqual(["samples-000001.jsonl", "samples-000001.parquet"]);
    const parquet = await readFile(join(exportDir, "samples-000001.parquet"));
    expect(parquet.subarray(0, 4).toString("latin1")).toBe("PAR1");
    expect(parquet.subarray(-4).toString("latin1")).toBe("PAR1");

    const rows = await readJsonl<ExportedTrainingSample>(join(exportDir, "samples-000001.jsonl"));
    const steps = await readJsonl<TrainStepLine>(join(runDir, "steps.jsonl"));
    const stepCount = 2 * instance.chunks.length;
    expect(rows).toHaveLength(stepCount);
    expect(steps).toHaveLength(stepCount);
    // Every (rollout, step) once, in both files.
    const keys = (lines: readonly { rollout: number; step: number }[]) =>
      lines.map((line) => `${line.rollout}:${line.step}`).sort();
    const expectedKeys = [0, 1]
      .flatMap((rollout) => instance.chunks.map((_, index) => `${rollout}:${index + 1}`))
      .sort();
    expect(keys(rows)).toEqual(expectedKeys);
    expect(keys(steps)).toEqual(expectedKeys);

    for (const row of rows) {
      const step = steps.find((line) => line.rollout === row.rollout && line.step === row.step)!;
      expect(step.update).toBe(1);
      expect(row).toMatchObject({
        schemaVersion: 1,
        updateStep: 1,
        instanceId: instance.instanceId,
        dataSource: instance.dataSource,
        grouping: "pooled",
        kind: "llm",
        decisionLogprobs: null,
        replay: null,
      });
      // The LLM's tokens: the prompt as the engine tokenised it, every generated token.
      const prompt = row.promptTokenIds ?? [];
      const response = row.responseTokenIds ?? [];
      expect(prompt.length).toBeGreaterThan(0);
      expect(response.length).toBeGreaterThan(0);
      for (const id of [...prompt, ...response]) {
        expect(Number.isInteger(id)).toBe(true);
        expect(id).toBeGreaterThanOrEqual(0);
      }
      // One behaviour log-probability per response token, each a log of a probability.
      expect(row.behaviourLogprobs).not.toBeNull();
      const logprobs = row.behaviourLogprobs ?? [];
      expect(logprobs).toHaveLength(response.length);
      for (const value of logprobs) {
        expect(Number.isFinite(value)).toBe(true);
        expect(value).toBeLessThanOrEqual(0);
      }
      // The action's log-probability is their sum (the run log records the same).
      const sum = logprobs.reduce((total, value) => total + value, 0);
      expect(row.actionLogprob).toBeCloseTo(Math.min(0, sum), 6);
      expect(step.actionLogprob).toMatchObject({ source: "tokens", count: response.length });
      expect(step.actionLogprob?.value).toBeCloseTo(row.actionLogprob!, 9);
      expect(["stop", "length", "tool_calls", "content_filter", "error", "other"]).toContain(row.finishReason);
      expect(row.truncated).toBe(row.finishReason === "length");
      // The reward is the run log's total; every component travels with it.
      expect(Number.isFinite(row.reward)).toBe(true);
      expect(row.reward).toBe(step.rewards.total);
      for (const [column, component] of REWARD_COLUMNS) {
        expect(row).toHaveProperty(column);
        expect(step.rewards).toHaveProperty(component);
        expect(row[column]).toEqual(step.rewards[component]);
        expect(row[column] === null || Number.isFinite(row[column])).toBe(true);
      }
      // Every step has a parsed reply and a question about its chunk.
      expect(row.rewardFormat).not.toBeNull();
      expect(row.rewardChunk).not.toBeNull();
    }

    // Pooled grouping: the two rollouts' steps form one GRPO group; verl's advantage, worked here.
    expect(new Set(rows.map((row) => row.groupId)).size).toBe(1);
    const rewards = rows.map((row) => row.reward);
    const advantages = rows.map((row) => row.advantage);
    const mean = rewards.reduce((total, value) => total + value, 0) / rewards.length;
    const std = Math.sqrt(rewards.reduce((total, value) => total + (value - mean) ** 2, 0) / (rewards.length - 1));
    if (rewards.every((value) => value === rewards[0])) {
      for (const advantage of advantages) expect(advantage).toBe(0);
    } else {
      const advantageMean = advantages.reduce((total, value) => total + value, 0) / advantages.length;
      expect(Math.abs(advantageMean)).toBeLessThan(1e-6);
    }
    rows.forEach((row, index) => {
      expect(row.normalizeByStd).toBe(true);
      expect(row.epsilon).toBe(1e-6);
      expect(advantages[index]).toBeCloseTo((rewards[index]! - mean) / (std + 1e-6), 9);
    });

    // The run's update line counts the exported samples.
    const updates = await readJsonl<UpdateLine>(join(runDir, "updates.jsonl"));
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({
      update: 1,
      instances: [instance.instanceId],
      rollouts: 2,
      samples: rows.length,
    });
    expect(updates[0]!.meanReward).toBeCloseTo(mean, 9);
    expect(run.updates).toHaveLength(1);
    expect(run.updates[0]!.samples).toBe(rows.length);

    // The independent checker, when Python is there.
    if (python.available) {
      const checked = spawnSync(pythonPath(), [CHECK_EXPORT, join(exportDir, "samples-000001.jsonl")], {
        encoding: "utf8",
      });
      expect(checked.stderr).toBe("");
      expect(checked.stdout).toMatch(/^check_export\.py: ok: /);
      expect(checked.status).toBe(0);
    }
  }, 120_000);
});
