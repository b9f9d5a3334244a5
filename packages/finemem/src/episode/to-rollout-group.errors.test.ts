// toRolloutGroup on episodes it must refuse, and on decisions that carry only part of what a trainer
// needs: which record a decision is taken for (LLM or decision policy) is decided by any one of its
// fields, and the error names the first missing one. The episodes are real (the two-chunk instance of
// test-support/two-chunk-episode.ts); the decisions are swapped in afterwards, as a journal could hold them.
import { type PolicyDecision, ValidationError } from "@finemem/spec";
import { createWhitespaceTokenCounter } from "@finemem/spec/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { RunError } from "../run/run-error.js";
import { type EpisodeResult, runEpisode } from "./run-episode.js";
import { coinFlipReplayValidator } from "./test-support/coin-flip-policy.js";
import { createKeywordReasoner } from "./test-support/keyword-reasoner.js";
import { TWO_CHUNK_INSTANCE, TWO_CHUNK_KEYWORDS, twoChunkPolicy } from "./test-support/two-chunk-episode.js";
import { toRolloutGroup } from "./to-rollout-group.js";

const episodeOf = (instance = TWO_CHUNK_INSTANCE, rollout = 0) =>
  runEpisode({
    instance,
    policy: twoChunkPolicy(),
    reasoner: createKeywordReasoner(TWO_CHUNK_KEYWORDS).reasoner,
    tokenCounter: createWhitespaceTokenCounter(),
    runId: "run-x",
    rollout,
  });

/** `episode` with every step's decision replaced by a bare one (no log-probability) plus `extra` on step `position`. */
function withDecision(episode: EpisodeResult, extra: Partial<PolicyDecision>, position = 0): EpisodeResult {
  const bare = (decision: PolicyDecision): PolicyDecision => ({
    operations: decision.operations,
    parseOutcomes: decision.parseOutcomes,
    rawOutput: decision.rawOutput,
    actionLogprob: null,
  });
  return {
    ...episode,
    steps: episode.steps.map((step, index) => ({
      ...step,
      decision: { ...bare(step.decision), ...(index === position ? extra : {}) },
    })),
  };
}

/** Every field an LLM policy's training step carries; token log-probabilities −1/2 and −1/4 sum to −3/4. */
const LLM_DECISION: Partial<PolicyDecision> = {
  actionLogprob: { value: -0.75, source: "tokens", count: 2 },
  promptMessages: [{ role: "user", content: "Ada lives in Paris." }],
  responseText: "ok",
  responseToolCalls: [],
  promptTokenIds: [1, 2, 3],
  responseTokenIds: [4, 5],
  responseLogprobs: [-0.5, -0.25],
  finishReason: "stop",
  sampling: { temperature: 1 },
};

let plain: EpisodeResult;
beforeAll(async () => {
  plain = withDecision(await episodeOf(), {});
});

const HINT =
  "run the episodes with training: true (runEpisode or runRollouts) so the policy records what a trainer needs";

describe("toRolloutGroup: the episodes", () => {
  it("none: invalid_option at [episodes]", () => {
    expect(() => toRolloutGroup([])).toThrow(
      expect.objectContaining({
        code: "invalid_option",
        path: ["episodes"],
        message: "expected the G episodes of one instance, got none",
      }),
    );
  });

  it("two instances: mixed_instances naming both", async () => {
    const other = await episodeOf({ ...TWO_CHUNK_INSTANCE, instanceId: "other-0" }, 1);
    expect(() => toRolloutGroup([plain, other])).toThrow(
      expect.objectContaining({
        code: "mixed_instances",
        path: ["episodes", 1, "instance", "instanceId"],
        message:
          "a rollout group holds one instance: episodes[0] is of tiny-0, episodes[1] of other-0; group the episodes by instance first",
      }),
    );
  });

  it("a step record without its step: invalid_option at [episodes, i, steps, position]", () => {
    const truncated: EpisodeResult = { ...plain, steps: plain.steps.slice(0, 1) };
    expect(() => toRolloutGroup([truncated])).toThrow(RunError);
    expect(() => toRolloutGroup([truncated])).toThrow(
      expect.objectContaining({
        code: "invalid_option",
        path: ["episodes", 0, "steps", 1],
        message: "episodes[0] has a step record for step 2 but no step",
      }),
    );
  });

  it("an episode without any step is refused by the group's validator, not by a TypeError", () => {
    const empty: EpisodeResult = { ...plain, steps: [], stepRecords: [] };
    expect(() => toRolloutGroup([empty])).toThrow(ValidationError);
  });

  it("seeds: `<seed>/<instanceId>/<rollout>`, the seed defaulting to the episodes' run id", () => {
    expect(toRolloutGroup([plain]).rollouts[0]!.seed).toBe("run-x/tiny-0/0");
    expect(toRolloutGroup([plain], { seed: "iteration-3" }).rollouts[0]!.seed).toBe("iteration-3/tiny-0/0");
  });
});

describe("toRolloutGroup: a language model's decision", () => {
  const missingPrompt = {
    code: "not_recorded_for_training",
    path: ["episodes", 0, "steps", 0, "decision", "promptTokenIds"],
  };

  it.each<[string, Partial<PolicyDecision>]>([
    ["token usage", { usage: { promptTokens: 12, completionTokens: 3 } }],
    ["a token log-probability", { actionLogprob: { value: -1, source: "tokens", count: 1 } }],
    ["a response text", { responseText: "ok" }],
    ["a finish reason", { finishReason: "stop" }],
  ])("is recognised by %s alone, and refused naming the first missing field", (_, extra) => {
    expect(() => toRolloutGroup([withDecision(plain, extra)])).toThrow(
      expect.objectContaining({
        ...missingPrompt,
        message: `instance tiny-0 rollout 0 step 1: the language model's decision has no promptTokenIds; ${HINT}`,
      }),
    );
  });

  it("names the one field missing from an otherwise complete record", () => {
    const { sampling: _, ...withoutSampling } = LLM_DECISION;
    expect(() => toRolloutGroup([withDecision(plain, withoutSampling, 1)])).toThrow(
      expect.objectContaining({
        code: "not_recorded_for_training",
        path: ["episodes", 0, "steps", 1, "decision", "sampling"],
        message: expect.stringMatching(/^instance tiny-0 rollout 0 step 2: /u),
      }),
    );
  });

  it("a complete record without a declared distribution records logprobDistribution null", () => {
    const group = toRolloutGroup([withDecision(plain, LLM_DECISION)]);
    const [first, second] = group.rollouts[0]!.samples;
    expect(first!.llm).toMatchObject({
      responseTokenIds: [4, 5],
      responseLogprobs: [-0.5, -0.25],
      finishReason: "stop",
      truncated: false,
      logprobDistribution: null,
    });
    expect(first!.actionLogprob).toEqual({ value: -0.75, source: "tokens", count: 2 });
    expect(second).not.toHaveProperty("llm");
  });
});

describe("toRolloutGroup: a decision policy's decision", () => {
  const at = ["episodes", 0, "steps", 0, "decision"];

  it.each<[string, Partial<PolicyDecision>, "replay" | "decisionLogprobs"]>([
    [
      "a decision log-probability",
      { actionLogprob: { value: Math.log(0.5), source: "decisions", count: 1 } },
      "replay",
    ],
    ["decision log-probabilities", { decisionLogprobs: [Math.log(0.5)] }, "replay"],
    [
      "a replay payload",
      { replay: { pInsert: 0.5, sentences: ["Ada lives in Paris."], choices: ["INSERT"] } },
      "decisionLogprobs",
    ],
  ])("is recognised by %s alone, and refused naming the missing %s", (_, extra, missing) => {
    expect(() => toRolloutGroup([withDecision(plain, extra)], { replayValidator: coinFlipReplayValidator })).toThrow(
      expect.objectContaining({
        code: "not_recorded_for_training",
        path: [...at, missing],
        message: `instance tiny-0 rollout 0 step 1: the decision policy's decision has no ${missing}; ${HINT}`,
      }),
    );
  });

  const recorded: Partial<PolicyDecision> = {
    actionLogprob: { value: Math.log(0.5), source: "decisions", count: 1 },
    decisionLogprobs: [Math.log(0.5)],
    replay: { pInsert: 0.5, sentences: ["Ada lives in Paris."], choices: ["INSERT"] },
  };

  it("without a replay validator: invalid_option at [replayValidator], naming the step", () => {
    expect(() => toRolloutGroup([withDecision(plain, recorded)])).toThrow(
      expect.objectContaining({
        code: "invalid_option",
        path: ["replayValidator"],
        message:
          "instance tiny-0 rollout 0 step 1 carries a replay payload: pass replayValidator (the policy's MemoryPolicy.replayValidator) so it is checked",
      }),
    );
  });

  it("a payload the validator refuses: invalid_replay naming the validator, at the payload's path", () => {
    const refused = withDecision(plain, {
      ...recorded,
      replay: { pInsert: 0.5, sentences: ["Ada lives in Paris."], choices: ["MAYBE"] },
    });
    expect(() => toRolloutGroup([refused], { replayValidator: coinFlipReplayValidator })).toThrow(
      expect.objectContaining({
        code: "invalid_replay",
        path: [...at, "replay", "choices", 0],
        message: expect.stringMatching(
          /^instance tiny-0 rollout 0 step 1: the policy's CoinFlipReplay refuses the replay payload: /u,
        ),
      }),
    );
  });

  it("a complete record becomes the sample's decisions record", () => {
    const group = toRolloutGroup([withDecision(plain, recorded)], { replayValidator: coinFlipReplayValidator });
    expect(group.rollouts[0]!.samples[0]!.decisions).toEqual({
      replay: recorded.replay,
      decisionLogprobs: [Math.log(0.5)],
    });
  });
});
