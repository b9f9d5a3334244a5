import {
  type EvidenceRecord,
  type GlobalQuestion,
  type MemoryItem,
  type MemoryView,
  type Metric,
  type Reasoner,
  SPECIFICATION_VERSION,
} from "@finemem/spec";
import { describe, expect, it } from "vitest";
import { attributeEvidence } from "./attribute-evidence.js";
import { AttributionError } from "./attribution-error.js";
import { leaveOneOutEvidence } from "./leave-one-out.js";

const item = (id: string, content: string, step: number): MemoryItem => ({
  id,
  content,
  version: 1,
  createdStep: step,
  step,
  operationId: `op-${id}`,
});
const memory: MemoryView = {
  namespace: {},
  layout: "flat",
  step: 3,
  items: [
    item("m1", "Ada lives in Lyon.", 1),
    item("m2", "Ada lived in Paris before.", 2),
    item("m3", "Bo drinks tea.", 3),
    item("m4", "Ada lives in Lyon, by the river.", 3),
  ],
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
    const hits = view.items.filter((candidate) =>
      [...words(candidate.content)].some((word) => asked.has(word) && word.length > 1),
    );
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
      return {
        ...record,
        score: (await metric.score({ prediction: record.answer, gold: question.gold, dataSource: "test" })).score,
      };
    }),
  );
}

describe("leave-one-out evidence", () => {
  it("credits only the items whose removal lowers the score, and re-answers only questions that scored", async () => {
    const scored = await records();
    expect(scored.map((record) => record.retrieved.map((hit) => hit.itemId))).toEqual([
      ["m1", "m2", "m4"],
      ["m3"],
      ["m1", "m2", "m4"],
    ]);
    expect(scored.map((record) => record.score)).toEqual([1, 1, 0]);
    calls = 0;
    const result = await leaveOneOutEvidence({
      reasoner,
      metric,
      memory,
      dataSource: "test",
      questions,
      records: scored,
      concurrency: 2,
    });
    // q1: three candidates, only m2 holds "Paris"; q2: one candidate; q3 scored 0, not re-answered.
    expect(result.calls).toBe(4);
    expect(calls).toBe(4);
    expect(result.questions).toEqual([
      { questionId: "q1", score: 1, items: [{ itemId: "m2", share: 1 }] },
      { questionId: "q2", score: 1, items: [{ itemId: "m3", share: 1 }] },
      { questionId: "q3", score: 0, items: [] },
    ]);
    expect(result.removals.find((removal) => removal.itemId === "m1")).toEqual({
      questionId: "q1",
      itemId: "m1",
      scoreWithout: 1,
      drop: 0,
    });
    const attribution = attributeEvidence({
      steps: 3,
      questions: result.questions,
      stepWeights: { m2: { 2: 1 }, m3: { 3: 1 } },
    });
    expect(attribution.evidence).toEqual([0, 1 / 3, 1 / 3]);
  });

  it("drop-proportional shares split a question among items by how much each removal cost", async () => {
    const partial: Metric = {
      ...metric,
      async score({ prediction }) {
        return { score: (prediction.includes("Paris") ? 0.6 : 0) + (prediction.includes("river") ? 0.4 : 0) };
      },
    };
    const scored = (await records()).map((record) => ({ ...record, score: record.questionId === "q1" ? 1 : 0 }));
    const result = await leaveOneOutEvidence({
      reasoner,
      metric: partial,
      memory,
      dataSource: "test",
      questions,
      records: scored,
      shares: "drop",
    });
    const q1 = result.questions[0]!;
    expect(q1.items.map((share) => share.itemId)).toEqual(["m2", "m4"]);
    expect(q1.items[0]!.share).toBeCloseTo(0.6, 12);
    expect(q1.items[1]!.share).toBeCloseTo(0.4, 12);
  });

  it("equal shares (the default) split a question evenly among the items whose removal lowered it", async () => {
    // Removing m2 (Paris) costs 0.6 and removing m4 (river) 0.4, but by default each gets half.
    const partial: Metric = {
      ...metric,
      async score({ prediction }) {
        return { score: (prediction.includes("Paris") ? 0.6 : 0) + (prediction.includes("river") ? 0.4 : 0) };
      },
    };
    const scored = (await records()).map((record) => ({ ...record, score: record.questionId === "q1" ? 1 : 0 }));
    const result = await leaveOneOutEvidence({
      reasoner,
      metric: partial,
      memory,
      dataSource: "test",
      questions,
      records: scored,
    });
    expect(result.questions[0]).toEqual({
      questionId: "q1",
      score: 1,
      items: [
        { itemId: "m2", share: 0.5 },
        { itemId: "m4", share: 0.5 },
      ],
    });
  });

  it("drop-proportional shares divide each drop by the sum of the drops", async () => {
    // q1's answer joins m1, m2 and m4: Lyon 1/4 + Paris 1/2 + river 1/8 = 7/8. Without m1 it keeps
    // Lyon (m4 has it too): no drop. Without m2: 3/8, a drop of 1/2. Without m4: 3/4, a drop of 1/8.
    // Shares: (1/2) / (5/8) = 0.8 and (1/8) / (5/8) = 0.2.
    const weighted: Metric = {
      ...metric,
      async score({ prediction }) {
        return {
          score:
            (prediction.includes("Lyon") ? 0.25 : 0) +
            (prediction.includes("Paris") ? 0.5 : 0) +
            (prediction.includes("river") ? 0.125 : 0),
        };
      },
    };
    const scored = (await records()).map((record) => ({ ...record, score: record.questionId === "q1" ? 0.875 : 0 }));
    const result = await leaveOneOutEvidence({
      reasoner,
      metric: weighted,
      memory,
      dataSource: "test",
      questions,
      records: scored,
      shares: "drop",
    });
    expect(result.removals).toEqual([
      { questionId: "q1", itemId: "m1", scoreWithout: 0.875, drop: 0 },
      { questionId: "q1", itemId: "m2", scoreWithout: 0.375, drop: 0.5 },
      { questionId: "q1", itemId: "m4", scoreWithout: 0.75, drop: 0.125 },
    ]);
    const [m2, m4] = result.questions[0]!.items;
    expect(m2).toMatchObject({ itemId: "m2" });
    expect(m2!.share).toBeCloseTo(0.8, 12);
    expect(m4).toMatchObject({ itemId: "m4" });
    expect(m4!.share).toBeCloseTo(0.2, 12);
  });

  it("cited candidates: only the cited items are tried", async () => {
    // q1 cites m1 and m2 out of its three retrieved items; the others cite nothing and are not re-answered.
    const scored = (await records()).map((record) =>
      record.questionId === "q1" ? { ...record, citedItemIds: ["m1", "m2"] } : record,
    );
    const result = await leaveOneOutEvidence({
      reasoner,
      metric,
      memory,
      dataSource: "test",
      questions,
      records: scored,
      candidates: "cited",
    });
    expect(result.calls).toBe(2);
    expect(result.removals.map((removal) => removal.itemId)).toEqual(["m1", "m2"]);
    expect(result.questions.map((question) => question.items)).toEqual([[{ itemId: "m2", share: 1 }], [], []]);
  });

  it("passes the caller's signal to every reasoner and metric call, and no signal when there is none", async () => {
    const seen: unknown[] = [];
    const watchedReasoner: Reasoner = {
      ...reasoner,
      answer: (input, options) => {
        seen.push(options);
        return reasoner.answer(input, options);
      },
    };
    const watchedMetric: Metric = {
      ...metric,
      score: (input, options) => {
        seen.push(options);
        return metric.score(input, options);
      },
    };
    const scored = await records();
    await leaveOneOutEvidence({
      reasoner: watchedReasoner,
      metric: watchedMetric,
      memory,
      dataSource: "test",
      questions,
      records: scored,
    });
    // Four re-answers (see above), each answered and scored.
    expect(seen).toHaveLength(8);
    for (const options of seen) expect(options).toStrictEqual({});
    seen.length = 0;
    const controller = new AbortController();
    await leaveOneOutEvidence({
      reasoner: watchedReasoner,
      metric: watchedMetric,
      memory,
      dataSource: "test",
      questions,
      records: scored,
      signal: controller.signal,
    });
    expect(seen).toHaveLength(8);
    for (const options of seen) expect(options).toStrictEqual({ signal: controller.signal });
  });

  it("refuses a record without its question", async () => {
    const scored = await records();
    await expect(
      leaveOneOutEvidence({
        reasoner,
        metric,
        memory,
        dataSource: "test",
        questions: questions.slice(1),
        records: scored,
      }),
    ).rejects.toMatchObject({
      code: "missing_question",
      path: ["records", 0, "questionId"],
    });
    const error = await leaveOneOutEvidence({
      reasoner,
      metric,
      memory,
      dataSource: "test",
      questions: questions.slice(1),
      records: scored,
    }).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(AttributionError);
    expect((error as AttributionError).message).toContain('"q1"');
  });
});
