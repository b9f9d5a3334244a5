import { type LanguageModelResponse, type MemoryView, policyDecisionValidator } from "@finemem/spec";
import { createScriptedLanguageModel } from "@finemem/spec/testing";
import { describe, expect, it } from "vitest";
import { createLlmMemoryPolicy } from "./llm-memory-policy.js";

const view: MemoryView = {
  namespace: {},
  layout: "flat",
  step: 1,
  items: [{ id: "m1", content: "Ada lives in London.", version: 1, createdStep: 1, step: 1, operationId: "o1" }],
};
const chunk = { id: "c2", text: "Ada moved to Paris. She adopted a cat." };

function response(partial: Partial<LanguageModelResponse>): LanguageModelResponse {
  return {
    text: "",
    toolCalls: [],
    finishReason: "stop",
    usage: { promptTokens: 120, completionTokens: 30 },
    ...partial,
  };
}

describe("the LLM memory policy", () => {
  it("sends the flat prompt with its tools, parses tool calls, and sums the tokens' log-probabilities", async () => {
    const model = createScriptedLanguageModel([
      response({
        finishReason: "tool_calls",
        toolCalls: [
          {
            id: "call_0",
            name: "memory_update",
            arguments: '{"memory_id": "m1", "new_content": "Ada lives in Paris."}',
          },
          { id: "call_1", name: "memory_insert", arguments: '{"content": "Ada has a cat."}' },
        ],
        promptTokenIds: [1, 2, 3],
        responseTokenIds: [7, 8, 9],
        responseLogprobs: [-0.5, -0.25, 0],
      }),
    ]);
    const policy = createLlmMemoryPolicy({
      model,
      sampling: { temperature: 1, maxTokens: 2048 },
      returnTokenIds: true,
      headers: { "x-session-id": "rollout-3" },
    });
    const decision = await policy.decide({ step: 2, chunk, view });
    expect(decision.operations).toEqual([
      { type: "UPDATE", id: "m1", content: "Ada lives in Paris." },
      { type: "INSERT", content: "Ada has a cat." },
    ]);
    expect(decision.parseOutcomes.map((outcome) => outcome.status)).toEqual(["parsed", "parsed"]);
    expect(decision.actionLogprob).toEqual({ value: -0.75, source: "tokens", count: 3 });
    expect(decision).toMatchObject({
      promptTokenIds: [1, 2, 3],
      responseTokenIds: [7, 8, 9],
      usage: { promptTokens: 120, completionTokens: 30 },
    });
    expect(decision.promptHash).toMatch(/^finemem-flat-v1:/);
    expect(decision.rawOutput).toContain('<tool_call>{"name": "memory_update", "arguments": {"memory_id": "m1"');
    expect(policyDecisionValidator.validate(decision).ok).toBe(true);

    const request = model.calls[0]!;
    expect(request.tools!.map((tool) => tool.name)).toEqual([
      "memory_insert",
      "memory_update",
      "memory_delete",
      "memory_skip",
    ]);
    expect(request).toMatchObject({
      toolChoice: "auto",
      logprobs: true,
      returnTokenIds: true,
      headers: { "x-session-id": "rollout-3" },
      sampling: { temperature: 1, maxTokens: 2048 },
    });
    expect(request.messages[1]!.content).toContain("[m1] Ada lives in London.");
    expect(request.messages[1]!.content).toContain('<chunk id="c2">\nAda moved to Paris. She adopted a cat.\n</chunk>');
    expect(policy.policyId).toBe("llm:scripted-model:finemem-flat-v1");
  });

  it("in the text call style, sends no tools and parses <tool_call> blocks with prose around them", async () => {
    const model = createScriptedLanguageModel([
      'Sure.\n<tool_call>{"name": "memory_insert", "arguments": {"content": "Ada has a cat.",}}</tool_call>\nDone, and <tool_call>{"name": "forget_all"',
    ]);
    const decision = await createLlmMemoryPolicy({ model, callStyle: "text", logprobs: false }).decide({
      step: 2,
      chunk,
      view,
    });
    expect(model.calls[0]!.tools).toBeUndefined();
    expect(model.calls[0]!.logprobs).toBeUndefined();
    expect(decision.operations).toEqual([{ type: "INSERT", content: "Ada has a cat." }]);
    expect(decision.parseOutcomes.map((outcome) => outcome.status)).toEqual(["repaired", "failed"]);
    expect(decision.actionLogprob).toBeNull();
    expect(policyDecisionValidator.validate(decision).ok).toBe(true);
  });

  it("turns an empty reply into one empty_reply outcome and no operation", async () => {
    const decision = await createLlmMemoryPolicy({ model: createScriptedLanguageModel([""]) }).decide({
      step: 2,
      chunk,
      view,
    });
    expect(decision.operations).toEqual([]);
    expect(decision.parseOutcomes).toEqual([
      expect.objectContaining({ fragment: 0, status: "failed", reason: "empty_reply" }),
    ]);
  });

  it("speaks Mem-α's typed tools with the memalpha prompt", async () => {
    const model = createScriptedLanguageModel([
      response({
        toolCalls: [
          {
            id: "a",
            name: "memory_update",
            arguments: '{"memory_type": "core_memory", "new_content": "The user is Ada."}',
          },
          {
            id: "b",
            name: "new_memory_insert",
            arguments: '{"memory_type": "episodic_memory", "content": "Ada moved to Paris."}',
          },
        ],
      }),
    ]);
    const policy = createLlmMemoryPolicy({ model, prompt: "memalpha" });
    expect(policy.layout).toBe("typed");
    const decision = await policy.decide({
      step: 1,
      chunk,
      view: { namespace: {}, layout: "typed", step: 0, items: [] },
    });
    expect(decision.operations).toEqual([
      { type: "UPDATE", id: "core", content: "The user is Ada.", memoryType: "core" },
      { type: "INSERT", content: "Ada moved to Paris.", memoryType: "episodic" },
    ]);
    expect(model.calls[0]!.messages[1]!.content).toContain("<core_memory>");
  });

  it("shows only the recent window of the memory when asked", async () => {
    const model = createScriptedLanguageModel(["SKIP"]);
    const big: MemoryView = {
      ...view,
      items: [1, 2, 3].map((step) => ({
        id: `m${step}`,
        content: `Fact ${step}.`,
        version: 1,
        createdStep: step,
        step,
        operationId: `o${step}`,
      })),
    };
    await createLlmMemoryPolicy({ model, viewWindow: { perType: 2 } }).decide({ step: 4, chunk, view: big });
    expect(model.calls[0]!.messages[1]!.content).toContain("[m2] Fact 2.\n[m3] Fact 3.");
    expect(model.calls[0]!.messages[1]!.content).not.toContain("[m1]");
  });

  it("rejects an unknown prompt or call style with an error naming the option", () => {
    const model = createScriptedLanguageModel([]);
    expect(() => createLlmMemoryPolicy({ model, prompt: "mem0" as never })).toThrow(
      expect.objectContaining({ code: "invalid_option", path: ["prompt"] }),
    );
    expect(() => createLlmMemoryPolicy({ model, callStyle: "xml" as never })).toThrow(
      expect.objectContaining({ code: "invalid_option", path: ["callStyle"] }),
    );
  });
});

describe("structured tool calls and text together", () => {
  it("reads only the structured calls, so a server that also leaves the blocks in the text does not count a call twice", async () => {
    const call = '{"name": "memory_insert", "arguments": {"content": "Ada has a cat."}}';
    const model = createScriptedLanguageModel([
      {
        text: `<tool_call>${call}</tool_call>`,
        toolCalls: [{ id: "c0", name: "memory_insert", arguments: '{"content": "Ada has a cat."}' }],
        finishReason: "tool_calls",
        usage: { promptTokens: 1, completionTokens: 1 },
      },
    ]);
    const decision = await createLlmMemoryPolicy({ model, logprobs: false }).decide({
      step: 1,
      chunk: { id: "c1", text: "Ada has a cat." },
      view: { namespace: {}, layout: "flat", step: 0, items: [] },
    });
    expect(decision.operations).toEqual([{ type: "INSERT", content: "Ada has a cat." }]);
    expect(decision.parseOutcomes).toHaveLength(1);
  });
});

describe("training steps", () => {
  const replied = response({
    text: "",
    finishReason: "length",
    toolCalls: [{ id: "call_0", name: "memory_insert", arguments: '{"content": "Ada has a cat."}' }],
    promptTokenIds: [151644, 8948, 198],
    responseTokenIds: [151657, 198, 4913],
    responseLogprobs: [-0.125, -0.25, -0.5],
    logprobDistribution: "raw",
  });

  it("ask for token ids and log-probabilities whatever the options say, and carry what a trainer needs", async () => {
    const model = createScriptedLanguageModel([replied]);
    const sampling = { temperature: 1, topP: 0.95, maxTokens: 3 };
    const policy = createLlmMemoryPolicy({ model, sampling, logprobs: false, returnTokenIds: false });
    const decision = await policy.decide({ step: 2, chunk, view, training: true });

    const request = model.calls[0]!;
    expect(request).toMatchObject({ logprobs: true, returnTokenIds: true, sampling });
    expect(decision).toMatchObject({
      promptMessages: request.messages,
      responseText: "",
      responseToolCalls: [{ id: "call_0", name: "memory_insert", arguments: '{"content": "Ada has a cat."}' }],
      finishReason: "length",
      sampling,
      logprobDistribution: "raw",
      promptTokenIds: [151644, 8948, 198],
      responseTokenIds: [151657, 198, 4913],
      responseLogprobs: [-0.125, -0.25, -0.5],
    });
    // -0.125 - 0.25 - 0.5, exact in binary.
    expect(decision.actionLogprob).toEqual({ value: -0.875, source: "tokens", count: 3 });
    expect(policyDecisionValidator.validate(decision).ok).toBe(true);
  });

  it("records empty sampling settings when the policy sets none, and no distribution when the engine does not say", async () => {
    const { logprobDistribution: _unsaid, ...withoutDistribution } = replied;
    const decision = await createLlmMemoryPolicy({ model: createScriptedLanguageModel([withoutDistribution]) }).decide({
      step: 2,
      chunk,
      view,
      training: true,
    });
    expect(decision.sampling).toEqual({});
    expect(decision).not.toHaveProperty("logprobDistribution");
  });

  it("evaluation steps keep today's request and leave the training fields out", async () => {
    const model = createScriptedLanguageModel([replied]);
    const decision = await createLlmMemoryPolicy({ model }).decide({ step: 2, chunk, view });
    expect(model.calls[0]!.logprobs).toBe(true);
    expect(model.calls[0]!.returnTokenIds).toBeUndefined();
    for (const field of [
      "promptMessages",
      "responseText",
      "responseToolCalls",
      "finishReason",
      "sampling",
      "logprobDistribution",
    ]) {
      expect(decision, field).not.toHaveProperty(field);
    }
  });
});
