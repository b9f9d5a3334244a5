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
    ["T = 0", { steps: 0 }, "invalid_steps", ["steps"], "steps", "0"],
    ["fractional T", { steps: 1.5 }, "invalid_steps", ["steps"], "steps", "1.5"],
    ["NaN β", { beta: Number.NaN }, "invalid_beta", ["beta"], "beta", "NaN"],
    ["β above 1", { beta: 1.2 }, "invalid_beta", ["beta"], "beta", "1.2"],
    ["negative β", { beta: -0.1 }, "invalid_beta", ["beta"], "beta", "-0.1"],
    ["β given as a string", { beta: "0.5" as unknown as number }, "invalid_beta", ["beta"], "beta", "0.5"],
  ] as const)("%s", async (_name, patch, code, path, field, value) => {
    const error = await failure({ ...base, ...patch });
    expect(error.code).toBe(code);
    expect(error.path).toEqual(path);
    expect(error.message).toContain(field);
    expect(error.message).toContain(`got ${value}`);
  });

  it("β at the ends of [0, 1] is accepted", () => {
    expect(attributeEvidence({ ...base, beta: 0 }).eara).toEqual([0.25, 0.25]);
    expect(attributeEvidence({ ...base, beta: 1 }).eara).toEqual([0, 0.5]);
  });

  it.each([
    ["a score above 1", 1.5],
    ["a negative score", -0.1],
    ["a NaN score", Number.NaN],
    ["a score given as a string", "1" as unknown as number],
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
    const short = await failure({ ...base, stepWeights: { m1: { 1: 0.5, 2: 0.3 } } });
    expect(short.code).toBe("invalid_step_weights");
    expect(short.path).toEqual(["stepWeights", "m1"]);
    // The validator's reason, with the item it is about.
    expect(short.message).toContain('"m1"');
    expect(short.message).toContain("sum to 0.8");
    const nan = await failure({ ...base, stepWeights: { m1: { 2: Number.NaN } } });
    expect(nan.code).toBe("invalid_step_weights");
    expect(nan.path.slice(0, 2)).toEqual(["stepWeights", "m1"]);
  });

  it("shares that do not sum to 1, NaN shares, a repeated item or question", async () => {
    expect(
      (await failure({ ...base, questions: [{ questionId: "q1", score: 1, items: [{ itemId: "m1", share: 0.4 }] }] }))
        .code,
    ).toBe("invalid_shares");
    expect(
      (
        await failure({
          ...base,
          questions: [{ questionId: "q1", score: 1, items: [{ itemId: "m1", share: Number.NaN }] }],
        })
      ).code,
    ).toBe("invalid_shares");
    expect(
      (
        await failure({
          ...base,
          questions: [
            {
              questionId: "q1",
              score: 1,
              items: [
                { itemId: "m1", share: 0.5 },
                { itemId: "m1", share: 0.5 },
              ],
            },
          ],
        })
      ).code,
    ).toBe("duplicate_item");
    expect((await failure({ ...base, questions: [...base.questions, ...base.questions] })).code).toBe(
      "duplicate_question",
    );
  });

  it("a repeated question or item is named, at the second entry", async () => {
    const question = await failure({ ...base, questions: [...base.questions, ...base.questions] });
    expect(question.path).toEqual(["questions", 1, "questionId"]);
    expect(question.message).toContain('"q1"');
    const item = await failure({
      ...base,
      questions: [
        {
          questionId: "q1",
          score: 1,
          items: [
            { itemId: "m1", share: 0.5 },
            { itemId: "m1", share: 0.5 },
          ],
        },
      ],
    });
    expect(item.path).toEqual(["questions", 0, "items", 1, "itemId"]);
    expect(item.message).toContain('"q1"');
    expect(item.message).toContain('"m1"');
  });

  // Each share must lie in [0, 1] by itself: -0.5 and 1.5 sum to 1 but are refused, at the first bad one.
  it.each([
    ["a negative share first", [-0.5, 1.5], "-0.5"],
    ["a share above 1 first", [1.5, -0.5], "1.5"],
    ["a share given as a string", ["1" as unknown as number], "1"],
  ])("%s", async (_name, shares, value) => {
    const items = shares.map((share, index) => ({ itemId: `m${index + 1}`, share }));
    const error = await failure({
      ...base,
      stepWeights: { m1: { 1: 1 }, m2: { 2: 1 } },
      questions: [{ questionId: "q1", score: 1, items }],
    });
    expect(error.code).toBe("invalid_shares");
    expect(error.path).toEqual(["questions", 0, "items", 0, "share"]);
    expect(error.message).toContain('"m1"');
    expect(error.message).toContain(`got ${value}`);
  });

  it("shares that do not sum to 1 are reported for the question, with their sum", async () => {
    const error = await failure({
      ...base,
      questions: [{ questionId: "q1", score: 1, items: [{ itemId: "m1", share: 0.4 }] }],
    });
    expect(error.path).toEqual(["questions", 0, "items"]);
    expect(error.message).toContain('"q1"');
    expect(error.message).toContain("sum to 0.4");
  });

  it("a share of 0 is valid: that item carries no credit", () => {
    // q1 (score 0.5, n = 1): all of it through m1 (step 2), nothing through m2 (step 1).
    const input = {
      ...base,
      stepWeights: { m1: { 2: 1 }, m2: { 1: 1 } },
      questions: [
        {
          questionId: "q1",
          score: 0.5,
          items: [
            { itemId: "m1", share: 1 },
            { itemId: "m2", share: 0 },
          ],
        },
      ],
    };
    expect(attributeEvidence(input).evidence).toEqual([0, 0.5]);
  });

  it("an unknown id named by several questions is listed once, and all its credit goes to U", () => {
    // n = 2. q1 (score 0.5): 1/4 of r_global, half through m1 (step 2), half through ghost.
    // q2 (score 1): 1/2 of r_global, all through ghost. U = 1/8 + 1/2.
    const attribution = attributeEvidence({
      ...base,
      unknownItems: "unattributed",
      questions: [
        { questionId: "q1", score: 0.5, items: equalShares(["m1", "ghost"]) },
        { questionId: "q2", score: 1, items: equalShares(["ghost"]) },
      ],
    });
    expect(attribution.unknownItemIds).toEqual(["ghost"]);
    expect(attribution.evidence).toEqual([0, 0.125]);
    expect(attribution.unattributed).toBe(0.625);
  });

  it("φ on a step after T goes to U, like φ before the episode", () => {
    // T = 2; m1 is credited to step 3 for a quarter and step 2 for the rest.
    const attribution = attributeEvidence({
      ...base,
      stepWeights: { m1: { 2: 0.75, 3: 0.25 } },
      questions: [{ questionId: "q1", score: 1, items: equalShares(["m1"]) }],
    });
    expect(attribution.evidence).toEqual([0, 0.75]);
    expect(attribution.unattributed).toBe(0.25);
  });

  it("an AttributionError built without a path has an empty one", () => {
    const error = new AttributionError("invalid_steps", "no steps");
    expect(error).toMatchObject({ code: "invalid_steps", message: "no steps", path: [] });
  });

  it("defined values: a question with no evidence goes to U; no scored question gives zeros", () => {
    const noEvidence = attributeEvidence({ ...base, questions: [{ questionId: "q1", score: 0.8, items: [] }] });
    expect(noEvidence).toMatchObject({ global: 0.8, unattributed: 0.8, evidence: [0, 0], questionsWithoutEvidence: 1 });
    expect(noEvidence.eara[0]).toBeCloseTo(0.2, 15);
    const none = attributeEvidence({ ...base, questions: [] });
    expect(none).toMatchObject({ global: 0, unattributed: 0, evidence: [0, 0], eara: [0, 0], questionsScored: 0 });
  });
});
