// Edge cases beyond the shared goldens. Expected values were computed with the original functions
// under CPython 3.11.
import { describe, expect, it } from "vitest";
import { thrown } from "../test-support/thrown.js";
import {
  calculateMetrics,
  drqaMetricMaxOverGroundTruths,
  f1Score,
  normalizeAnswer,
  parseOutput,
  postProcess,
  substringExactMatchScore,
} from "./memoryagentbench-scorer.js";
import { MetricInputError, UnsupportedMetricError } from "./metric-errors.js";

describe("normalizeAnswer", () => {
  it("uses Python's Unicode word boundaries: a combining mark is not a word character", () => {
    // "a" + U+0301: the article "a" ends at the mark, so it is removed and the mark is left alone.
    expect(normalizeAnswer("a\u0301 b")).toBe("\u0301 b");
    expect(normalizeAnswer("the\u0301 x")).toBe("\u0301 x");
    expect(normalizeAnswer("x the\u093f")).toBe("x \u093f");
    // Letters and numbers of any script are word characters, so these articles stay.
    expect(normalizeAnswer("ñthe the²")).toBe("ñthe the²");
  });

  it("drops punctuation before articles, and splits on Python whitespace only", () => {
    expect(normalizeAnswer("an_the")).toBe("anthe");
    expect(normalizeAnswer("THE\u2028A\u2029an")).toBe("");
  });
});

describe("parseOutput", () => {
  it("reads to the newline only: \\r and the Unicode line separators belong to the answer", () => {
    expect(parseOutput("Answer: Paris\u2028more\nnext")).toBe("Paris\u2028more");
    expect(parseOutput("Answer: Paris\rmore")).toBe("Paris\rmore");
    expect(parseOutput("x\u2028y\nz")).toBe("x\u2028y");
  });

  it("matches the prefix with Unicode case folding, and removes one repeated prefix", () => {
    expect(parseOutput("anſwer: x")).toBe("x");
    expect(parseOutput("ANSWER\u212a: y")).toBe("ANSWER\u212a: y");
    expect(parseOutput("Answer: Answer: Answer: z")).toBe("Answer: z");
  });
});

describe("metrics over golds", () => {
  it("keeps the first of equal maxima, so a bool stays a bool and F1's int zero stays 0", () => {
    expect(drqaMetricMaxOverGroundTruths(substringExactMatchScore, "x", ["b", "c"])).toBe(false);
    expect(drqaMetricMaxOverGroundTruths((p, g) => f1Score(p, g)[0], "x", ["b", "c"])).toBe(0);
  });

  it("flattens one level when the first gold is a list, iterating strings character by character", () => {
    // [["Paris"], "ab"] flattens to "Paris", "a", "b" in Python.
    expect(calculateMetrics("b", [["Paris"], "ab"]).exact_match).toBe(true);
  });

  it("throws the Python error for golds it cannot score", () => {
    const empty = thrown(() => calculateMetrics("x", []));
    expect(empty).toBeInstanceOf(MetricInputError);
    expect((empty as MetricInputError).kind).toBe("empty_ground_truths");
    const number = thrown(() => calculateMetrics("x", [3]));
    expect((number as MetricInputError).pythonError).toBe("AttributeError: 'int' object has no attribute 'lower'");
    expect((thrown(() => calculateMetrics("x", 3)) as MetricInputError).kind).toBe("wrong_type");
  });
});

describe("postProcess", () => {
  it("divides by the gold count first on eventqa and ruler_niah, so an empty list is a ZeroDivisionError", () => {
    for (const subDataset of ["eventqa_full", "ruler_niah_single_1"]) {
      const error = thrown(() => postProcess(subDataset, "x", []));
      expect((error as MetricInputError).pythonError).toBe("ZeroDivisionError: division by zero");
    }
  });

  it("reads choice_eng's option from the gold's second element", () => {
    expect((thrown(() => postProcess("infbench_choice_eng", "B", ["B"])) as MetricInputError).pythonError).toBe(
      "IndexError: list index out of range",
    );
    // A string gold is indexed by character: the "option" of "BParis" is "P".
    expect(postProcess("infbench_choice_eng", "a p", "BParis").metrics.substring_exact_match).toBe(true);
  });

  it("routes any name containing 'icl' to the ICL rule, as the original's substring test does", () => {
    const { metrics, info } = postProcess("infbench_article", "Answer: x\nmore", ["x"]);
    expect(info.parsedOutput).toBe("x");
    expect(metrics.exact_match).toBe(true);
  });

  it("reports recsys as unsupported", () => {
    const error = thrown(() => postProcess("recsys_redial_full", "1. Heat", ["123"]));
    expect(error).toBeInstanceOf(UnsupportedMetricError);
    expect((error as UnsupportedMetricError).rule).toBe("memoryagentbench:recsys");
  });
});
