// The export rows: a per-step example worked by hand, and every field of each kind of sample.
import { describe, expect, it } from "vitest";
import { computeStepAdvantages } from "../advantages/step-advantages.js";
import { TrainerError } from "../trainer-error.js";
import { EXPORT_ADVANTAGE_DEFAULTS, EXPORT_SCHEMA_VERSION, toExportedSamples } from "./export-schema.js";
import { fixtureGroup, mixedRequest } from "./test-support/export-fixtures.js";

describe("toExportedSamples", () => {
  it("exports a per-step example worked by hand (2 rollouts × 2 steps)", async () => {
    // Rewards: rollout 0 earns 1 at step 1 and 0 at step 2; rollout 1 earns 0 and 0.5.
    // Per-step groups (verl: mean, unbiased std, (r − mean) / (std + 1e-6)):
    //   step 1: {1, 0}    mean 0.5,  std = √((0.5² + 0.5²) / 1) = √0.5 ≈ 0.70710678
    //           rollout 0: +0.5 / (√0.5 + 1e-6) ≈ +0.70710578, rollout 1: −0.70710578
    //   step 2: {0, 0.5}  mean 0.25, std = √((0.25² + 0.25²) / 1) = √0.125 ≈ 0.35355339
    //           rollout 0: −0.25 / (√0.125 + 1e-6) ≈ −0.70710478, rollout 1: +0.70710478
    const request = {
      grouping: "per-step" as const,
      groups: [
        fixtureGroup("none", "i", [
          [1, 0],
          [0, 0.5],
        ]),
      ],
    };
    const advantages = await computeStepAdvantages(request.groups, {
      grouping: "per-step",
      ...EXPORT_ADVANTAGE_DEFAULTS,
    });
    const rows = toExportedSamples(request, advantages, 3);
    expect(rows.map((row) => [row.rollout, row.step, row.groupId])).toEqual([
      [0, 1, "0:i:step-1"],
      [0, 2, "0:i:step-2"],
      [1, 1, "0:i:step-1"],
      [1, 2, "0:i:step-2"],
    ]);
    const byHand = [0.5 / (Math.SQRT1_2 + 1e-6), -0.25 / (Math.sqrt(0.125) + 1e-6)];
    expect(byHand[0]).toBeCloseTo(0.70710578, 8);
    expect(byHand[1]).toBeCloseTo(-0.70710478, 8);
    rows.forEach((row, index) => {
      const sign = row.rollout === 0 ? 1 : -1;
      expect(row.advantage).toBeCloseTo(sign * byHand[index % 2]!, 12);
      expect(row.updateStep).toBe(3);
    });

    // Pooled: {1, 0, 0, 0.5}: mean 0.375; squared deviations 0.390625 + 0.140625 + 0.140625 + 0.015625
    // = 0.6875, std = √(0.6875 / 3) ≈ 0.47871355; rollout 0 step 1: 0.625 / (std + 1e-6) ≈ 1.30557969.
    const pooledRequest = { ...request, grouping: "pooled" as const };
    const pooled = toExportedSamples(
      pooledRequest,
      await computeStepAdvantages(pooledRequest.groups, { grouping: "pooled" }),
      1,
    );
    const std = Math.sqrt(0.6875 / 3);
    expect(std).toBeCloseTo(0.47871355, 8);
    expect(pooled.map((row) => row.groupId)).toEqual(["0:i", "0:i", "0:i", "0:i"]);
    expect(pooled.map((row) => row.advantage)).toEqual(
      [0.625, -0.375, -0.375, 0.125].map((deviation) => expect.closeTo(deviation / (std + 1e-6), 12)),
    );
    expect(pooled[0]!.advantage).toBeCloseTo(1.30557969, 7);
  });

  it("writes every field of an LLM, a decision and a plain sample", async () => {
    const request = mixedRequest("pooled");
    const settings = { normalizeByStd: false, epsilon: 0.01 };
    const advantages = await computeStepAdvantages(request.groups, { grouping: "pooled", ...settings });
    const rows = toExportedSamples(request, advantages, 12, settings);
    expect(rows).toHaveLength(4 + 3 + 2);
    const llm = request.groups[0]!.rollouts[0]!.samples[1]!;
    expect(rows[1]).toStrictEqual({
      schemaVersion: EXPORT_SCHEMA_VERSION,
      updateStep: 12,
      instanceId: "inst-a",
      rollout: 0,
      step: 2,
      groupId: "0:inst-a",
      grouping: "pooled",
      normalizeByStd: false,
      epsilon: 0.01,
      dataSource: "synthetic",
      kind: "llm",
      reward: 0,
      rewardFormat: 1,
      rewardChunk: 0.5,
      rewardEvidence: null,
      rewardEara: null,
      rewardCompression: 0,
      rewardContent: null,
      // Dr.GRPO: centred only. Mean of {1, 0, 0, 0.5} is 0.375.
      advantage: -0.375,
      actionLogprob: llm.actionLogprob!.value,
      promptTokenIds: [151644, 8948, 198, 102, 200],
      responseTokenIds: [151657, 42, 151645],
      behaviourLogprobs: [-0.5, -0.75, 0],
      finishReason: "length",
      truncated: true,
      decisionLogprobs: null,
      replay: null,
    });
    expect(rows[4]).toMatchObject({
      kind: "decisions",
      groupId: "1:inst-b",
      // Mean of {0.2, 0.8, 0.5} is 0.5.
      advantage: expect.closeTo(-0.3, 15),
      actionLogprob: -1.125,
      promptTokenIds: null,
      responseTokenIds: null,
      behaviourLogprobs: null,
      finishReason: null,
      truncated: null,
      decisionLogprobs: [-0.125, -1],
      replay: { facts: [{ choice: "INSERT", features: [1, 0.5] }], step: 1 },
    });
    expect(rows[7]).toMatchObject({
      kind: "none",
      actionLogprob: null,
      decisionLogprobs: null,
      replay: null,
      promptTokenIds: null,
    });
  });

  it("refuses advantages of another request", async () => {
    const request = mixedRequest("per-step");
    const advantages = await computeStepAdvantages(request.groups, { grouping: "per-step" });
    const error = (() => {
      try {
        toExportedSamples(request, advantages.slice(1), 1);
      } catch (caught) {
        return caught as TrainerError;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(TrainerError);
    expect(error!.code).toBe("invalid_request");
    expect(error!.message).toMatch(/advantage 0 does not belong to sample 0/);
    expect(() => toExportedSamples(request, [...advantages, advantages[0]!], 1)).toThrow(
      /got 10 advantages for 9 samples/,
    );
  });
});
