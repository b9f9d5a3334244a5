import { createScriptedLanguageModel } from "@finemem/spec/testing";
import { describe, expect, it } from "vitest";
import { BASELINE_NAMES, createBaseline } from "./baselines.js";

describe("baselines", () => {
  it("RAG-Top2 stores chunks verbatim and reads the top 2", async () => {
    const baseline = createBaseline("rag-top2");
    expect(baseline.readerTopK).toBe(2);
    const decision = await baseline.policy.decide({
      step: 1,
      chunk: { id: "c1", text: "Raw chunk text." },
      view: { namespace: {}, layout: "flat", step: 0, items: [] },
    });
    expect(decision.operations).toEqual([{ type: "INSERT", content: "Raw chunk text." }]);
    expect(decision.parseOutcomes).toEqual([{ fragment: 0, status: "parsed", operationIndex: 0, repairs: [] }]);
    const blank = await baseline.policy.decide({
      step: 2,
      chunk: { id: "c2", text: "   " },
      view: { namespace: {}, layout: "flat", step: 1, items: [] },
    });
    expect(blank.operations).toEqual([{ type: "SKIP" }]);
  });

  it("the long-context baseline reads its one item", () => {
    const baseline = createBaseline("long-context", { longContextTokens: 1000 });
    expect(baseline.readerTopK).toBe(1);
    expect(baseline.policy.policyId).toBe("long-context-1000");
  });

  it("the prompted managers need a model and decode greedily", async () => {
    expect(() => createBaseline("prompted-flat")).toThrow(
      expect.objectContaining({ code: "invalid_option", path: ["model"] }),
    );
    const model = createScriptedLanguageModel([
      '<tool_call>{"name": "new_memory_insert", "arguments": {"memory_type": "semantic_memory", "content": "Ada lives in London."}}</tool_call>',
    ]);
    const baseline = createBaseline("prompted-memalpha", { model });
    expect(baseline.policy.layout).toBe("typed");
    const decision = await baseline.policy.decide({
      step: 1,
      chunk: { id: "c1", text: "Ada lives in London." },
      view: { namespace: {}, layout: "typed", step: 0, items: [] },
    });
    expect(decision.operations).toEqual([{ type: "INSERT", content: "Ada lives in London.", memoryType: "semantic" }]);
    expect(model.calls[0]!.sampling).toEqual({ temperature: 0, maxTokens: 2048 });
    expect(model.calls[0]!.tools!.map((tool) => tool.name)).toEqual([
      "new_memory_insert",
      "memory_update",
      "memory_delete",
    ]);
  });

  it("names every baseline and refuses an unknown one", () => {
    expect(BASELINE_NAMES).toEqual([
      "rag-top2",
      "long-context",
      "insert-every-fact",
      "prompted-flat",
      "prompted-memalpha",
    ]);
    expect(() => createBaseline("mem1" as never)).toThrow(
      expect.objectContaining({ code: "invalid_option", path: ["name"] }),
    );
  });
});
