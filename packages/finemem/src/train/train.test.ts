import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateSyntheticBenchmark } from "@finemem/benchmarks";
import { createExtractiveReader, createHeuristicPolicy } from "@finemem/policy";
import type { BenchmarkInstance, StepRecord } from "@finemem/spec";
import { afterEach, describe, expect, it } from "vitest";
import { countPolicy } from "../episode/test-support/counting-doubles.js";
import { evaluate } from "../run/evaluate.js";
import { RunError } from "../run/run-error.js";
import { createLearnedTrainee } from "./learned-trainee.js";
import { comparableRunFiles } from "./test-support/comparable-run-files.js";
import { type TrainOptions, train } from "./train.js";
import type { EvaluationLine, UpdateLine } from "./train-files.js";
import type { TraineeFactory } from "./trainee.js";

const folders: string[] = [];
afterEach(async () => {
  for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
});
async function folder(): Promise<string> {
  const made = await mkdtemp(join(tmpdir(), "finemem-train-"));
  folders.push(made);
  return made;
}

const SMALL = { chunkCount: 3, factsPerChunk: 3, questionsPerChunk: 2 } as const;
const heldout = generateSyntheticBenchmark({ seed: "train-test-heldout", instanceCount: 2, ...SMALL });
const instancesOf = (update: number): BenchmarkInstance[] =>
  generateSyntheticBenchmark({ seed: `train-test/${update}`, instanceCount: 1, ...SMALL });

function options(overrides: Partial<TrainOptions> = {}): TrainOptions {
  return {
    runId: "t",
    seed: "s",
    updates: 3,
    rollouts: 2,
    instances: instancesOf,
    trainee: createLearnedTrainee({ seed: "s", policy: { initSeed: "s" } }),
    reasoner: createExtractiveReader(),
    rewards: { evidence: "cited", weights: { compression: 0 } },
    heldout: { instances: heldout, every: 2, baselines: [{ name: "heuristic", policy: createHeuristicPolicy() }] },
    checkpointEvery: 2,
    ...overrides,
  };
}

const jsonl = async <T>(path: string): Promise<T[]> =>
  (await readFile(path, "utf8"))
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as T);

describe("train", () => {
  it("writes one update line per update, every step, held-out results at 0, every N and the end, and checkpoints", async () => {
    const runDir = join(await folder(), "run");
    const run = await train({ ...options(), runDir });

    const updates = await jsonl<UpdateLine>(join(runDir, "updates.jsonl"));
    expect(updates.map((line) => line.update)).toEqual([1, 2, 3]);
    const steps = await jsonl<StepRecord & { update: number }>(join(runDir, "steps.jsonl"));
    // 3 updates × 1 instance × G = 2 rollouts × 3 chunks.
    expect(steps).toHaveLength(18);
    for (const line of updates) {
      const own = steps.filter((step) => step.update === line.update);
      expect(own).toHaveLength(6);
      expect(line.samples).toBe(6);
      expect(line.rollouts).toBe(2);
      // Each reward mean is the plain mean of the update's steps (computed here from steps.jsonl).
      const mean = own.reduce((sum, step) => sum + step.rewards.total, 0) / own.length;
      expect(line.rewards.total).toBeCloseTo(mean, 12);
      expect(line.meanReward).toBeCloseTo(mean, 12);
      expect(typeof line.loss).toBe("number");
      expect(Object.keys(line.metrics).length).toBeGreaterThan(3);
    }
    const evaluations = await jsonl<EvaluationLine>(join(runDir, "evaluations.jsonl"));
    expect(evaluations.map((line) => line.update)).toEqual([0, 2, 3]);
    for (const line of evaluations) {
      // 2 held-out instances × 2 chunks' worth of global questions each; scores are means of 0/1 matches.
      expect(line.episodes).toBe(2);
      expect(line.score).toBeGreaterThanOrEqual(0);
      expect(line.score).toBeLessThanOrEqual(1);
    }
    expect(run.evaluations).toEqual(evaluations);
    const baselines = await jsonl<{ name: string; score: number }>(join(runDir, "baselines.jsonl"));
    expect(baselines.map((line) => line.name)).toEqual(["heuristic"]);
    expect((await readdir(join(runDir, "checkpoints"))).sort()).toEqual([
      "update-000000",
      "update-000002",
      "update-000003",
    ]);
    const last = JSON.parse(await readFile(join(runDir, "checkpoints", "update-000003", "checkpoint.json"), "utf8"));
    expect(last).toMatchObject({ runId: "t", update: 3, heldoutScore: evaluations[2]!.score, hasTrainerState: true });
    // Every rollout is in a checkpoint: no journal is kept.
    expect(await readdir(join(runDir, "journal"))).toEqual([]);
    expect(run.checkpoint).toBe(join(runDir, "checkpoints", "update-000003"));
  });

  it("killed between checkpoints, replays the journaled rollouts without a policy call and ends as an uninterrupted run", async () => {
    const base = await folder();
    const straight = join(base, "straight");
    await train({ ...options({ checkpointEvery: 3 }), runDir: straight });

    const resumed = join(base, "resumed");
    const stop = new AbortController();
    await expect(
      train({
        ...options({ checkpointEvery: 3 }),
        runDir: resumed,
        signal: stop.signal,
        progress: { onUpdate: (line) => line.update === 2 && stop.abort() },
      }),
    ).rejects.toMatchObject({ code: "aborted" });
    // Only the start is checkpointed; updates 1 and 2 are in the journal.
    expect((await readdir(join(resumed, "checkpoints"))).sort()).toEqual(["update-000000"]);

    const calls = new Map<number, number>();
    const counting: TraineeFactory = async (start) => {
      const trainee = await createLearnedTrainee({ seed: "s", policy: { initSeed: "s" } })(start);
      return {
        ...trainee,
        sample: (seed) => {
          const update = Number(/update-(\d+)/.exec(seed)![1]);
          const counted = countPolicy(trainee.sample(seed));
          return {
            ...counted.value,
            decide: (input, callOptions) => {
              calls.set(update, (calls.get(update) ?? 0) + 1);
              return counted.value.decide(input, callOptions);
            },
          };
        },
      };
    };
    await train({ ...options({ checkpointEvery: 3, trainee: counting }), runDir: resumed });
    expect(calls.get(1)).toBeUndefined();
    expect(calls.get(2)).toBeUndefined();
    // Update 3 ran: G = 2 rollouts × 3 chunks.
    expect(calls.get(3)).toBe(6);
    expect(await comparableRunFiles(resumed)).toEqual(await comparableRunFiles(straight));
  });

  it("refuses fewer than 2 rollouts, an empty held-out set, and a corrupt log line (leaving it as it was)", async () => {
    await expect(train(options({ rollouts: 1 }))).rejects.toMatchObject({ code: "invalid_option" });
    await expect(train(options({ heldout: { instances: [], every: 1 } }))).rejects.toMatchObject({
      code: "no_instances",
    });
    const runDir = join(await folder(), "run");
    await train({ ...options({ updates: 1 }), runDir });
    const broken = `${await readFile(join(runDir, "updates.jsonl"), "utf8")}{not json\n{"update":2}\n`;
    await writeFile(join(runDir, "updates.jsonl"), broken);
    const error = await train({ ...options({ updates: 2 }), runDir }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RunError);
    expect(error).toMatchObject({ code: "corrupt_journal" });
    expect((error as Error).message).toContain("updates.jsonl line 2");
    expect(await readFile(join(runDir, "updates.jsonl"), "utf8")).toBe(broken);
  });

  it("reports each named held-out set: a set's score is that set's own evaluation, one set of everything the whole", async () => {
    // Two instances the heuristic scores differently (0.6 and 1 on this seed's generation).
    const pair = generateSyntheticBenchmark({ seed: "a", instanceCount: 2, ...SMALL });
    const baselines = [{ name: "heuristic", policy: createHeuristicPolicy() }];
    const split = await train(
      options({
        updates: 1,
        heldout: {
          instances: pair,
          every: 1,
          baselines,
          setOf: (instance) => (instance === pair[0] ? "first" : "second"),
        },
      }),
    );
    const whole = await train(
      options({ updates: 1, heldout: { instances: pair, every: 1, baselines, setOf: () => "all" } }),
    );
    // Each set against an evaluation of its instance alone (the summary's average, another code path).
    const alone = async (instance: BenchmarkInstance) =>
      (
        await evaluate({
          runId: "alone",
          instances: [instance],
          policy: createHeuristicPolicy(),
          reasoner: createExtractiveReader(),
          seed: "s",
        })
      ).summary.table.average.mean;
    const [first, second] = [await alone(pair[0]!), await alone(pair[1]!)];
    expect(first).not.toBe(second);
    const heuristic = split.baselines[0]!;
    expect(Object.keys(heuristic.sets!)).toEqual(["first", "second"]);
    expect(heuristic.sets!.first).toMatchObject({ score: expect.closeTo(first!, 12), episodes: 1 });
    expect(heuristic.sets!.second).toMatchObject({ score: expect.closeTo(second!, 12), episodes: 1 });
    const all = whole.baselines[0]!;
    expect(all.sets!.all!.episodes).toBe(2);
    expect(all.sets!.all!.score).toBeCloseTo(all.score!, 12);
    expect(all.sets!.all!.score).toBeCloseTo((first! + second!) / 2, 12);
    expect(all.sets!.all!.memoryTokens).toBeCloseTo(all.memoryTokens, 12);
    for (const line of split.evaluations) expect(Object.keys(line.sets!)).toEqual(["first", "second"]);
    // Without setOf, no sets.
    const plain = await train(options({ updates: 1 }));
    expect(plain.evaluations[0]!.sets).toBeUndefined();
  });
});
