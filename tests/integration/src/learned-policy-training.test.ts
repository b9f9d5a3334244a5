// The learned policy trained by the local backend on real rollouts (finemem's train: the extractive
// reader, every per-step reward), on a small configuration with minibatches and the KL term on: a run
// stopped after its update-2 checkpoint and resumed from its folder ends with a checkpoint (parameters,
// optimiser moments, KL reference) byte-identical to an uninterrupted run's (issue #13, acceptance 3).

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLearnedPolicy } from "@finemem/learned-policy";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_TRAINING, type TrainingConfig, trainLearnedPolicy } from "../bench/learned-policy-training.mjs";

const SMALL: TrainingConfig = {
  ...DEFAULT_TRAINING,
  updates: 4,
  instancesPerUpdate: 1,
  rollouts: 2,
  data: { chunkCount: 3, factsPerChunk: 4, questionsPerChunk: 2 },
  alternateData: { changedShare: 1, distractorShare: 0.5 },
  trainer: { minibatches: 2, klCoefficient: 0.01 },
};

const work = mkdtempSync(join(tmpdir(), "learned-policy-resume-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const finalState = (runDir: string) =>
  readFileSync(join(runDir, "checkpoints", "update-000004", "trainer.safetensors"));

describe("training the learned policy on real rollouts", () => {
  it("resumes from a mid-training checkpoint bit-identically", async () => {
    const straight = await trainLearnedPolicy({ seed: "7", config: SMALL, runDir: join(work, "straight") });

    const runDir = join(work, "resumed");
    const stop = new AbortController();
    await expect(
      trainLearnedPolicy({
        seed: "7",
        config: SMALL,
        runDir,
        checkpointEvery: 2,
        signal: stop.signal,
        onUpdate: (line) => line.update === 3 && stop.abort(),
      }),
    ).rejects.toMatchObject({ code: "aborted" });
    const resumed = await trainLearnedPolicy({ seed: "7", config: SMALL, runDir, checkpointEvery: 2 });
    expect(resumed.run.updates.map((line) => line.update)).toEqual([1, 2, 3, 4]);
    expect(finalState(runDir).equals(finalState(straight.runDir))).toBe(true);

    // The parameters moved: training is not a no-op that would make the comparison trivial.
    const start = await (await createLearnedPolicy({ initSeed: "7" })).parameterValues();
    const trained = await straight.policy.parameterValues();
    expect([...trained.hiddenWeights!]).not.toEqual([...start.hiddenWeights!]);
  }, 120_000);
});
