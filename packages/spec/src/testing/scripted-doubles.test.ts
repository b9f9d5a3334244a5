import { describe, expect, it } from "vitest";
import { ValidationError } from "../validation.js";
import { createConstantReasoner } from "./constant-reasoner.js";
import { createRecordingTrainer } from "./recording-trainer.js";
import { createScriptedLanguageModel } from "./scripted-language-model.js";
import { createScriptedPolicy } from "./scripted-policy.js";
import { createWhitespaceTokenCounter } from "./whitespace-token-counter.js";

const view = { namespace: {}, layout: "flat" as const, step: 0, items: [] };

describe("scripted language model", () => {
  it("answers in order, records requests and fails past the script", async () => {
    const model = createScriptedLanguageModel(["first", "second"]);
    const request = { messages: [{ role: "user" as const, content: "hello" }] };
    expect((await model.generate(request)).text).toBe("first");
    expect((await model.generate(request)).usage).toEqual({ promptTokens: 5, completionTokens: 6 });
    await expect(model.generate(request)).rejects.toThrow(/no reply for call 3/);
    expect(model.calls).toHaveLength(3);
  });

  it("rejects malformed requests and scripted responses with typed errors", async () => {
    const model = createScriptedLanguageModel(() => ({
      text: "",
      toolCalls: [],
      finishReason: "stop",
      usage: { promptTokens: -1, completionTokens: 0 },
    }));
    await expect(model.generate({ messages: [] })).rejects.toBeInstanceOf(ValidationError);
    await expect(model.generate({ messages: [{ role: "user", content: "x" }] })).rejects.toMatchObject({
      code: "out_of_range",
      path: ["usage", "promptTokens"],
    });
  });
});

describe("scripted policy", () => {
  it("turns operation lists into fully parsed decisions with a decision log-probability", async () => {
    const policy = createScriptedPolicy([[{ type: "INSERT", content: "a" }, { type: "SKIP" }]]);
    const decision = await policy.decide({ step: 1, chunk: { id: "c1", text: "a" }, view });
    expect(decision.parseOutcomes.map((outcome) => outcome.status)).toEqual(["parsed", "parsed"]);
    expect(decision.actionLogprob).toEqual({ value: 2 * Math.log(0.5), source: "decisions", count: 2 });
    await expect(policy.decide({ step: 2, chunk: { id: "c2", text: "b" }, view })).rejects.toThrow(
      /no entry for step 2/,
    );
  });

  it("validates whole scripted decisions", async () => {
    const policy = createScriptedPolicy([
      { operations: [{ type: "MERGE" } as never], parseOutcomes: [], rawOutput: "", actionLogprob: null },
    ]);
    await expect(policy.decide({ step: 1, chunk: { id: "c1", text: "a" }, view })).rejects.toMatchObject({
      code: "unknown_operation",
      path: ["operations", 0, "type"],
    });
  });
});

describe("constant reasoner", () => {
  it("answers without looking at memory and reports the chosen evidence with ranks", async () => {
    const item = { id: "m1", content: "x", version: 2, createdStep: 1, step: 2, operationId: "o1" };
    const reasoner = createConstantReasoner({ answer: (question) => `answer to ${question.id}` });
    const record = await reasoner.answer({ question: { id: "q1", text: "?" }, memory: { ...view, items: [item] } });
    expect(record).toEqual({
      questionId: "q1",
      retrieved: [{ itemId: "m1", version: 2, rank: 1, score: 1 }],
      answer: "answer to q1",
      score: null,
    });
  });
});

describe("recording trainer and whitespace token counter", () => {
  it("records validated updates and reports counts", async () => {
    const trainer = createRecordingTrainer();
    const rewards = { format: 1, chunk: null, evidence: null, eara: null, compression: null, content: null, total: 1 };
    const metrics = await trainer.update({
      grouping: "per-step",
      groups: [
        {
          instanceId: "i1",
          rollouts: [
            {
              rolloutId: "r0",
              rollout: 0,
              seed: "1",
              samples: [
                { instanceId: "i1", rollout: 0, step: 1, dataSource: "squad", reward: 1, rewards, actionLogprob: null },
              ],
            },
          ],
        },
      ],
    });
    expect(metrics).toEqual({ updateStep: 1, samples: 1, meanReward: 1, extra: {} });
    await expect(trainer.update({ grouping: "pooled", groups: [] })).rejects.toMatchObject({
      code: "out_of_range",
      path: ["groups"],
    });
  });

  it("counts words", () => {
    expect(createWhitespaceTokenCounter().count("  one two\nthree ")).toBe(3);
  });
});
