import { createSeededRandom, type RandomSource } from "@finemem/utils";
import { describe, expect, it } from "vitest";
import { AttributionError } from "./attribution-error.js";
import { QUESTION_SAMPLE_FRACTIONS, subsampleQuestions } from "./subsample-questions.js";

const questions = Array.from({ length: 50 }, (_, index) => `q${index}`);

describe("seeded subsampling of the global questions", () => {
  it("takes 20% by default, in the original order, the same for the same seed", () => {
    const sample = subsampleQuestions(questions, { seed: 7 });
    expect(sample).toHaveLength(10);
    expect(sample).toEqual([...sample].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1))));
    expect(subsampleQuestions(questions, { seed: 7 })).toEqual(sample);
    expect(subsampleQuestions(questions, { seed: 8 })).not.toEqual(sample);
    expect(new Set(sample).size).toBe(10);
  });

  it("evaluation takes every question; a tiny list keeps at least one", () => {
    expect(subsampleQuestions(questions, { seed: 1, fraction: QUESTION_SAMPLE_FRACTIONS.evaluation })).toEqual(
      questions,
    );
    expect(subsampleQuestions(["only"], { seed: 1 })).toEqual(["only"]);
    expect(subsampleQuestions([], { seed: 1 })).toEqual([]);
  });

  it("accepts a forked random source, so a run's seed drives it", () => {
    const run = createSeededRandom("run-1");
    expect(subsampleQuestions(questions, { seed: run.fork("instance-3") })).toEqual(
      subsampleQuestions(questions, { seed: createSeededRandom("run-1").fork("instance-3") }),
    );
  });

  it("every question is drawn about equally often over many seeds", () => {
    const counts = new Map<string, number>();
    for (let seed = 0; seed < 2_000; seed++)
      for (const question of subsampleQuestions(questions, { seed }))
        counts.set(question, (counts.get(question) ?? 0) + 1);
    // 2,000 draws of 10 out of 50: each question 400 times in expectation (sd ≈ 18).
    for (const question of questions) expect(Math.abs(counts.get(question)! - 400)).toBeLessThan(100);
  });

  it.each([0, -0.2, 1.5, Number.NaN, "0.5" as unknown as number])("refuses fraction %s", (fraction) => {
    let error: unknown;
    try {
      subsampleQuestions(questions, { seed: 1, fraction });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(AttributionError);
    expect(error).toMatchObject({ code: "invalid_fraction", path: ["fraction"] });
    expect((error as AttributionError).message).toContain(`got ${fraction}`);
  });

  it("draws from the random source it is given", () => {
    // A source whose every draw is 0: the partial Fisher–Yates shuffle then swaps each index with
    // itself, and the sample is the first 20% of the list.
    const zeros: RandomSource = { seed: "zeros", next: () => 0, int: () => 0, fork: () => zeros };
    expect(subsampleQuestions(questions, { seed: zeros })).toEqual(questions.slice(0, 10));
  });

  it("takes no draw when it takes every question", () => {
    const refusing: RandomSource = {
      seed: "refusing",
      next: () => expect.unreachable("no draw"),
      int: () => expect.unreachable("no draw"),
      fork: () => expect.unreachable("no fork"),
    };
    expect(subsampleQuestions(questions, { seed: refusing, fraction: 1 })).toEqual(questions);
    expect(subsampleQuestions([], { seed: refusing })).toEqual([]);
  });
});
