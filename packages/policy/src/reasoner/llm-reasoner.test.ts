import { evidenceRecordValidator, type MemoryView } from "@finemem/spec";
import { createScriptedLanguageModel } from "@finemem/spec/testing";
import { describe, expect, it } from "vitest";
import { createLlmReasoner } from "./llm-reasoner.js";
import { QUESTION_PREFIXES, questionPrefixFor } from "./question-prefixes.js";
import { splitCitations } from "./reader-prompts.js";

const item = (id: string, content: string) => ({
  id,
  content,
  version: 2,
  createdStep: 1,
  step: 3,
  operationId: `o-${id}`,
});
const memory: MemoryView = {
  namespace: {},
  layout: "flat",
  step: 3,
  items: [
    item("m1", "Ada Lovelace lives in London."),
    item("m2", "The mascot of Acme Foods is a fox."),
    item("m3", "Ada Lovelace owns a cat named Byron."),
  ],
};

describe("the LLM reasoning agent", () => {
  it("shows the retrieved items numbered, returns the answer and the retrieved set as evidence", async () => {
    const model = createScriptedLanguageModel(["  Byron \n"]);
    const reasoner = createLlmReasoner({ model, topK: 2 });
    const record = await reasoner.answer({ question: { id: "q1", text: "Which cat does Ada Lovelace own?" }, memory });
    expect(record).toEqual({
      questionId: "q1",
      retrieved: [
        { itemId: "m3", version: 2, rank: 1, score: expect.any(Number) },
        { itemId: "m1", version: 2, rank: 2, score: expect.any(Number) },
      ],
      answer: "Byron",
      score: null,
    });
    const prompt = model.calls[0]!.messages[1]!.content;
    expect(prompt).toContain("[1] Ada Lovelace owns a cat named Byron.\n[2] Ada Lovelace lives in London.");
    expect(prompt).toContain("Question: Which cat does Ada Lovelace own?");
    expect(prompt).not.toContain("Evidence");
    expect(model.calls[0]!.sampling).toEqual({ temperature: 0, maxTokens: 512 });
    expect(evidenceRecordValidator.validate(record).ok).toBe(true);
    expect(reasoner.promptHash).toMatch(/^finemem-reader-v1:[0-9a-f]{16}$/);
  });

  it("maps cited note numbers to item ids and drops numbers it was not shown", async () => {
    const model = createScriptedLanguageModel(["Byron\nEvidence: [1, 7, 1]"]);
    const record = await createLlmReasoner({ model, topK: 2, cite: true }).answer({
      question: { id: "q1", text: "Which cat does Ada Lovelace own?" },
      memory,
    });
    expect(record.answer).toBe("Byron");
    expect(record.citedItemIds).toEqual(["m3"]);
    expect(model.calls[0]!.messages[1]!.content).toContain('"Evidence:"');
  });

  it("puts the data source's instruction before the memory", async () => {
    const model = createScriptedLanguageModel(["\\boxed{3}"]);
    await createLlmReasoner({ model }).answer({
      question: { id: "q", text: "Input: the grant was approved", dataSource: "icl_banking77_5900shot_balance" },
      memory,
    });
    expect(model.calls[0]!.messages[1]!.content.startsWith(QUESTION_PREFIXES["pubmed-rct"]!)).toBe(true);
    expect(questionPrefixFor("squad")).toBeUndefined();
    expect(questionPrefixFor("booksum", { booksum: null })).toBeUndefined();
    expect(questionPrefixFor("squad", { squad: "Answer in one word." })).toBe("Answer in one word.");
  });

  it("keeps placeholder-like text in notes and questions as written", async () => {
    const model = createScriptedLanguageModel(["ok"]);
    const odd: MemoryView = { ...memory, items: [item("m1", "The template says {question} and {memory}.")] };
    await createLlmReasoner({ model }).answer({
      question: { id: "q", text: "What does the template say about {prefix}?" },
      memory: odd,
    });
    const prompt = model.calls[0]!.messages[1]!.content;
    expect(prompt).toContain("[1] The template says {question} and {memory}.");
    expect(prompt).toContain("Question: What does the template say about {prefix}?");
  });
});

describe("splitCitations", () => {
  it("takes the last Evidence line and keeps the rest as the answer", () => {
    expect(splitCitations("Paris\n**Evidence:** 2 and 3", 3)).toEqual({ answer: "Paris", cited: [2, 3] });
    expect(splitCitations("Evidence: [1]\nParis\nevidence: [4]", 4)).toEqual({
      answer: "Evidence: [1]\nParis",
      cited: [4],
    });
    expect(splitCitations("Paris", 3)).toEqual({ answer: "Paris", cited: [] });
    expect(splitCitations("Paris\nEvidence: [0, 9]", 3)).toEqual({ answer: "Paris", cited: [] });
  });
});
