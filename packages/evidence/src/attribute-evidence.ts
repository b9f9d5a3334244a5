import type { Id } from "@finemem/spec";
import { CompensatedSum, compensatedTotal } from "./compensated-sum.js";
import { type AttributionInput, type CheckedInput, checkAttributionInput, walkCredit } from "./contributions.js";

/** The episode's evidence-anchored attribution (docs/method.md §11). Step t's values are at index t − 1. */
export interface Attribution {
  /** T. */
  readonly steps: number;
  readonly beta: number;
  /** r_global = (1/n) Σ_j s_j over the scored questions; 0 when none was scored. */
  readonly global: number;
  /**
   * U, the part of r_global credited to no step: questions without evidence, items with no φ (under
   * `unknownItems: "unattributed"`), and φ weight on steps outside 1..T (items written before the
   * episode). Σ_t N_t = r_global − U and Σ_t r_EARA(t) = r_global − β·U.
   */
  readonly unattributed: number;
  /** N_t = Σ_j Σ_{m ∈ M_j} s_j · share_m · φ_m(t) / n (share_m = 1/|M_j| for the paper's evidence). */
  readonly evidence: readonly number[];
  /** r_EARA(t) = (1 − β)·r_global / T + β·N_t. */
  readonly eara: readonly number[];
  /** n. */
  readonly questionsScored: number;
  readonly questionsWithoutEvidence: number;
  /** Items the evidence named without a φ, when `unknownItems` is `unattributed`. */
  readonly unknownItemIds: readonly Id[];
}

/**
 * Credits the global score to the steps whose writes were used as evidence. Pure arithmetic over
 * numbers and weight maps: it calls no model and reads no store, so it can be checked by hand and
 * run in a trainer's hot loop.
 *
 * @throws {AttributionError} for every bad input listed on its codes (T < 1, β outside [0, 1], a score
 *   outside [0, 1], shares not summing to 1, an invalid φ, an unknown item under the default policy)
 */
export function attributeEvidence(input: AttributionInput): Attribution {
  return attributeChecked(checkAttributionInput(input));
}

/** The attribution of an input already checked (the explainer reuses its check). */
export function attributeChecked(checked: CheckedInput): Attribution {
  const { steps, beta, questions } = checked;
  const perStep = Array.from({ length: steps }, () => new CompensatedSum());
  const unattributed = new CompensatedSum();
  walkCredit(
    checked,
    (contribution) => perStep[contribution.step - 1]!.add(contribution.amount),
    (credit) => unattributed.add(credit.amount),
  );
  const n = questions.length;
  const global = n === 0 ? 0 : compensatedTotal(questions.map((question) => question.score)) / n;
  const evidence = perStep.map((sum) => sum.value);
  const uniform = ((1 - beta) * global) / steps;
  return {
    steps,
    beta,
    global,
    // Rounding can leave U a few ulps below 0 when everything is attributed.
    unattributed: Math.max(0, unattributed.value),
    evidence,
    eara: evidence.map((value) => uniform + beta * value),
    questionsScored: n,
    questionsWithoutEvidence: questions.filter((question) => question.items.length === 0).length,
    unknownItemIds: checked.unknownItemIds,
  };
}
