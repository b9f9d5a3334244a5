import { describe, expect, it } from "vitest";
import { createScriptedLanguageModel } from "@finemem/spec/test";
import { CONTENT_VALIDITY_PROMPT_HASH, createContentValidityJudge } from "./content-validity-judge.js";

describe("the content-validity judge", () => {
  it("judges each entry the step wrote against its chunk; r_content is the share judged valid", async () => {
    const model = createScriptedLanguageModel((request) => (request.messages[0]!.content.includes("Ada owns a dragon") ? "No." : "Yes"), { modelId: "judge-model" });
    const judge = createContentValidityJudge({ model, concurrency: 2 });
    const result = await judge.judge({
      chunk: { id: "c1", text: "Ada lives in Lyon. She owns a cat." },
      operations: [
        { type: "INSERT", content: "Ada lives in Lyon." },
        { type: "SKIP" },
        { type: "UPDATE", id: "m1", content: "Ada owns a dragon." },
        { type: "DELETE", id: "m2" },
      ],
    });
    expect(result.score).toBe(0.5);
    expect(result.verdicts.map((verdict) => [verdict.operationIndex, verdict.valid])).toEqual([
      [0, true],
      [2, false],
    ]);
    expect(result.judge).toEqual({ modelId: "judge-model", promptHash: CONTENT_VALIDITY_PROMPT_HASH, ownPrompt: true });
    expect(model.calls).toHaveLength(2);
    expect(model.calls[0]!.messages[0]!.content).toContain("Passage:\nAda lives in Lyon. She owns a cat.");
  });

  it("an evasive verdict counts as invalid; a step that wrote nothing scores null without a call", async () => {
    const model = createScriptedLanguageModel(["Yes and no, hard to say."]);
    const judge = createContentValidityJudge({ model });
    expect((await judge.judge({ chunk: { id: "c", text: "t" }, operations: [{ type: "INSERT", content: "x" }] })).score).toBe(0);
    expect((await judge.judge({ chunk: { id: "c", text: "t" }, operations: [{ type: "SKIP" }] })).score).toBeNull();
    expect(model.calls).toHaveLength(1);
  });
});
