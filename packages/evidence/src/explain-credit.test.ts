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
    expect(explanation.steps.map((step) => step.lines.map((line) => `${line.questionId}/${line.itemId}`))).toEqual([
      ["q1/m1"],
      ["q1/m2", "q2/m2"],
      ["q1/m2", "q2/m2"],
    ]);
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

  it("orders each step's lines by amount, largest first, then by question and item", () => {
    // n = 4, one step, every item written at step 1. qb (score 1) pays 1/4 through mz; qa (score 0.5)
    // 1/8 through my; qd and qc (score 0.5, two items each) 1/16 through each of their items.
    const explanation = explainCredit({
      steps: 1,
      stepWeights: Object.fromEntries(["ma", "mb", "mc", "md", "my", "mz"].map((itemId) => [itemId, { 1: 1 }])),
      questions: [
        { questionId: "qd", score: 0.5, items: equalShares(["mb", "ma"]) },
        { questionId: "qc", score: 0.5, items: equalShares(["md", "mc"]) },
        { questionId: "qb", score: 1, items: equalShares(["mz"]) },
        { questionId: "qa", score: 0.5, items: equalShares(["my"]) },
      ],
    });
    expect(explanation.steps[0]!.lines.map((line) => [line.questionId, line.itemId, line.amount])).toEqual([
      ["qb", "mz", 1 / 4],
      ["qa", "my", 1 / 8],
      ["qc", "mc", 1 / 16],
      ["qc", "md", 1 / 16],
      ["qd", "ma", 1 / 16],
      ["qd", "mb", 1 / 16],
    ]);
    expect(explanation.steps[0]!.evidence).toBe(5 / 8);
  });

  it("gives each line its own item's share, and lists each credit that reached no step with its reason", () => {
    // T = 2, n = 1, q1 scored 1: m1 (share 1/2) was written at step 1; "empty" has φ = {} (no step);
    // "late" is credited to step 3, after the episode; "ghost" has no φ at all.
    const explanation = explainCredit({
      steps: 2,
      unknownItems: "unattributed",
      stepWeights: { m1: { 1: 1 }, empty: {}, late: { 3: 1 } },
      questions: [
        {
          questionId: "q1",
          score: 1,
          items: [
            { itemId: "ghost", share: 0.25 },
            { itemId: "empty", share: 0.125 },
            { itemId: "late", share: 0.125 },
            { itemId: "m1", share: 0.5 },
          ],
        },
      ],
    });
    expect(explanation.steps.map((step) => step.lines)).toEqual([
      [{ questionId: "q1", score: 1, itemId: "m1", share: 0.5, amount: 0.5 }],
      [],
    ]);
    expect(explanation.unattributedLines).toEqual([
      { questionId: "q1", itemId: "ghost", reason: "unknown_item", amount: 0.25 },
      { questionId: "q1", itemId: "empty", reason: "no_step", amount: 0.125 },
      { questionId: "q1", itemId: "late", reason: "no_step", amount: 0.125 },
    ]);
    // uniform = (1 − 0.5) · 1 / 2 = 0.25; r_EARA = 0.25 + 0.5 · N_t.
    expect(explanation.steps.map((step) => [step.uniform, step.evidence, step.eara])).toEqual([
      [0.25, 0.5, 0.5],
      [0.25, 0, 0.25],
    ]);
    expect(explanation.unattributed).toBe(0.5);
    expect(formatCreditExplanation(explanation, { digits: 3 }).split("\n").slice(-3)).toEqual([
      "unattributed: q1 via ghost (unknown item): 0.250",
      "unattributed: q1 via empty (no step): 0.125",
      "unattributed: q1 via late (no step): 0.125",
    ]);
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
