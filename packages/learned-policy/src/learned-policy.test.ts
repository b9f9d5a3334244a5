import { createReferenceBackend, tidy } from "@finemem/kernels";
import type { MemoryItem, MemoryView, PolicyInput } from "@finemem/spec";
import { ACTION_LOGPROB_TOLERANCE } from "@finemem/spec";
import { afterAll, describe, expect, it } from "vitest";
import { FEATURE_WIDTH } from "./features/feature-groups.js";
import { createLearnedPolicy, type LearnedPolicy } from "./learned-policy.js";
import { LearnedPolicyError } from "./learned-policy-error.js";
import { learnedPolicyReplayValidator } from "./replay.js";

function item(id: string, content: string, step = 1): MemoryItem {
  return { id, content, version: 1, createdStep: step, step, operationId: `op-${id}` };
}

function view(items: MemoryItem[]): MemoryView {
  return { layout: "flat", namespace: "default", step: 3, items } as unknown as MemoryView;
}

const input = (training = true): PolicyInput => ({
  step: 4,
  instanceId: "i1",
  training,
  chunk: {
    id: "c4",
    text: "Ada Lovelace retrained for job title beekeeper. The mascot of Jaxtor Holdings is a bison. Cork is green.",
  },
  view: view([
    item("s1.0", "Ada Lovelace's job title is baker.", 1),
    item("s2.0", "Ada Brennick's job title is pilot.", 2),
    item("s3.0", "The mascot of Jaxtor Holdings is a badger.", 3),
  ]),
});

const policies: LearnedPolicy[] = [];
async function make(options: Parameters<typeof createLearnedPolicy>[0] = {}): Promise<LearnedPolicy> {
  const policy = await createLearnedPolicy(options);
  policies.push(policy);
  return policy;
}
afterAll(() => {
  for (const policy of policies) policy.dispose();
});

describe("deciding", () => {
  it("makes one decision per fact, and its operations name only items of the view", async () => {
    const policy = (await make({ initSeed: 3 })).withSampling("s");
    const decision = await policy.decide(input());
    expect(decision.decisionLogprobs).toHaveLength(3);
    const ids = new Set(input().view.items.map((entry) => entry.id));
    for (const operation of decision.operations) {
      if (operation.type === "UPDATE" || operation.type === "DELETE") expect(ids.has(operation.id)).toBe(true);
    }
    // The replay holds, per fact, SKIP + INSERT + UPDATE/DELETE per candidate: the first fact shares
    // words with the two job titles, the second with the mascot, and "Cork is green." with nothing.
    const replay = learnedPolicyReplayValidator.parse(decision.replay);
    expect(replay.decisions.map((entry) => entry.rows.length)).toEqual([6, 4, 2]);
    expect(replay.width).toBe(FEATURE_WIDTH);
  });

  it("sums its decision log-probabilities into the action's", async () => {
    const decision = await (await make({ initSeed: 4 })).withSampling("t").decide(input());
    const sum = decision.decisionLogprobs!.reduce((a, b) => a + b, 0);
    expect(decision.actionLogprob).toEqual({
      value: expect.closeTo(Math.min(0, sum), 9),
      source: "decisions",
      count: 3,
    });
    expect(Math.abs(decision.actionLogprob!.value - sum)).toBeLessThanOrEqual(ACTION_LOGPROB_TOLERANCE);
    for (const value of decision.decisionLogprobs!) expect(value).toBeLessThanOrEqual(0);
  });

  it("samples reproducibly from its seed, and differently from another seed somewhere", async () => {
    const policy = await make({ initSeed: 5 });
    const a = await policy.withSampling("x").decide(input());
    const b = await (await make({ initSeed: 5 })).withSampling("x").decide(input());
    expect(b).toEqual(a);
    const seeds = await Promise.all(
      ["y1", "y2", "y3", "y4", "y5", "y6"].map((seed) => policy.withSampling(seed).decide(input())),
    );
    expect(new Set(seeds.map((decision) => decision.rawOutput)).size).toBeGreaterThan(1);
  });

  it("decides greedily by default, leaving replay records out of evaluation", async () => {
    const policy = await make({ initSeed: 6 });
    const first = await policy.decide(input(false));
    expect(first.replay).toBeUndefined();
    expect(first.decisionLogprobs).toBeUndefined();
    expect(await policy.decide(input(false))).toEqual(first);
    // Greedy picks each fact's most probable action: its log-probability is the largest of the fact's.
    const trained = await policy.decide(input(true));
    const replay = learnedPolicyReplayValidator.parse(trained.replay);
    const recomputed = tidy(() => policy.replayLogProbs([trained.replay!]));
    const values = [...(await recomputed.logProbs.read())];
    expect(values).toEqual(trained.decisionLogprobs!.map((value) => expect.closeTo(value, 6)));
    expect(replay.decisions.length).toBe(3);
  });

  it("recomputes each recorded log-probability from the replay alone", async () => {
    const policy = (await make({ initSeed: 7 })).withSampling("z");
    const decisions = [
      await policy.decide(input()),
      await policy.decide({ ...input(), step: 5, chunk: { id: "c5", text: "Nothing here." } }),
    ];
    const result = tidy(() => policy.replayLogProbs(decisions.map((decision) => decision.replay!)));
    // Padded to [2 steps, 3 decisions]: the second step has one decision.
    expect(result.logProbs.shape).toEqual([2, 3]);
    expect([...(await result.mask.read())]).toEqual([1, 1, 1, 1, 0, 0]);
    const values = [...(await result.logProbs.read())];
    expect(values.slice(0, 3)).toEqual(decisions[0]!.decisionLogprobs!.map((value) => expect.closeTo(value, 6)));
    expect(values[3]).toBeCloseTo(decisions[1]!.decisionLogprobs![0]!, 6);
    // Entropy of a fact is at most the log of its action count: 6, 4, 2 and 2 actions.
    const entropy = [...(await result.entropy.read())];
    expect(entropy[0]).toBeLessThanOrEqual(Math.log(6) + 1e-6);
    expect(entropy[1]).toBeLessThanOrEqual(Math.log(4) + 1e-6);
    expect(entropy[3]).toBeLessThanOrEqual(Math.log(2) + 1e-6);
    result.release();
  });

  it("a chunk with no sentence is a SKIP with no decision", async () => {
    const decision = await (await make()).decide({ ...input(), chunk: { id: "c9", text: "   " } });
    expect(decision.operations).toEqual([{ type: "SKIP" }]);
    expect(decision.actionLogprob).toEqual({ value: 0, source: "decisions", count: 0 });
  });

  it("starts from given parameter values, on any backend", async () => {
    const source = await make({ initSeed: 8 });
    const values = await source.parameterValues();
    const copy = await make({ initSeed: 99, parameters: values });
    const expected = await source.withSampling("w").decide(input());
    expect(await copy.withSampling("w").decide(input())).toEqual(expected);
    // The TypeScript reference rounds sums in another order: the same choices, log-probabilities to 1e-6.
    const elsewhere = await make({ parameters: values, backend: createReferenceBackend() });
    const decision = await elsewhere.withSampling("w").decide(input());
    expect(decision.operations).toEqual(expected.operations);
    expect(decision.decisionLogprobs).toEqual(expected.decisionLogprobs!.map((value) => expect.closeTo(value, 6)));
  });
});

describe("bad input", () => {
  it.each([
    [{ candidates: 0 }, ["candidates"]],
    [{ hidden: 1.5 }, ["hidden"]],
    [{ disabledFeatures: ["colour"] }, ["disabledFeatures", 0]],
    [{ featureVersion: 0 }, ["featureVersion"]],
  ])("refuses %j", async (options, path) => {
    await expect(createLearnedPolicy(options as never)).rejects.toMatchObject({ code: "invalid_option", path });
  });

  it("refuses parameters of another shape, naming the parameter", async () => {
    const values = await (await make({ hidden: 8 })).parameterValues();
    const error = await createLearnedPolicy({ parameters: values }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LearnedPolicyError);
    expect(error).toMatchObject({ code: "shape_mismatch", path: ["parameters", "hiddenWeights"] });
  });

  it("refuses a replay of another width or version, and a malformed one", async () => {
    const policy = await make();
    expect(() => policy.replayLogProbs([{ version: 1, width: 3, decisions: [] }])).toThrow(
      expect.objectContaining({ code: "invalid_replay" }),
    );
    expect(learnedPolicyReplayValidator.validate({ version: 2, width: FEATURE_WIDTH, decisions: [] }).ok).toBe(false);
    const bad = learnedPolicyReplayValidator.validate({
      version: 1,
      width: 2,
      decisions: [{ rows: [[0, 1]], chosen: 1 }],
    });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.path).toEqual(["decisions", 0, "chosen"]);
  });
});
