import { evidenceRecordValidator, type MemoryView } from "@finemem/spec";
import { describe, expect, it } from "vitest";
import { createExtractiveReader } from "./extractive-reader.js";

const item = (id: string, content: string, step = 1) => ({
  id,
  content,
  version: 1,
  createdStep: step,
  step,
  operationId: `o-${id}`,
});
const flatView = (...contents: string[]): MemoryView => ({
  namespace: {},
  layout: "flat",
  step: 1,
  items: contents.map((content, index) => item(`m${index + 1}`, content)),
});

describe("the extractive reader", () => {
  it("answers with the sentence that covers the question best and cites its item", async () => {
    const reader = createExtractiveReader();
    const memory = flatView(
      "Ada Lovelace lives in London. She likes tea.",
      "Aurik Quarrington's pet is called Muffin.",
      "Alvena Quarrington's pet is called Biscuit.",
    );
    const record = await reader.answer({
      question: { id: "q1", text: "What is Alvena Quarrington's pet called?" },
      memory,
    });
    expect(record.answer).toBe("Alvena Quarrington's pet is called Biscuit.");
    expect(record.citedItemIds).toEqual(["m3"]);
    expect(record.retrieved[0]).toMatchObject({ itemId: "m3", version: 1, rank: 1 });
    expect(record.score).toBeNull();
    expect(evidenceRecordValidator.validate(record).ok).toBe(true);
  });

  it("returns an empty answer and no evidence on an empty memory, citing nothing (it is a reader that cites)", async () => {
    const reader = createExtractiveReader();
    const record = await reader.answer({ question: { id: "q1", text: "Who?" }, memory: flatView() });
    expect(record).toEqual({ questionId: "q1", retrieved: [], citedItemIds: [], answer: "", score: null });
    expect(reader.cites).toBe(true);
  });

  it("reads the core paragraph first in the typed layout", async () => {
    const memory: MemoryView = {
      namespace: {},
      layout: "typed",
      step: 2,
      items: [
        { ...item("core", "The user is a marine biologist called Noor."), memoryType: "core" },
        { ...item("m1", "Noor's boat is named Petrel."), memoryType: "semantic" },
      ],
    };
    const record = await createExtractiveReader({ topK: 1 }).answer({
      question: { id: "q", text: "What is Noor's boat named?" },
      memory,
    });
    expect(record.retrieved.map((hit) => [hit.itemId, hit.rank])).toEqual([
      ["core", 1],
      ["m1", 2],
    ]);
    expect(record.answer).toBe("Noor's boat is named Petrel.");
  });

  // With the heuristic policy on synthetic instances (a score of 1.0 where no fact changes), the reader is
  // tested in @finemem/integration-tests: heuristic-policy.test.ts.

  it("refuses a top k below 1", () => {
    expect(() => createExtractiveReader({ topK: 0 })).toThrow(
      expect.objectContaining({ code: "invalid_option", path: ["topK"] }),
    );
  });
});
