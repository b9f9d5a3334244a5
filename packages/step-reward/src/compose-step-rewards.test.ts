import { DEFAULT_REWARD_WEIGHTS } from "@finemem/spec";
import { rejection } from "@finemem/testing";
import { describe, expect, it } from "vitest";
import { composeStepRewards, resolveRewardWeights } from "./compose-step-rewards.js";
import { StepRewardError } from "./step-reward-error.js";

describe("the composer", () => {
  it("r(t) = r_EARA(t) + r_format(t) + w_chunk·r_chunk(t) + w_comp·r_comp, every component kept", () => {
    const [first, second] = composeStepRewards(
      [
        { format: 1, chunk: 0.8, evidence: 0.3, eara: 0.25 },
        { format: 0.5, chunk: null, eara: 0.1 },
      ],
      { compression: 0.6 },
    );
    expect(first).toEqual({
      format: 1,
      chunk: 0.8,
      evidence: 0.3,
      eara: 0.25,
      compression: 0.6,
      content: null,
      total: 0.25 + 1 + 0.5 * 0.8 + 0.05 * 0.6,
    });
    // A chunk without questions adds nothing and stays null.
    expect(second).toEqual({
      format: 0.5,
      chunk: null,
      evidence: null,
      eara: 0.1,
      compression: 0.6,
      content: null,
      total: 0.1 + 0.5 + 0.05 * 0.6,
    });
  });

  it("takes any weights, the content-validity term included", () => {
    const [step] = composeStepRewards([{ format: 1, chunk: 1, eara: 0, content: 0.5 }], {
      weights: { chunk: 0, compression: 0, content: 0.1 },
      compression: 0.9,
    });
    expect(step!.total).toBeCloseTo(1.05, 15);
    expect(step!.content).toBe(0.5);
  });

  it("keeps a null format (no call to judge) as null, adding nothing", () => {
    // 0.2 + 0 + 0.5·1 + 0.05·0.4 = 0.72.
    const [step] = composeStepRewards([{ format: null, chunk: 1, eara: 0.2 }], { compression: 0.4 });
    expect(step!.format).toBeNull();
    expect(step!.total).toBeCloseTo(0.72, 15);
  });

  it("defaults to the paper's weights", () => {
    expect(resolveRewardWeights()).toEqual(DEFAULT_REWARD_WEIGHTS);
    expect(resolveRewardWeights({ beta: 0.2 })).toEqual({ ...DEFAULT_REWARD_WEIGHTS, beta: 0.2 });
  });

  it("refuses NaN or negative weights, naming the key", async () => {
    for (const [weights, key] of [
      [{ chunk: Number.NaN }, "chunk"],
      [{ compression: -1 }, "compression"],
      [{ beta: 2 }, "beta"],
      [{ content: Number.POSITIVE_INFINITY }, "content"],
    ] as const) {
      const error = (await rejection(() => composeStepRewards([{ format: 1 }], { weights }))) as StepRewardError;
      expect(error).toBeInstanceOf(StepRewardError);
      expect(error).toMatchObject({ code: "invalid_weights", path: [key] });
      expect(error!.message).toContain(key);
    }
  });

  it("states each weight's range in its message: only β has an upper bound", () => {
    expect(() => resolveRewardWeights({ beta: 2 })).toThrow(
      "reward weight beta: expected a finite number ≥ 0 and ≤ 1, got 2",
    );
    expect(() => resolveRewardWeights({ chunk: -0.5 })).toThrow(
      "reward weight chunk: expected a finite number ≥ 0, got -0.5",
    );
    // A weight above 1 is fine for every term but β.
    expect(resolveRewardWeights({ chunk: 3 }).chunk).toBe(3);
  });

  it("refuses NaN or out-of-range components, naming the step and term", async () => {
    expect(() => composeStepRewards([{ format: 1 }, { format: Number.NaN }])).toThrow(/^step 2: format is NaN: \S/);
    const error = await rejection(() => composeStepRewards([{ format: 1, chunk: 1.5 }]));
    expect(error).toMatchObject({ code: "invalid_component", path: [0, "chunk"] });
    expect(() => composeStepRewards([{ format: 1, eara: Number.NaN }])).toThrow(StepRewardError);
    expect(() => composeStepRewards([{ format: 1 }], { compression: Number.NaN })).toThrow(StepRewardError);
  });
});
