import type { StepWeights } from "@finemem/spec";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { attributeEvidence } from "./attribute-evidence.js";
import { equalShares, type QuestionEvidence } from "./question-evidence.js";

const RUNS = 1_000;

/** φ for one item: positive integer parts over a few steps of 1..T, divided by their sum. */
const stepWeightsArbitrary = (steps: number) =>
  fc
    .uniqueArray(fc.integer({ min: 1, max: steps }), { minLength: 1, maxLength: Math.min(steps, 4) })
    .chain((chosen) =>
      fc
        .array(fc.integer({ min: 1, max: 1_000 }), { minLength: chosen.length, maxLength: chosen.length })
        .map((parts) => ({ chosen, parts })),
    )
    .map(({ chosen, parts }): StepWeights => {
      const total = parts.reduce((sum, part) => sum + part, 0);
      return Object.fromEntries(chosen.map((step, index) => [step, parts[index]! / total]));
    });

/** An episode where every question has evidence and every item maps to steps 1..T. */
const attributedEpisode = fc.integer({ min: 1, max: 12 }).chain((steps) =>
  fc.integer({ min: 1, max: 25 }).chain((itemCount) =>
    fc.record({
      steps: fc.constant(steps),
      weights: fc.array(stepWeightsArbitrary(steps), { minLength: itemCount, maxLength: itemCount }),
      questions: fc.array(
        fc.record({
          score: fc.double({ min: 0, max: 1, noNaN: true }),
          items: fc.uniqueArray(fc.integer({ min: 0, max: itemCount - 1 }), {
            minLength: 1,
            maxLength: Math.min(itemCount, 20),
          }),
        }),
        { minLength: 1, maxLength: 30 },
      ),
      beta: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
  ),
);

const toInput = (episode: {
  steps: number;
  weights: StepWeights[];
  questions: { score: number; items: number[] }[];
  beta: number;
}) => ({
  steps: episode.steps,
  beta: episode.beta,
  stepWeights: new Map(episode.weights.map((weights, index) => [`m${index}`, weights])),
  questions: episode.questions.map(
    (question, index): QuestionEvidence => ({
      questionId: `q${index}`,
      score: question.score,
      items: equalShares(question.items.map((item) => `m${item}`)),
    }),
  ),
});

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);
const meanScore = (questions: readonly QuestionEvidence[]) =>
  sum(questions.map((question) => question.score)) / questions.length;

describe("evidence-anchored attribution: conservation (fast-check)", () => {
  it("Σ_t N_t = r_global and Σ_t r_EARA(t) = r_global when every question has evidence and every item maps to steps", () => {
    fc.assert(
      fc.property(attributedEpisode, (episode) => {
        const input = toInput(episode);
        const attribution = attributeEvidence(input);
        expect(Math.abs(attribution.global - meanScore(input.questions))).toBeLessThanOrEqual(1e-14);
        expect(Math.abs(sum(attribution.evidence) - attribution.global)).toBeLessThanOrEqual(1e-12);
        expect(Math.abs(sum(attribution.eara) - attribution.global)).toBeLessThanOrEqual(1e-12);
        expect(attribution.unattributed).toBeLessThanOrEqual(1e-12);
        expect(attribution.evidence).toHaveLength(episode.steps);
      }),
      { numRuns: RUNS },
    );
  });

  it("β = 0 gives r_global / T to every step", () => {
    fc.assert(
      fc.property(attributedEpisode, (episode) => {
        const attribution = attributeEvidence({ ...toInput(episode), beta: 0 });
        for (const value of attribution.eara) expect(value).toBe(attribution.global / episode.steps);
      }),
      { numRuns: RUNS },
    );
  });

  it("otherwise Σ_t r_EARA(t) = r_global − β·U, with questions lacking evidence, items with no step and φ before the episode", () => {
    const episode = attributedEpisode.chain((base) =>
      fc.record({
        base: fc.constant(base),
        // Per question: keep, drop all evidence, or add an item with φ = {} or φ on step 0.
        damage: fc.array(fc.constantFrom("keep", "no_evidence", "no_step", "before_episode"), {
          minLength: base.questions.length,
          maxLength: base.questions.length,
        }),
      }),
    );
    fc.assert(
      fc.property(episode, ({ base, damage }) => {
        const input = toInput(base);
        const stepWeights = new Map(input.stepWeights);
        stepWeights.set("orphan", {});
        stepWeights.set("seeded", { 0: 0.25, 1: 0.75 });
        const questions = input.questions.map((question, index): QuestionEvidence => {
          switch (damage[index]) {
            case "no_evidence":
              return { ...question, items: [] };
            case "no_step":
              return { ...question, items: equalShares([...question.items.map((item) => item.itemId), "orphan"]) };
            case "before_episode":
              return { ...question, items: equalShares([...question.items.map((item) => item.itemId), "seeded"]) };
            default:
              return question;
          }
        });
        const attribution = attributeEvidence({ ...input, stepWeights, questions });
        expect(attribution.unattributed).toBeGreaterThanOrEqual(0);
        expect(attribution.unattributed).toBeLessThanOrEqual(attribution.global + 1e-12);
        expect(
          Math.abs(sum(attribution.evidence) - (attribution.global - attribution.unattributed)),
        ).toBeLessThanOrEqual(1e-12);
        expect(
          Math.abs(sum(attribution.eara) - (attribution.global - attribution.beta * attribution.unattributed)),
        ).toBeLessThanOrEqual(1e-12);
        expect(attribution.questionsWithoutEvidence).toBe(damage.filter((kind) => kind === "no_evidence").length);
      }),
      { numRuns: RUNS },
    );
  });
});
