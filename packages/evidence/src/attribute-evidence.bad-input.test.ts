import { rejection } from "@finemem/testing";
import { describe, expect, it } from "vitest";
import { attributeEvidence } from "./attribute-evidence.js";
import { AttributionError } from "./attribution-error.js";
import type { AttributionInput } from "./contributions.js";
import { equalShares } from "./question-evidence.js";

const base: AttributionInput = {
  steps: 2,
  questions: [{ questionId: "q1", score: 0.5, items: equalShares(["m1"]) }],
  stepWeights: { m1: { 2: 1 } },
};

async function failure(input: AttributionInput): Promise<AttributionError> {
  const error = await rejection(() => attributeEvidence(input));
  expect(error).toBeInstanceOf(AttributionError);
  return error as AttributionError;
}

describe("attribution of bad input: a typed error naming what was wrong, never a silent NaN", () => {
  it.each([
    ["T = 0", { steps: 0 }, "invalid_steps", ["steps"]],
    ["fractional T", { steps: 1.5 }, "invalid_steps", ["steps"]],
    ["NaN β", { beta: Number.NaN }, "invalid_beta", ["beta"]],
    ["β above 1", { beta: 1.2 }, "invalid_beta", ["beta"]],
  ] as const)("%s", async (_name, patch, code, path) => {
    const error = await failure({ ...base, ...patch });
    expect(error.code).toBe(code);
    expect(error.path).toEqual(path);
  });

  it.each([
    ["a score above 1", 1.5],
    ["a negative score", -0.1],
    ["a NaN score", Number.NaN],
  ])("%s", async (_name, score) => {
    const error = await failure({ ...base, questions: [{ questionId: "q1", score, items: equalShares(["m1"]) }] });
    expect(error.code).toBe("invalid_score");
    expect(error.path).toEqual(["questions", 0, "score"]);
    expect(error.message).toContain("q1");
  });

  it("an evidence id not in the memory: an error by default, U on request", async () => {
    const input = { ...base, questions: [{ questionId: "q1", score: 0.5, items: equalShares(["m1", "m9"]) }] };
    const error = await failure(input);
    expect(error.code).toBe("unknown_evidence_item");
    expect(error.path).toEqual(["questions", 0, "items", 1, "itemId"]);
    expect(error.message).toContain("m9");
    const attribution = attributeEvidence({ ...input, unknownItems: "unattributed" });
    expect(attribution.evidence).toEqual([0, 0.25]);
    expect(attribution.unattributed).toBe(0.25);
    expect(attribution.unknownItemIds).toEqual(["m9"]);
  });

  it("φ weights that do not sum to 1, or are NaN", async () => {
    expect((await failure({ ...base, stepWeights: { m1: { 1: 0.5, 2: 0.3 } } })).code).toBe("invalid_step_weights");
    const nan = await failure({ ...base, stepWeights: { m1: { 2: Number.NaN } } });
    expect(nan.code).toBe("invalid_step_weights");
    expect(nan.path.slice(0, 2)).toEqual(["stepWeights", "m1"]);
  });

  it("shares that do not sum to 1, NaN shares, a repeated item or question", async () => {
    expect((await failure({ ...base, questions: [{ questionId: "q1", score: 1, items: [{ itemId: "m1", share: 0.4 }] }] })).code).toBe("invalid_shares");
    expect((await failure({ ...base, questions: [{ questionId: "q1", score: 1, items: [{ itemId: "m1", share: Number.NaN }] }] })).code).toBe("invalid_shares");
    expect((await failure({ ...base, questions: [{ questionId: "q1", score: 1, items: [{ itemId: "m1", share: 0.5 }, { itemId: "m1", share: 0.5 }] }] })).code,
    ).toBe("duplicate_item");
    expect((await failure({ ...base, questions: [...base.questions, ...base.questions] })).code).toBe("duplicate_question");
  });

  it("defined values: a question with no evidence goes to U; no scored question gives zeros", () => {
    const noEvidence = attributeEvidence({ ...base, questions: [{ questionId: "q1", score: 0.8, items: [] }] });
    expect(noEvidence).toMatchObject({ global: 0.8, unattributed: 0.8, evidence: [0, 0], questionsWithoutEvidence: 1 });
    expect(noEvidence.eara[0]).toBeCloseTo(0.2, 15);
    const none = attributeEvidence({ ...base, questions: [] });
    expect(none).toMatchObject({ global: 0, unattributed: 0, evidence: [0, 0], eara: [0, 0], questionsScored: 0 });
  });
});
