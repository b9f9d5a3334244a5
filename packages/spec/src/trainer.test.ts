import { describe, expect, it } from "vitest";
import type { PathSegment } from "./errors.js";
import { ACTION_LOGPROB_TOLERANCE, rolloutGroupValidator, trainingSampleValidator } from "./trainer.js";
import { type ValidationCode, ValidationError } from "./validation.js";

// A valid group worked out by hand: rollout 0 is an LLM policy's three steps, rollout 1 a decision
// policy's two steps (rollouts of different lengths are valid). Every log-probability below is a
// sum that is exact in binary floating point, so the expected actionLogprob values are exact too.
const rewards = { format: 1, chunk: 0.5, evidence: 0.25, eara: 0.3, compression: 0.2, content: null, total: 1.56 };

/** What every sample of the group names: its instance, rollout, step and source, and its reward. */
const sampleHead = (rollout: number, step: number) => ({
  instanceId: "syn-0",
  rollout,
  step,
  dataSource: "synthetic",
  reward: 1.56,
  rewards,
});

function llmSample(rollout: number, step: number) {
  return {
    ...sampleHead(rollout, step),
    // -0.25 - 0.5 - 1.25 = -2
    actionLogprob: { value: -2, source: "tokens", count: 3 },
    llm: {
      promptMessages: [
        { role: "system", content: "You manage memory." },
        { role: "user", content: `chunk ${step}` },
      ],
      responseText: "",
      responseToolCalls: [
        { id: `call_${step}`, name: "memory_insert", arguments: '{"content": "Ada lives in Paris."}' },
      ],
      promptTokenIds: [151644, 8948, 198],
      responseTokenIds: [151657, 198, 151658],
      responseLogprobs: [-0.25, -0.5, -1.25],
      finishReason: "tool_calls",
      truncated: false,
      sampling: { temperature: 1, maxTokens: 2048 },
      logprobDistribution: "sampled",
    },
  };
}

function decisionSample(rollout: number, step: number) {
  return {
    ...sampleHead(rollout, step),
    // log(1/2) + log(1/4) = -3·ln 2
    actionLogprob: { value: -3 * Math.LN2, source: "decisions", count: 2 },
    decisions: {
      replay: { choices: ["INSERT", "SKIP"], p: [0.5, 0.25] },
      decisionLogprobs: [-Math.LN2, -2 * Math.LN2],
    },
  };
}

type LlmSample = ReturnType<typeof llmSample>;
type DecisionSample = ReturnType<typeof decisionSample>;
interface RolloutFixture<S> {
  rolloutId: string;
  rollout: number;
  seed: string;
  samples: S[];
}

function validGroup(): { instanceId: string; rollouts: [RolloutFixture<LlmSample>, RolloutFixture<DecisionSample>] } {
  return {
    instanceId: "syn-0",
    rollouts: [
      {
        rolloutId: "syn-0:r0",
        rollout: 0,
        seed: "s/syn-0/0",
        samples: [llmSample(0, 1), llmSample(0, 2), llmSample(0, 3)],
      },
      { rolloutId: "syn-0:r1", rollout: 1, seed: "s/syn-0/1", samples: [decisionSample(1, 1), decisionSample(1, 2)] },
    ],
  };
}

type Group = ReturnType<typeof validGroup>;

function refused(value: unknown, code: ValidationCode, path: readonly PathSegment[]) {
  const result = rolloutGroupValidator.validate(value);
  expect(result.ok, `accepted a group that should fail at ${JSON.stringify(path)}`).toBe(false);
  if (result.ok) return;
  expect(result.error).toBeInstanceOf(ValidationError);
  expect({ code: result.error.code, path: result.error.path }).toEqual({ code, path });
}

function withGroup(change: (group: Group) => void): Group {
  const group = validGroup();
  change(group);
  return group;
}

describe("rollout groups", () => {
  it("accept an LLM rollout and a decision rollout of different lengths", () => {
    const result = rolloutGroupValidator.validate(validGroup());
    expect(result.ok ? "ok" : result.error.message).toBe("ok");
  });

  it("accept a policy without log-probabilities: no llm or decisions record, a null actionLogprob", () => {
    const { llm: _llm, ...bare } = llmSample(0, 1);
    expect(trainingSampleValidator.validate({ ...bare, actionLogprob: null }).ok).toBe(true);
  });

  describe("refuse steps that are not 1..T, each once, in order", () => {
    it("a step twice", () => {
      refused(
        withGroup((g) => (g.rollouts[0]!.samples[2] = llmSample(0, 2))),
        "inconsistent",
        ["rollouts", 0, "samples", 2, "step"],
      );
    });
    it("a first step other than 1", () => {
      refused(
        withGroup((g) => (g.rollouts[1]!.samples = [decisionSample(1, 2), decisionSample(1, 3)])),
        "inconsistent",
        ["rollouts", 1, "samples", 0, "step"],
      );
    });
    it("a gap", () => {
      refused(
        withGroup((g) => (g.rollouts[0]!.samples[1] = llmSample(0, 3))),
        "inconsistent",
        ["rollouts", 0, "samples", 1, "step"],
      );
    });
    it("steps out of order", () => {
      refused(
        withGroup((g) => g.rollouts[1]!.samples.reverse()),
        "inconsistent",
        ["rollouts", 1, "samples", 0, "step"],
      );
    });
  });

  describe("refuse rollouts that are not told apart, and samples of another rollout or instance", () => {
    it("duplicate rollout ids", () => {
      refused(
        withGroup((g) => (g.rollouts[1]!.rolloutId = "syn-0:r0")),
        "inconsistent",
        ["rollouts", 1, "rolloutId"],
      );
    });
    it("duplicate rollout indices", () => {
      refused(
        withGroup((g) => {
          g.rollouts[1]!.rollout = 0;
          for (const sample of g.rollouts[1]!.samples) sample.rollout = 0;
        }),
        "inconsistent",
        ["rollouts", 1, "rollout"],
      );
    });
    it("a sample whose rollout is not its rollout's", () => {
      refused(
        withGroup((g) => (g.rollouts[1]!.samples[1]!.rollout = 0)),
        "inconsistent",
        ["rollouts", 1, "samples", 1, "rollout"],
      );
    });
    it("a sample of another instance", () => {
      refused(
        withGroup((g) => (g.rollouts[1]!.samples[0]!.instanceId = "syn-1")),
        "inconsistent",
        ["rollouts", 1, "samples", 0, "instanceId"],
      );
    });
    it("a sample of another data source", () => {
      refused(
        withGroup((g) => (g.rollouts[0]!.samples[2]!.dataSource = "squad")),
        "inconsistent",
        ["rollouts", 0, "samples", 2, "dataSource"],
      );
    });
  });

  describe("refuse an actionLogprob that is not the sum of its parts", () => {
    it("off by more than 1e-6 relative from Σ responseLogprobs", () => {
      refused(
        withGroup((g) => (g.rollouts[0]!.samples[0]!.actionLogprob.value = -2.1)),
        "inconsistent",
        ["rollouts", 0, "samples", 0, "actionLogprob", "value"],
      );
    });
    it("off from Σ decisionLogprobs", () => {
      refused(
        withGroup((g) => (g.rollouts[1]!.samples[1]!.actionLogprob.value = -2 * Math.LN2)),
        "inconsistent",
        ["rollouts", 1, "samples", 1, "actionLogprob", "value"],
      );
    });
    it("tolerance: |a − s| ≤ 1e-6 · max(1, |s|)", () => {
      expect(ACTION_LOGPROB_TOLERANCE).toBe(1e-6);
      const at = (value: number, logprobs: number[]) => {
        const base = llmSample(0, 1);
        return trainingSampleValidator.validate({
          ...base,
          actionLogprob: { value, source: "tokens", count: logprobs.length },
          llm: { ...base.llm, responseTokenIds: logprobs.map((_, i) => i), responseLogprobs: logprobs },
        }).ok;
      };
      // s = -2: the bound is 2e-6.
      expect(at(-2 - 1.5e-6, [-0.25, -0.5, -1.25])).toBe(true);
      expect(at(-2 - 3e-6, [-0.25, -0.5, -1.25])).toBe(false);
      // s = -1000: the bound is 1e-3.
      expect(at(-1000.0009, [-500, -500])).toBe(true);
      expect(at(-1000.002, [-500, -500])).toBe(false);
      // s = -0.25: near 0 the bound is absolute, 1e-6.
      expect(at(-0.25 + 9e-7, [-0.25])).toBe(true);
      expect(at(-0.25 + 2e-6, [-0.25])).toBe(false);
    });
    it("a count other than the number of parts", () => {
      refused(
        withGroup((g) => (g.rollouts[0]!.samples[1]!.actionLogprob.count = 2)),
        "inconsistent",
        ["rollouts", 0, "samples", 1, "actionLogprob", "count"],
      );
    });
    it("a source other than the record's", () => {
      refused(
        withGroup((g) => (g.rollouts[1]!.samples[0]!.actionLogprob.source = "tokens")),
        "inconsistent",
        ["rollouts", 1, "samples", 0, "actionLogprob", "source"],
      );
    });
  });

  describe("refuse log-probabilities without the tokens or decisions they were taken on", () => {
    it("responseLogprobs without responseTokenIds", () => {
      refused(
        withGroup((g) => delete (g.rollouts[0]!.samples[0]!.llm as { responseTokenIds?: unknown }).responseTokenIds),
        "missing_field",
        ["rollouts", 0, "samples", 0, "llm", "responseTokenIds"],
      );
    });
    it("a token actionLogprob without any llm record", () => {
      refused(
        withGroup((g) => delete (g.rollouts[0]!.samples[1] as { llm?: unknown }).llm),
        "missing_field",
        ["rollouts", 0, "samples", 1, "llm"],
      );
    });
    it("a decision actionLogprob without its decisions record", () => {
      refused(
        withGroup((g) => delete (g.rollouts[1]!.samples[0] as { decisions?: unknown }).decisions),
        "missing_field",
        ["rollouts", 1, "samples", 0, "decisions"],
      );
    });
    it("one log-probability per response token", () => {
      refused(
        withGroup((g) => (g.rollouts[0]!.samples[2]!.llm.responseTokenIds = [151657, 198])),
        "inconsistent",
        ["rollouts", 0, "samples", 2, "llm", "responseLogprobs"],
      );
    });
  });

  describe("refuse records that contradict themselves", () => {
    it("truncated is finishReason length", () => {
      refused(
        withGroup((g) => (g.rollouts[0]!.samples[0]!.llm.finishReason = "length")),
        "inconsistent",
        ["rollouts", 0, "samples", 0, "llm", "truncated"],
      );
      const truncated = withGroup((g) =>
        Object.assign(g.rollouts[0]!.samples[0]!.llm, { finishReason: "length", truncated: true }),
      );
      expect(rolloutGroupValidator.validate(truncated).ok).toBe(true);
    });
    it("a sample is an LLM policy's or a decision policy's, not both", () => {
      const both = withGroup((g) =>
        Object.assign(g.rollouts[0]!.samples[0]!, { decisions: decisionSample(0, 1).decisions }),
      );
      refused(both, "inconsistent", ["rollouts", 0, "samples", 0, "decisions"]);
    });
    it("a reward other than its components' total", () => {
      refused(
        withGroup((g) => (g.rollouts[1]!.samples[1]!.reward = 2)),
        "inconsistent",
        ["rollouts", 1, "samples", 1, "reward"],
      );
    });
  });
});
