import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rougeFmeasure, rougeL, rougeLScores, rougeLsum, rougeTokenize } from "./rouge.js";

describe("rougeTokenize", () => {
  it("keeps ASCII letters and digits only, and stems words longer than three characters", () => {
    expect(rougeTokenize("The cats are RUNNING!")).toEqual(["the", "cat", "are", "run"]);
    // Non-ASCII letters split words: the original's tokenizer is ASCII-only.
    expect(rougeTokenize("Rogério Ceni")).toEqual(["rog", "rio", "ceni"]);
    expect(rougeTokenize("  ...  ")).toEqual([]);
    expect(rougeTokenize("x2 3.14")).toEqual(["x2", "3", "14"]);
  });
});

describe("rougeL", () => {
  it("scores the longest common subsequence", () => {
    const score = rougeL("the cat sat on the mat", "the cat on mat");
    expect(score.precision).toBe(1);
    expect(score.recall).toBe(4 / 6);
    expect(score.fmeasure).toBe((2 * 1 * (4 / 6)) / (1 + 4 / 6));
  });

  it("is zero when either side has no token", () => {
    expect(rougeL("", "paris")).toEqual({ precision: 0, recall: 0, fmeasure: 0 });
    expect(rougeL("paris", "!!!")).toEqual({ precision: 0, recall: 0, fmeasure: 0 });
  });
});

describe("rougeLsum", () => {
  it("takes the union LCS per reference sentence, counting each token at most as often as both sides have it", () => {
    // Reference sentences [a b] and [b a] against the one candidate sentence [b a b]: the first
    // sentence hits a and b, the second only b again (the candidate's single a is used up).
    const summary = rougeLsum("a b\n\nb a", "b a b");
    expect(summary.recall).toBe(3 / 4);
    expect(summary.precision).toBe(1);
    expect(summary.fmeasure).toBe(rougeFmeasure(1, 3 / 4));
    // Without the sentence split the LCS of [a b b a] and [b a b] is 2.
    expect(rougeL("a b\n\nb a", "b a b").fmeasure).toBe(rougeFmeasure(2 / 3, 2 / 4));
  });

  it("equals rougeL on single-line texts, and every figure lies in [0, 1]", () => {
    const word = fc.constantFrom("the", "cat", "cats", "running", "ran", "a", "Paris", "42", "ß", "-");
    const line = fc.array(word, { maxLength: 8 }).map((words) => words.join(" "));
    fc.assert(
      fc.property(line, line, (target, prediction) => {
        const { rougeL: l, rougeLsum: lsum } = rougeLScores(target, prediction);
        expect(lsum).toEqual(l);
        for (const value of [l.precision, l.recall, l.fmeasure]) expect(value >= 0 && value <= 1).toBe(true);
        if (rougeTokenize(target).length > 0) expect(rougeL(target, target).fmeasure).toBe(1);
      }),
    );
  });
});
