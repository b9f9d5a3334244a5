import { ValidationError } from "@finemem/spec";
import { describe, expect, it } from "vitest";
import { banditGroup, createBanditPolicy } from "../test-support/bandit-policy.js";
import { TrainerError } from "../trainer-error.js";
import { createLocalTrainer, type LocalTrainerState } from "./local-trainer.js";
import { LOCAL_TRAINER_DEFAULTS, resolveLocalTrainerConfig, VERL_GRPO_RECIPE } from "./local-trainer-config.js";

const bits = (values: Float32Array) => [...new Uint32Array(values.buffer.slice(0))];

describe("the local backend", () => {
  it("moves probability to the rewarded arm (a property of policy gradient, not a recomputed figure)", async () => {
    const policy = createBanditPolicy();
    const trainer = await createLocalTrainer({ policy, seed: 1, config: { learningRate: 0.1 } });
    for (let update = 0; update < 15; update++) {
      const group = await banditGroup(policy, { seed: `u${update}` });
      await trainer.update({ groups: [group], grouping: "per-step" });
    }
    const [a, b, c] = await policy.probabilities();
    expect(c!).toBeGreaterThan(0.8);
    expect(a! + b!).toBeLessThan(0.2);
    expect(trainer.updateStep).toBe(15);
  });

  it("reports every metric of an update", async () => {
    const policy = createBanditPolicy();
    const trainer = await createLocalTrainer({ policy, config: { klCoefficient: 0.1 } });
    const group = await banditGroup(policy, { seed: "m" });
    const metrics = await trainer.update({ groups: [group], grouping: "per-step" });
    expect(metrics.updateStep).toBe(1);
    expect(metrics.samples).toBe(8);
    // Rewards are the share of picks of arm 2, so their mean is the share over all 16 picks.
    const picks = group.rollouts.flatMap((rollout) =>
      rollout.samples.flatMap((s) => (s.decisions!.replay as { arms: number[] }).arms),
    );
    expect(metrics.meanReward).toBeCloseTo(picks.filter((arm) => arm === 2).length / 16, 12);
    expect(metrics.loss).toEqual(expect.any(Number));
    // The first minibatch starts at the reference, so its KL is 0; the second (epoch 2) has moved.
    expect(metrics.klDivergence).toBeGreaterThanOrEqual(0);
    for (const name of [
      "pgLoss",
      "pgClipFraction",
      "pgClipFractionLower",
      "ppoKl",
      "entropy",
      "gradNorm",
      "advantageMean",
      "advantageStd",
      "reward/chunk",
      "reward/total",
    ])
      expect(metrics.extra[name], name).toEqual(expect.any(Number));
    // Uniform over three arms at the start: entropy ln 3 in the first minibatch, a little less after.
    expect(metrics.extra.entropy).toBeLessThanOrEqual(Math.log(3) + 1e-6);
    expect(metrics.extra.entropy).toBeGreaterThan(1);
    expect(metrics.extra["reward/format"]).toBeUndefined();
  });

  it("is deterministic, and a resumed run is bit-identical to an uninterrupted one", async () => {
    const run = async (resumeAfter: number | undefined) => {
      let policy = createBanditPolicy();
      let trainer = await createLocalTrainer({ policy, seed: "r", config: { minibatches: 2, klCoefficient: 0.05 } });
      for (let update = 0; update < 4; update++) {
        if (update === resumeAfter) {
          const state: LocalTrainerState = JSON.parse(
            JSON.stringify(await trainer.state(), (_, v) => (v instanceof Float32Array ? { f32: [...v] } : v)),
            (_, v) => (v !== null && typeof v === "object" && "f32" in v ? Float32Array.from(v.f32) : v),
          );
          trainer.dispose();
          // A new process: a new policy from the checkpoint's parameters, a new trainer from its state.
          policy = createBanditPolicy([...state.parameters.logits!]);
          trainer = await createLocalTrainer({ policy, resumeFrom: state });
        }
        await trainer.update({ groups: [await banditGroup(policy, { seed: `u${update}` })], grouping: "per-step" });
      }
      return { logits: bits((await trainer.state()).parameters.logits!), step: trainer.updateStep };
    };
    const straight = await run(undefined);
    expect(await run(undefined)).toEqual(straight);
    expect(await run(2)).toEqual(straight);
    expect(straight.step).toBe(4);
  });

  it("refuses a resume whose parameters are not the policy's", async () => {
    const policy = createBanditPolicy();
    const trainer = await createLocalTrainer({ policy });
    await trainer.update({ groups: [await banditGroup(policy, { seed: "a" })], grouping: "per-step" });
    const state = await trainer.state();
    await expect(createLocalTrainer({ policy: createBanditPolicy(), resumeFrom: state })).rejects.toMatchObject({
      code: "invalid_option",
      message: expect.stringContaining("create the policy from the checkpoint's parameters"),
    });
    await expect(
      createLocalTrainer({
        policy: createBanditPolicy(),
        resumeFrom: { ...state, parameters: { logits: new Float32Array(2) } },
      }),
    ).rejects.toMatchObject({ code: "shape_mismatch" });
  });
});

describe("bad requests", () => {
  it("names a sample without a decisions record (an LLM sample)", async () => {
    const policy = createBanditPolicy();
    const trainer = await createLocalTrainer({ policy });
    const group = await banditGroup(policy, { seed: "x" });
    const [first, ...rest] = group.rollouts;
    const { decisions: _, ...bare } = first!.samples[0]!;
    const broken = {
      ...group,
      rollouts: [{ ...first!, samples: [{ ...bare, actionLogprob: null }, ...first!.samples.slice(1)] }, ...rest],
    };
    await expect(trainer.update({ groups: [broken], grouping: "per-step" })).rejects.toMatchObject({
      code: "invalid_request",
      message: expect.stringContaining("LLM samples go to the external backend"),
    });
  });

  it("turns a spec validation failure into invalid_request with its path", async () => {
    const trainer = await createLocalTrainer({ policy: createBanditPolicy() });
    const error = await trainer.update({ groups: [], grouping: "per-step" }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TrainerError);
    expect(error).toMatchObject({ code: "invalid_request", path: ["groups"] });
    expect((error as TrainerError).cause).toBeInstanceOf(ValidationError);
  });

  it("refuses a request grouped otherwise than configured", async () => {
    const policy = createBanditPolicy();
    const trainer = await createLocalTrainer({ policy, config: { grouping: "pooled" } });
    await expect(
      trainer.update({ groups: [await banditGroup(policy, { seed: "g" })], grouping: "per-step" }),
    ).rejects.toMatchObject({ code: "invalid_request", path: ["grouping"] });
  });

  it("checks the replay with the policy's validator", async () => {
    const policy = createBanditPolicy();
    const trainer = await createLocalTrainer({
      policy: {
        ...policy,
        replayValidator: {
          name: "Arms",
          validate: () => ({
            ok: false,
            error: new ValidationError("Arms", [{ code: "invalid_value", path: ["arms"], message: "no arms" }]),
          }),
          parse: () => {
            throw new Error("unused");
          },
        },
      },
    });
    await expect(
      trainer.update({ groups: [await banditGroup(policy, { seed: "v" })], grouping: "per-step" }),
    ).rejects.toMatchObject({
      code: "invalid_replay",
      path: ["samples", 0, "decisions", "replay", "arms"],
    });
  });
});

describe("the configuration", () => {
  it("has the learned policy's defaults apart from the LLM recipe", () => {
    expect(LOCAL_TRAINER_DEFAULTS.klCoefficient).toBe(0);
    expect(VERL_GRPO_RECIPE).toMatchObject({
      learningRate: 1e-6,
      klCoefficient: 0.001,
      klEstimator: "low_var_kl",
      clipRatioLow: 0.2,
      clipRatioHigh: 0.2,
    });
  });

  it.each([
    [{ learningRate: -1 }, "learningRate"],
    [{ epochs: 0 }, "epochs"],
    [{ minibatches: 1.5 }, "minibatches"],
    [{ clipRatioC: 1 }, "clipRatioC"],
    [{ beta2: 1 }, "beta2"],
    [{ klEstimator: "k9" }, "klEstimator"],
    [{ aggregation: "mean" }, "aggregation"],
    [{ grouping: "rollout" }, "grouping"],
    [{ learningrate: 0.1 }, "learningrate"],
  ])("refuses %j, naming %s", (input, key) => {
    expect(() => resolveLocalTrainerConfig(input as never)).toThrow(
      expect.objectContaining({ code: "invalid_option", path: [key] }),
    );
  });
});
