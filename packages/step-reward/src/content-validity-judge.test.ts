import type { LanguageModel } from "@finemem/spec";
import { createScriptedLanguageModel } from "@finemem/spec/testing";
import { describe, expect, it } from "vitest";
import {
  CONTENT_VALIDITY_PROMPT,
  CONTENT_VALIDITY_PROMPT_HASH,
  CONTENT_VALIDITY_PROMPT_VERSION,
  createContentValidityJudge,
} from "./content-validity-judge.js";
import { StepRewardError } from "./step-reward-error.js";

/** A reply as a backend that reports the answering model would give it. */
const reply = (text: string, modelId?: string) => ({
  text,
  toolCalls: [],
  finishReason: "stop" as const,
  usage: { promptTokens: 1, completionTokens: 1 },
  ...(modelId === undefined ? {} : { modelId }),
});

describe("the content-validity judge", () => {
  it("judges each entry the step wrote against its chunk; r_content is the share judged valid", async () => {
    const model = createScriptedLanguageModel(
      (request) => (request.messages[0]!.content.includes("Ada owns a dragon") ? "No." : "Yes"),
      { modelId: "judge-model" },
    );
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
    expect(
      (await judge.judge({ chunk: { id: "c", text: "t" }, operations: [{ type: "INSERT", content: "x" }] })).score,
    ).toBe(0);
    expect((await judge.judge({ chunk: { id: "c", text: "t" }, operations: [{ type: "SKIP" }] })).score).toBeNull();
    expect(model.calls).toHaveLength(1);
  });

  it("sends the whole prompt, one user message, with the chunk and the entry filled in once", async () => {
    const model = createScriptedLanguageModel(["yes"]);
    const judge = createContentValidityJudge({ model });
    // Braces in the texts are not placeholders: the chunk's "{entry}" and the entry's "{chunk}" stay as written.
    await judge.judge({
      chunk: { id: "c1", text: "Ada wrote {entry} on the wall." },
      operations: [{ type: "INSERT", content: "Ada wrote {chunk}." }],
    });
    expect(model.calls[0]!.messages).toEqual([
      {
        role: "user",
        content: [
          "A memory manager read the passage below and wrote one entry into its long-term memory.",
          "",
          "Passage:",
          "Ada wrote {entry} on the wall.",
          "",
          "Memory entry:",
          "Ada wrote {chunk}.",
          "",
          "Is the entry a faithful, self-contained record of information in the passage: nothing invented,",
          "nothing contradicting the passage, and understandable without the passage at hand?",
          "Reply with the single word yes or the single word no.",
        ].join("\n"),
      },
    ]);
    // Greedy and short by default: the verdict is one word.
    expect(model.calls[0]!.sampling).toEqual({ temperature: 0, maxTokens: 8 });
  });

  it("names the prompt by version and the first 16 hex digits of its sha256", () => {
    expect(CONTENT_VALIDITY_PROMPT_VERSION).toBe("finemem-content-validity-v1");
    // sha256 of the prompt text, from coreutils' sha256sum: a new wording must come with a new version.
    expect(CONTENT_VALIDITY_PROMPT_HASH).toBe("finemem-content-validity-v1:b060d0c043aec4f2");
    expect(CONTENT_VALIDITY_PROMPT).toContain("{chunk}");
  });

  it("passes the sampling given, and reports the model the backend says answered", async () => {
    const served: LanguageModel = {
      specificationVersion: "v1",
      provider: "test",
      modelId: "configured",
      generate: async () => reply("yes", "served-judge"),
    };
    const silent: LanguageModel = { ...served, generate: async () => reply("yes") };
    const request = { chunk: { id: "c", text: "t" }, operations: [{ type: "INSERT", content: "x" }] } as const;
    expect((await createContentValidityJudge({ model: served }).judge(request)).judge.modelId).toBe("served-judge");
    expect((await createContentValidityJudge({ model: silent }).judge(request)).judge.modelId).toBe("configured");
    const scripted = createScriptedLanguageModel(["yes"]);
    await createContentValidityJudge({ model: scripted, sampling: { temperature: 0.7, seed: 3 } }).judge(request);
    expect(scripted.calls[0]!.sampling).toEqual({ temperature: 0.7, seed: 3 });
  });

  it("keeps four judge calls in flight by default", async () => {
    let inFlight = 0;
    let most = 0;
    const model: LanguageModel = {
      specificationVersion: "v1",
      provider: "test",
      modelId: "slow",
      async generate() {
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
        return reply("yes");
      },
    };
    const operations = Array.from({ length: 7 }, (_, i) => ({ type: "INSERT" as const, content: `fact ${i}` }));
    const result = await createContentValidityJudge({ model }).judge({ chunk: { id: "c", text: "t" }, operations });
    expect(result.score).toBe(1);
    expect(most).toBe(4);
  });

  it("refuses a concurrency below 1, naming it", () => {
    const model = createScriptedLanguageModel([]);
    expect(() => createContentValidityJudge({ model, concurrency: 0 })).toThrow(StepRewardError);
    expect(() => createContentValidityJudge({ model, concurrency: 0 })).toThrow(
      expect.objectContaining({ code: "invalid_option", path: ["concurrency"] }),
    );
  });
});
