// The learned policy trained by the local backend on real rollouts (finemem's runRollouts, the
// extractive reader, every per-step reward), on a small configuration: a run checkpointed after two
// updates and resumed in a fresh policy and trainer ends with parameters and optimiser moments
// bit-identical to an uninterrupted run's (issue #13, acceptance 3).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLearnedPolicy, type LearnedPolicyConfig } from "@finemem/learned-policy";
import { type LocalTrainerState, readTrainerCheckpoint, writeTrainerCheckpoint } from "@finemem/trainer";
import { describe, expect, it } from "vitest";
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

const bits = (values: Float32Array) => [...new Uint32Array(values.buffer, values.byteOffset, values.length)];
const fingerprint = (state: LocalTrainerState) => ({
  updateStep: state.updateStep,
  parameters: Object.fromEntries(Object.entries(state.parameters).map(([name, values]) => [name, bits(values)])),
  moments: Object.fromEntries(
    Object.entries(state.optimizer.moments).map(([name, { m, v }]) => [
      name,
      [bits(Float32Array.from(m)), bits(Float32Array.from(v))],
    ]),
  ),
  adamStep: state.optimizer.step,
});

describe("training the learned policy on real rollouts", () => {
  it("resumes from a mid-training checkpoint bit-identically", async () => {
    const straight = await trainLearnedPolicy({ seed: "7", config: SMALL });
    const expected = fingerprint(await straight.trainer.state());
    expect(expected.updateStep).toBe(4);

    const first = await trainLearnedPolicy({ seed: "7", config: SMALL, stopAfter: 2 });
    const folder = mkdtempSync(join(tmpdir(), "learned-policy-resume-"));
    try {
      const path = join(folder, "update-2.safetensors");
      await writeTrainerCheckpoint(path, { state: await first.trainer.state(), policy: { ...first.policy.config } });
      first.trainer.dispose();
      first.policy.dispose();
      // A new process: the policy rebuilt from the checkpoint's configuration and parameters, the
      // trainer from its state.
      const checkpoint = await readTrainerCheckpoint(path);
      const config = checkpoint.policy as unknown as LearnedPolicyConfig;
      const policy = await createLearnedPolicy({ ...config, parameters: checkpoint.state.parameters });
      const resumed = await trainLearnedPolicy({ seed: "7", config: SMALL, policy, resumeFrom: checkpoint.state });
      expect(fingerprint(await resumed.trainer.state())).toEqual(expected);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }

    // The parameters moved: training is not a no-op that would make the comparison trivial.
    const start = await (await createLearnedPolicy({ initSeed: "7" })).parameterValues();
    expect(bits(start.hiddenWeights!)).not.toEqual(expected.parameters.hiddenWeights);
  }, 120_000);
});
