// Valid training samples of the three kinds (LLM, decision policy, neither) and rollout groups of
// them, for the external backend's tests.
import type { AdvantageGrouping, RolloutGroup, TrainerUpdateRequest, TrainingSample } from "@finemem/spec";

export type FixtureKind = "llm" | "decisions" | "none";

/** A sample of `kind` with reward `reward`; its other figures are derived from its coordinates. */
export function fixtureSample(
  kind: FixtureKind,
  instanceId: string,
  rollout: number,
  step: number,
  reward: number,
): TrainingSample {
  const base = {
    instanceId,
    rollout,
    step,
    dataSource: "synthetic",
    reward,
    rewards: {
      format: 1,
      chunk: 0.5,
      evidence: null,
      eara: null,
      compression: 0.25 * rollout,
      content: null,
      total: reward,
    },
  };
  if (kind === "llm") {
    const responseLogprobs = [-0.5, -0.25 * (step + 1), 0];
    return {
      ...base,
      actionLogprob: { value: responseLogprobs.reduce((a, b) => a + b, 0), source: "tokens", count: 3 },
      llm: {
        promptMessages: [
          { role: "system", content: "You manage memory." },
          { role: "user", content: `chunk ${step}` },
        ],
        responseText: "",
        responseToolCalls: [{ id: `call-${rollout}-${step}`, name: "memory_insert", arguments: '{"content":"x"}' }],
        promptTokenIds: [151644, 8948, 198, 100 + step, 200 + rollout],
        responseTokenIds: [151657, 42 + rollout, 151645],
        responseLogprobs,
        finishReason: step === 2 ? "length" : "tool_calls",
        truncated: step === 2,
        sampling: { temperature: 1, topP: 1 },
        logprobDistribution: null,
      },
    };
  }
  if (kind === "decisions") {
    const decisionLogprobs = [-0.125 * (rollout + 1), -1];
    return {
      ...base,
      actionLogprob: { value: decisionLogprobs.reduce((a, b) => a + b, 0), source: "decisions", count: 2 },
      decisions: { replay: { facts: [{ choice: "INSERT", features: [1, 0.5] }], step }, decisionLogprobs },
    };
  }
  return { ...base, actionLogprob: null };
}

/** A group of `instanceId` from rewards[rollout][step - 1]. */
export function fixtureGroup(
  kind: FixtureKind,
  instanceId: string,
  rewards: readonly (readonly number[])[],
): RolloutGroup {
  return {
    instanceId,
    rollouts: rewards.map((steps, rollout) => ({
      rolloutId: `${instanceId}:r${rollout}`,
      rollout,
      seed: `seed-${rollout}`,
      samples: steps.map((reward, index) => fixtureSample(kind, instanceId, rollout, index + 1, reward)),
    })),
  };
}

/** One group of each kind: 2 rollouts × 2 steps of LLM samples, 3 × 1 decision samples, 1 × 2 plain ones. */
export function mixedRequest(grouping: AdvantageGrouping): TrainerUpdateRequest {
  return {
    grouping,
    groups: [
      fixtureGroup("llm", "inst-a", [
        [1, 0],
        [0, 0.5],
      ]),
      fixtureGroup("decisions", "inst-b", [[0.2], [0.8], [0.5]]),
      fixtureGroup("none", "inst-c", [[0.3, 0.9]]),
    ],
  };
}
