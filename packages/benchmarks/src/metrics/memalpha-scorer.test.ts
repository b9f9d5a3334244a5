// Edge cases of Mem-α's scorer beyond the shared goldens.
import { describe, expect, it } from "vitest";
import { thrown } from "../test-support/thrown.js";
import {
  computeMemalphaScore,
  evaluateWrtSource,
  extractAnswerFromResponse,
  isMemalphaJudgedSource,
  stripThinking,
} from "./memalpha-scorer.js";
import { JudgeRequiredError, type MetricInputError, UnsupportedMetricError } from "./metric-errors.js";

describe("stripThinking", () => {
  it("keeps the text between the first and second </think>, and answers Empty while a <think> is left", () => {
    expect(stripThinking("<think>x</think>  Paris ")).toBe("Paris");
    expect(stripThinking("no trace")).toBe("no trace");
    expect(stripThinking("<think>unfinished")).toBe("Empty");
    expect(stripThinking("a</think>b</think>c")).toBe("b");
  });
});

describe("extractAnswerFromResponse", () => {
  it("takes the first \\boxed{} without nested braces, else the whole response, stripped", () => {
    expect(extractAnswerFromResponse("so \\boxed{ 4 } and \\boxed{5}")).toBe("4");
    expect(extractAnswerFromResponse("\\boxed{\\text{3}}")).toBe("\\text{3");
    expect(extractAnswerFromResponse("\\boxed{\n7\n}")).toBe("7");
    expect(extractAnswerFromResponse("  <answer>3</answer> ")).toBe("<answer>3</answer>");
  });
});

describe("computeMemalphaScore", () => {
  it("leaves the judged sources to the judge: lme_train and only the literal name longmemeval_s*", () => {
    expect(isMemalphaJudgedSource("lme_train")).toBe(true);
    expect(isMemalphaJudgedSource("longmemeval_s*")).toBe(true);
    expect(isMemalphaJudgedSource("longmemeval_s")).toBe(false);
    expect(thrown(() => computeMemalphaScore("lme_train", "yes", "rubric"))).toBeInstanceOf(JudgeRequiredError);
    // A real "longmemeval_s" falls through to substring match.
    expect(computeMemalphaScore("longmemeval_s", "It is blue.", ["blue"])).toBe(1);
  });

  it("takes a list gold's first element before the digit check, so an empty list raises", () => {
    expect(computeMemalphaScore("pubmed-rct", "\\boxed{2}", ["2", "3"])).toBe(1);
    expect((thrown(() => computeMemalphaScore("pubmed-rct", "none", [])) as MetricInputError).pythonError).toBe(
      "IndexError: list index out of range",
    );
  });

  it("raises for golds of the wrong shape, as the original does", () => {
    expect((thrown(() => computeMemalphaScore("perltqa", "x", ["a;b"])) as MetricInputError).pythonError).toBe(
      "AttributeError: 'list' object has no attribute 'lower'",
    );
    expect((thrown(() => computeMemalphaScore("perltqa", "x", [";"])) as MetricInputError).pythonError).toBe(
      "AttributeError: 'list' object has no attribute 'split'",
    );
    expect((thrown(() => computeMemalphaScore("perltqa", "x", 3)) as MetricInputError).pythonError).toBe(
      "TypeError: argument of type 'int' is not iterable",
    );
    expect((thrown(() => computeMemalphaScore("booksum", "x", 3)) as MetricInputError).pythonError).toBe(
      "AttributeError: 'int' object has no attribute 'split'",
    );
  });

  it("prints non-string squad golds as Python's str() does", () => {
    expect(computeMemalphaScore("squad", "the answer is none", null)).toBe(1);
    expect(computeMemalphaScore("squad", "it is true", [true])).toBe(1);
    expect(computeMemalphaScore("squad", "{'a': 1}", [{ a: 1 }])).toBe(1);
  });
});

describe("evaluateWrtSource", () => {
  it("scores icl by substring match of the parsed output and detectiveqa by equality", () => {
    expect(evaluateWrtSource("Answer: label 12\nmore", ["12"], "icl_x")).toBe(1);
    expect(evaluateWrtSource("\\boxed{B}", "B", "detectiveqa")).toBe(1);
  });

  it("raises KeyError for ruler_niah and reports recsys as unsupported", () => {
    expect((thrown(() => evaluateWrtSource("1234", ["1234"], "ruler_niah_multikey_1")) as MetricInputError).kind).toBe(
      "missing_key",
    );
    expect(thrown(() => evaluateWrtSource("x", ["1"], "recsys_redial"))).toBeInstanceOf(UnsupportedMetricError);
  });
});
