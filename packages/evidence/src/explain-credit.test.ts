import { describe, expect, it } from "vitest";
import { explainCredit, formatCreditExplanation } from "./explain-credit.js";
import { equalShares } from "./question-evidence.js";

describe("per-step credit explanations", () => {
  const input = {
    steps: 3,
    stepWeights: { m1: { 1: 1 }, m2: { 2: 0.5, 3: 0.5 }, seeded: { 0: 1 } },
    questions: [
      { questionId: "q1", score: 1, items: equalShares(["m1", "m2"]) },
      { questionId: "q2", score: 0.5, items: equalShares(["m2", "seeded"]) },
      { questionId: "q3", score: 1, items: [] },
    ],
  };

  it("lists, per step, the questions and items that gave it credit; the lines add up to N_t", () => {
    const explanation = explainCredit(input);
    expect(explanation.steps.map((step) => step.lines.map((line) => `${line.questionId}/${line.itemId}`))).toEqual([["q1/m1"], ["q1/m2", "q2/m2"], ["q1/m2", "q2/m2"]]);
    for (const step of explanation.steps) {
      expect(step.lines.reduce((sum, line) => sum + line.amount, 0)).toBeCloseTo(step.evidence, 15);
      expect(step.eara).toBeCloseTo(step.uniform + 0.5 * step.evidence, 15);
    }
    expect(explanation.unattributedLines).toEqual([
      { questionId: "q2", itemId: "seeded", reason: "no_step", amount: 0.5 / 3 / 2 },
      { questionId: "q3", itemId: null, reason: "no_evidence", amount: 1 / 3 },
    ]);
    expect(explanation.unattributed).toBeCloseTo(0.5 / 6 + 1 / 3, 15);
  });

  it("formats a report for people", () => {
    const text = formatCreditExplanation(explainCredit(input), { top: 1, digits: 3 });
    expect(text.split("\n")).toEqual([
      "r_global 0.833  U 0.417  beta 0.5",
      "step 1: r_EARA 0.222 = uniform 0.139 + beta × N_t 0.167",
      "  q1 (score 1.000) via m1 (share 0.500): 0.167",
      "step 2: r_EARA 0.201 = uniform 0.139 + beta × N_t 0.125",
      "  q1 (score 1.000) via m2 (share 0.500): 0.083",
      "  … 1 more",
      "step 3: r_EARA 0.201 = uniform 0.139 + beta × N_t 0.125",
      "  q1 (score 1.000) via m2 (share 0.500): 0.083",
      "  … 1 more",
      "unattributed: q2 via seeded (no step): 0.083",
      "unattributed: q3 (no evidence): 0.333",
    ]);
  });
});
