import { describe, expect, it } from "vitest";
import { SPECIFICATION_VERSION, type EvidenceRecord, type GlobalQuestion, type MemoryItem, type MemoryView, type Metric, type Reasoner } from "@finemem/spec";
import { attributeEvidence } from "./attribute-evidence.js";
import { AttributionError } from "./attribution-error.js";
import { leaveOneOutEvidence } from "./leave-one-out.js";

const item = (id: string, content: string, step: number): MemoryItem => ({ id, content, version: 1, createdStep: step, step, operationId: `op-${id}` });
const memory: MemoryView = {
  namespace: {},
  layout: "flat",
  step: 3,
  items: [item("m1", "Ada lives in Lyon.", 1), item("m2", "Ada lived in Paris before.", 2), item("m3", "Bo drinks tea.", 3), item("m4", "Ada lives in Lyon, by the river.", 3)],
};

// A reader that retrieves every item sharing a word with the question and answers with all of them
// joined: removing an item changes the answer only if that item held the gold.
const words = (text: string) => new Set(text.toLowerCase().match(/[a-z]+/g) ?? []);
let calls = 0;
const reasoner: Reasoner = {
  specificationVersion: SPECIFICATION_VERSION,
  reasonerId: "keyword-reader",
  async answer({ question, memory: view }) {
    calls++;
    const asked = words(question.text);
    const hits = view.items.filter((candidate) => [...words(candidate.content)].some((word) => asked.has(word) && word.length > 1));
    return {
      questionId: question.id,
      retrieved: hits.map((hit, index) => ({ itemId: hit.id, version: hit.version, rank: index + 1, score: 1 })),
      answer: hits.map((hit) => hit.content).join(" "),
      score: null,
    };
  },
};
const metric: Metric = {
  specificationVersion: SPECIFICATION_VERSION,
  name: "contains",
  protocol: "memoryagentbench",
  judged: false,
  async score({ prediction, gold }) {
    return { score: prediction.toLowerCase().includes(String(gold).toLowerCase()) ? 1 : 0 };
  },
};

const questions: GlobalQuestion[] = [
  { id: "q1", question: "Where does Ada live?", gold: "Paris" },
  { id: "q2", question: "What does Bo drink?", gold: "tea" },
  { id: "q3", question: "Where was Ada born?", gold: "Rome" },
];

async function records(): Promise<EvidenceRecord[]> {
  return Promise.all(
    questions.map(async (question) => {
      const record = await reasoner.answer({ question: { id: question.id, text: question.question }, memory });
      return { ...record, score: (await metric.score({ prediction: record.answer, gold: question.gold, dataSource: "test" })).score };
    }),
  );
}

describe("leave-one-out evidence", () => {
  it("credits only the items whose removal lowers the score, and re-answers only questions that scored", async () => {
    const scored = await records();
    expect(scored.map((record) => record.retrieved.map((hit) => hit.itemId))).toEqual([["m1", "m2", "m4"], ["m3"], ["m1", "m2", "m4"]]);
    expect(scored.map((record) => record.score)).toEqual([1, 1, 0]);
    calls = 0;
    const result = await leaveOneOutEvidence({ reasoner, metric, memory, dataSource: "test", questions, records: scored, concurrency: 2 });
    // q1: three candidates, only m2 holds "Paris"; q2: one candidate; q3 scored 0, not re-answered.
    expect(result.calls).toBe(4);
    expect(calls).toBe(4);
    expect(result.questions).toEqual([
      { questionId: "q1", score: 1, items: [{ itemId: "m2", share: 1 }] },
      { questionId: "q2", score: 1, items: [{ itemId: "m3", share: 1 }] },
      { questionId: "q3", score: 0, items: [] },
    ]);
    expect(result.removals.find((removal) => removal.itemId === "m1")).toEqual({ questionId: "q1", itemId: "m1", scoreWithout: 1, drop: 0 });
    const attribution = attributeEvidence({ steps: 3, questions: result.questions, stepWeights: { m2: { 2: 1 }, m3: { 3: 1 } } });
    expect(attribution.evidence).toEqual([0, 1 / 3, 1 / 3]);
  });

  it("drop-proportional shares split a question among items by how much each removal cost", async () => {
    const partial: Metric = { ...metric, async score({ prediction }) { return { score: (prediction.includes("Paris") ? 0.6 : 0) + (prediction.includes("river") ? 0.4 : 0) }; } };
    const scored = (await records()).map((record) => ({ ...record, score: record.questionId === "q1" ? 1 : 0 }));
    const result = await leaveOneOutEvidence({ reasoner, metric: partial, memory, dataSource: "test", questions, records: scored, shares: "drop" });
    const q1 = result.questions[0]!;
    expect(q1.items.map((share) => share.itemId)).toEqual(["m2", "m4"]);
    expect(q1.items[0]!.share).toBeCloseTo(0.6, 12);
    expect(q1.items[1]!.share).toBeCloseTo(0.4, 12);
  });

  it("refuses a record without its question", async () => {
    const scored = await records();
    await expect(leaveOneOutEvidence({ reasoner, metric, memory, dataSource: "test", questions: questions.slice(1), records: scored })).rejects.toMatchObject({
      code: "missing_question",
      path: ["records", 0, "questionId"],
    });
    await expect(leaveOneOutEvidence({ reasoner, metric, memory, dataSource: "test", questions: questions.slice(1), records: scored })).rejects.toBeInstanceOf(AttributionError);
  });
});
