// Hand-computed attributions. The episode (T = 3) and its four global questions (n = 4):
//   step 1: INSERT m1                      step 2: INSERT m2          step 3: UPDATE m2, INSERT m3
//   q1 score 1   evidence {m1, m2}         q2 score 0.5 evidence {m2}
//   q3 score 0   evidence {m3}             q4 score 1   no evidence
// r_global = (1 + 0.5 + 0 + 1) / 4 = 5/8; U = q4's 1/4; uniform part (1 − β)·r_global / T = 5/48 at β = 0.5.

import type { ProvenancePolicy } from "@finemem/spec";
import { createInMemoryStoreDouble } from "@finemem/spec/testing";
import { describe, expect, it } from "vitest";
import { attributeEvidence } from "./attribute-evidence.js";
import { equalShares, type QuestionEvidence } from "./question-evidence.js";
import { collectStepWeights } from "./store-step-weights.js";

const namespace = { run: "hand" };

async function episodeStore() {
  const store = createInMemoryStoreDouble();
  await store.apply({
    namespace,
    step: 1,
    operations: [{ operationId: "s1.0", operation: { type: "INSERT", content: "Ada lives in Lyon." } }],
  });
  await store.apply({
    namespace,
    step: 2,
    operations: [{ operationId: "s2.0", operation: { type: "INSERT", content: "Ada works at Corvex." } }],
  });
  await store.apply({
    namespace,
    step: 3,
    operations: [
      { operationId: "s3.0", operation: { type: "UPDATE", id: "m2", content: "Ada works at Brindle." } },
      { operationId: "s3.1", operation: { type: "INSERT", content: "Ada owns a cat." } },
    ],
  });
  return store;
}

const questions: QuestionEvidence[] = [
  { questionId: "q1", score: 1, items: equalShares(["m1", "m2"]) },
  { questionId: "q2", score: 0.5, items: equalShares(["m2"]) },
  { questionId: "q3", score: 0, items: equalShares(["m3"]) },
  { questionId: "q4", score: 1, items: [] },
];

// N_t by hand: q1 gives 1/4 · 1/2 = 1/8 through each of m1 and m2; q2 gives 1/2 · 1/4 = 1/8 through m2.
const expected: Record<ProvenancePolicy, { weights: Record<string, Record<number, number>>; evidence: number[] }> = {
  // An UPDATE re-stamps m2 with step 3.
  "last-writer": { weights: { m1: { 1: 1 }, m2: { 3: 1 }, m3: { 3: 1 } }, evidence: [1 / 8, 0, 1 / 8 + 1 / 8] },
  // m2 stays with its INSERT at step 2.
  creator: { weights: { m1: { 1: 1 }, m2: { 2: 1 }, m3: { 3: 1 } }, evidence: [1 / 8, 1 / 4, 0] },
  // m2's two versions split its credit between steps 2 and 3.
  shared: { weights: { m1: { 1: 1 }, m2: { 2: 0.5, 3: 0.5 }, m3: { 3: 1 } }, evidence: [1 / 8, 1 / 8, 1 / 8] },
};

describe("hand-computed N_t and r_EARA(t)", () => {
  for (const policy of ["last-writer", "creator", "shared"] as const) {
    it(`under φ = ${policy}, with φ read from a store`, async () => {
      const store = await episodeStore();
      const stepWeights = await collectStepWeights(store, namespace, questions, policy);
      expect(Object.fromEntries(stepWeights)).toEqual(expected[policy].weights);
      const attribution = attributeEvidence({ steps: 3, questions, stepWeights });
      expect(attribution.global).toBe(5 / 8);
      expect(attribution.unattributed).toBe(1 / 4);
      expect(attribution.questionsWithoutEvidence).toBe(1);
      attribution.evidence.forEach((value, index) => {
        expect(value).toBeCloseTo(expected[policy].evidence[index]!, 15);
      });
      attribution.eara.forEach((value, index) => {
        expect(value).toBeCloseTo(5 / 48 + 0.5 * expected[policy].evidence[index]!, 15);
      });
      // Σ r_EARA = r_global − β·U = 5/8 − 1/8.
      expect(attribution.eara.reduce((sum, value) => sum + value, 0)).toBeCloseTo(1 / 2, 15);
    });
  }

  it("last-writer under β = 0.5: r_EARA = (1/6, 5/48, 11/48)", () => {
    const attribution = attributeEvidence({ steps: 3, questions, stepWeights: expected["last-writer"].weights });
    expect(attribution.eara[0]).toBeCloseTo(1 / 6, 15);
    expect(attribution.eara[1]).toBeCloseTo(5 / 48, 15);
    expect(attribution.eara[2]).toBeCloseTo(11 / 48, 15);
  });

  it("an UPDATE chain written twice in one step gives that step two shares under shared φ", async () => {
    const store = createInMemoryStoreDouble();
    await store.apply({
      namespace,
      step: 1,
      operations: [{ operationId: "a", operation: { type: "INSERT", content: "v1" } }],
    });
    await store.apply({
      namespace,
      step: 2,
      operations: [
        { operationId: "b", operation: { type: "UPDATE", id: "m1", content: "v2" } },
        { operationId: "c", operation: { type: "UPDATE", id: "m1", content: "v3" } },
      ],
    });
    const single: QuestionEvidence[] = [{ questionId: "q", score: 0.9, items: equalShares(["m1"]) }];
    const stepWeights = await collectStepWeights(store, namespace, single, "shared");
    expect(stepWeights.get("m1")![1]).toBeCloseTo(1 / 3, 15);
    expect(stepWeights.get("m1")![2]).toBeCloseTo(2 / 3, 15);
    const attribution = attributeEvidence({ steps: 2, questions: single, stepWeights, beta: 1 });
    expect(attribution.evidence[0]).toBeCloseTo(0.3, 15);
    expect(attribution.evidence[1]).toBeCloseTo(0.6, 15);
    expect(attribution.eara).toEqual(attribution.evidence);
  });

  it("a deleted item keeps the φ of its versions before the DELETE; an id the store never held is left out", async () => {
    const store = await episodeStore();
    await store.apply({
      namespace,
      step: 4,
      operations: [{ operationId: "s4.0", operation: { type: "DELETE", id: "m1" } }],
    });
    const evidence: QuestionEvidence[] = [{ questionId: "q", score: 1, items: equalShares(["m1", "ghost"]) }];
    const stepWeights = await collectStepWeights(store, namespace, evidence, "last-writer");
    expect(Object.fromEntries(stepWeights)).toEqual({ m1: { 1: 1 } });
    const attribution = attributeEvidence({ steps: 4, questions: evidence, stepWeights, unknownItems: "unattributed" });
    expect(attribution.evidence).toEqual([0.5, 0, 0, 0]);
    expect(attribution.unattributed).toBe(0.5);
    expect(attribution.unknownItemIds).toEqual(["ghost"]);
  });
});
