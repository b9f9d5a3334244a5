import {
  AbortedError,
  type MemoryItem,
  type MemoryView,
  type Metric,
  type MetricInput,
  type Reasoner,
  SPECIFICATION_VERSION,
} from "@finemem/spec";
import { describe, expect, it } from "vitest";
import { createChunkStepScorer } from "./chunk-step-scorer.js";
import { StepRewardError } from "./step-reward-error.js";

const view = (step: number, contents: string[]): MemoryView => ({
  namespace: {},
  layout: "flat",
  step,
  items: contents.map(
    (content, index): MemoryItem => ({
      id: `m${index + 1}`,
      content,
      version: 1,
      createdStep: 1,
      step: 1,
      operationId: `o${index}`,
    }),
  ),
});

// Answers with every item that shares a capitalised word with the question; counts calls in flight.
let inFlight = 0;
let peak = 0;
const reader: Reasoner = {
  specificationVersion: SPECIFICATION_VERSION,
  reasonerId: "name-reader",
  async answer({ question, memory }) {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise((resolve) => setImmediate(resolve));
    inFlight--;
    const names = question.text.match(/\b[A-Z][a-z]+\b/g) ?? [];
    const hits = memory.items.filter((item) =>
      names.some((name) => name !== "Who" && name !== "Where" && item.content.includes(name)),
    );
    return {
      questionId: question.id,
      retrieved: hits.map((item, index) => ({ itemId: item.id, version: 1, rank: index + 1, score: 1 })),
      answer: hits.map((item) => item.content).join(" "),
      score: null,
    };
  },
};

const questions = [
  { id: "c1.q0", question: "Where does Ada live?", gold: "Lyon" },
  { id: "c1.q1", question: "Where does Bo work?", gold: "Corvex" },
];

describe("the chunk-level step scorer", () => {
  it("r_chunk(t) is the share of chunk t's questions answered right from M_t, under each question's metric", async () => {
    const scorer = createChunkStepScorer({ reasoner: reader });
    const full = await scorer.scoreStep({
      step: 1,
      questions,
      memory: view(1, ["Ada lives in Lyon.", "Bo works at Corvex."]),
    });
    expect(full.score).toBe(1);
    expect(full.answers.map((answer) => answer.retrievedItemIds)).toEqual([["m1"], ["m2"]]);
    const half = await scorer.scoreStep({ step: 1, questions, memory: view(1, ["Ada lives in Lyon."]) });
    expect(half.score).toBe(0.5);
    expect(half.answers[1]).toEqual({ questionId: "c1.q1", answer: "", score: 0, retrievedItemIds: [] });
  });

  it("a chunk without questions scores null, not 0", async () => {
    const scorer = createChunkStepScorer({ reasoner: reader });
    expect(await scorer.scoreStep({ step: 2, questions: [], memory: view(2, []) })).toEqual({
      step: 2,
      score: null,
      answers: [],
    });
  });

  it("answers many steps' questions through one bounded pool, results in step order", async () => {
    peak = 0;
    const scorer = createChunkStepScorer({ reasoner: reader, concurrency: 3 });
    const inputs = Array.from({ length: 6 }, (_, index) => ({
      step: index + 1,
      questions,
      memory: view(index + 1, index % 2 === 0 ? ["Ada lives in Lyon.", "Bo works at Corvex."] : []),
    }));
    const scores = await scorer.scoreSteps(inputs);
    expect(scores.map((score) => score.score)).toEqual([1, 0, 1, 0, 1, 0]);
    expect(scores.map((score) => score.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(peak).toBe(3);
  });

  it("scores a question by the route it records, else by substring match", async () => {
    const scorer = createChunkStepScorer({ reasoner: reader });
    // The reader answers "Ada lives in Lyon." for both. The unrouted question is scored by substring
    // match: "lyon" occurs in the answer, 1. The icl route scores exact match of the parsed output:
    // "ada lives in lyon" is not "lyon", 0. Mean (1 + 0) / 2 = 0.5.
    const routed = [
      { id: "c1.q0", question: "Where does Ada live?", gold: "Lyon" },
      {
        id: "c1.q1",
        question: "Where does Ada live?",
        gold: "Lyon",
        metric: { protocol: "memoryagentbench", dataSource: "icl_demo" },
      },
    ] as const;
    const result = await scorer.scoreStep({ step: 1, questions: routed, memory: view(1, ["Ada lives in Lyon."]) });
    expect(result.answers.map((answer) => answer.score)).toEqual([1, 0]);
    expect(result.score).toBe(0.5);
  });

  it("a metric passed in overrides every question's route, and gets the route's data source", async () => {
    const inputs: MetricInput[] = [];
    const quarter: Metric = {
      specificationVersion: SPECIFICATION_VERSION,
      name: "quarter",
      protocol: "memalpha",
      judged: false,
      async score(input) {
        inputs.push(input);
        return { score: 0.25 };
      },
    };
    const scorer = createChunkStepScorer({ reasoner: reader, metric: quarter });
    const routed = [
      { ...questions[0]!, metric: { protocol: "memoryagentbench", dataSource: "icl_demo" } },
      questions[1]!,
    ] as const;
    const result = await scorer.scoreStep({ step: 3, questions: routed, memory: view(3, ["Ada lives in Lyon."]) });
    // Two questions at 0.25 each: mean 0.25, though substring match would have given 1 and 0.
    expect(result).toMatchObject({ step: 3, score: 0.25 });
    expect(inputs).toEqual([
      { prediction: "Ada lives in Lyon.", gold: "Lyon", dataSource: "icl_demo", question: "Where does Ada live?" },
      { prediction: "", gold: "Corvex", dataSource: "chunk_qa", question: "Where does Bo work?" },
    ]);
  });

  it("sends the reasoner the question and M_t, and no data source", async () => {
    const seen: unknown[] = [];
    const spy: Reasoner = {
      ...reader,
      reasonerId: "spy",
      answer: async (input, options) => {
        seen.push(input);
        return reader.answer(input, options);
      },
    };
    const scorer = createChunkStepScorer({ reasoner: spy });
    expect(scorer.reasonerId).toBe("spy");
    const memory = view(1, ["Ada lives in Lyon."]);
    await scorer.scoreStep({ step: 1, questions: [questions[0]!], memory });
    expect(seen).toEqual([{ question: { id: "c1.q0", text: "Where does Ada live?" }, memory }]);
  });

  it("stops on abort and refuses a bad concurrency", async () => {
    const scorer = createChunkStepScorer({ reasoner: reader });
    const controller = new AbortController();
    controller.abort();
    await expect(
      scorer.scoreStep({ step: 1, questions, memory: view(1, []) }, { signal: controller.signal }),
    ).rejects.toBeInstanceOf(AbortedError);
    expect(() => createChunkStepScorer({ reasoner: reader, concurrency: 0 })).toThrow(StepRewardError);
    expect(() => createChunkStepScorer({ reasoner: reader, concurrency: 2.5 })).toThrow(
      expect.objectContaining({ code: "invalid_option", path: ["concurrency"] }),
    );
  });
});
