import {
  formatPath,
  type Id,
  isStepWeights,
  STEP_WEIGHT_SUM_TOLERANCE,
  type StepWeights,
  stepWeightsValidator,
} from "@finemem/spec";
import { AttributionError } from "./attribution-error.js";
import { lookupStepWeights, type QuestionEvidence, type StepWeightLookup } from "./question-evidence.js";

/** What to do with evidence naming an item that has no φ (the memory never held it). */
export type UnknownItemPolicy = "error" | "unattributed";

/** β of r_EARA(t) = (1 − β)·r_global / T + β·N_t; the paper's default. */
export const DEFAULT_BETA = 0.5;

export interface AttributionInput {
  /** T, the number of steps of the episode (steps are numbered 1..T). */
  readonly steps: number;
  /** The scored global questions (all of them in evaluation, the subsample in training). */
  readonly questions: readonly QuestionEvidence[];
  /** φ of every item the evidence names (see `collectStepWeights` for reading it from a store). */
  readonly stepWeights: StepWeightLookup;
  /** Default {@link DEFAULT_BETA}. */
  readonly beta?: number;
  /**
   * Evidence naming an item with no φ: `error` (default) throws `unknown_evidence_item`;
   * `unattributed` moves that item's share of the credit into U.
   */
  readonly unknownItems?: UnknownItemPolicy;
}

/** One piece of credit: question j's score, through item m, to step t. */
export interface Contribution {
  readonly question: number;
  readonly itemId: Id;
  readonly step: number;
  /** s_j / n · share_m · φ_m(t). */
  readonly amount: number;
}

/** One piece of credit that reaches no step: a question without evidence, an unknown item, or φ outside 1..T. */
export interface UnattributedCredit {
  readonly question: number;
  readonly itemId: Id | null;
  readonly reason: "no_evidence" | "unknown_item" | "no_step";
  readonly amount: number;
}

export interface CheckedInput {
  readonly steps: number;
  readonly beta: number;
  readonly questions: readonly QuestionEvidence[];
  readonly unknownItems: UnknownItemPolicy;
  readonly weights: ReadonlyMap<Id, StepWeights | null>;
  readonly unknownItemIds: readonly Id[];
}

/**
 * Checks an attribution's input once: T, β, every score and share, and the φ of every item the
 * evidence names (only those: a memory of 10,000 items with 2,000 used as evidence validates 2,000).
 */
export function checkAttributionInput(input: AttributionInput): CheckedInput {
  const { steps } = input;
  if (!Number.isInteger(steps) || steps < 1) {
    throw new AttributionError("invalid_steps", `steps must be an integer ≥ 1 (T, the episode's steps), got ${steps}`, [
      "steps",
    ]);
  }
  const beta = input.beta ?? DEFAULT_BETA;
  if (typeof beta !== "number" || !(beta >= 0 && beta <= 1)) {
    throw new AttributionError("invalid_beta", `beta must be a number in [0, 1], got ${beta}`, ["beta"]);
  }
  const unknownItems = input.unknownItems ?? "error";
  const seenQuestions = new Set<Id>();
  const weights = new Map<Id, StepWeights | null>();
  const unknownItemIds: Id[] = [];
  input.questions.forEach((question, index) => {
    const path = ["questions", index];
    if (seenQuestions.has(question.questionId)) {
      throw new AttributionError("duplicate_question", `question "${question.questionId}" has two evidence entries`, [
        ...path,
        "questionId",
      ]);
    }
    seenQuestions.add(question.questionId);
    const score = question.score;
    if (typeof score !== "number" || !(score >= 0 && score <= 1)) {
      throw new AttributionError(
        "invalid_score",
        `question "${question.questionId}": score must be a number in [0, 1], got ${score}`,
        [...path, "score"],
      );
    }
    const seenItems = new Set<Id>();
    let shareSum = 0;
    question.items.forEach((item, itemIndex) => {
      const itemPath = [...path, "items", itemIndex];
      if (seenItems.has(item.itemId)) {
        throw new AttributionError(
          "duplicate_item",
          `question "${question.questionId}" lists item "${item.itemId}" twice`,
          [...itemPath, "itemId"],
        );
      }
      seenItems.add(item.itemId);
      if (typeof item.share !== "number" || !(item.share >= 0 && item.share <= 1)) {
        throw new AttributionError(
          "invalid_shares",
          `question "${question.questionId}": share of "${item.itemId}" must be in [0, 1], got ${item.share}`,
          [...itemPath, "share"],
        );
      }
      shareSum += item.share;
      if (!weights.has(item.itemId)) {
        const found = lookupStepWeights(input.stepWeights, item.itemId);
        if (found === undefined) {
          if (unknownItems === "error") {
            throw new AttributionError(
              "unknown_evidence_item",
              `question "${question.questionId}" cites item "${item.itemId}", which has no φ (the memory never held it)`,
              [...itemPath, "itemId"],
            );
          }
          unknownItemIds.push(item.itemId);
          weights.set(item.itemId, null);
        } else {
          // spec's plain check accepts well-formed maps without zod's cost (attribution runs in a trainer's
          // hot loop); only a map it refuses goes through the validator, which names the defect.
          const checked = isStepWeights(found) ? { ok: true as const } : stepWeightsValidator.validate(found);
          if (!checked.ok) {
            throw new AttributionError(
              "invalid_step_weights",
              `φ of item "${item.itemId}": ${formatPath(checked.error.path)}: ${checked.error.issues[0]?.message ?? "invalid"}`,
              ["stepWeights", item.itemId, ...checked.error.path],
              checked.error,
            );
          }
          weights.set(item.itemId, found);
        }
      }
    });
    if (question.items.length > 0 && Math.abs(shareSum - 1) > STEP_WEIGHT_SUM_TOLERANCE) {
      throw new AttributionError(
        "invalid_shares",
        `question "${question.questionId}": evidence shares sum to ${shareSum}, not 1`,
        [...path, "items"],
      );
    }
  });
  return { steps, beta, questions: input.questions, unknownItems, weights, unknownItemIds };
}

/**
 * Walks every piece of credit: for question j, its weight s_j / n goes to its items by share, and each
 * item's part to steps by φ. What reaches a step 1..T is a {@link Contribution}; the rest is
 * {@link UnattributedCredit}. The attributor sums these, the explainer lists them: one walk, so the
 * two can never disagree.
 */
export function walkCredit(
  checked: CheckedInput,
  onContribution: (contribution: Contribution) => void,
  onUnattributed: (credit: UnattributedCredit) => void,
): void {
  const n = checked.questions.length;
  checked.questions.forEach((question, index) => {
    const base = question.score / n;
    if (question.items.length === 0) {
      onUnattributed({ question: index, itemId: null, reason: "no_evidence", amount: base });
      return;
    }
    for (const item of question.items) {
      const itemCredit = base * item.share;
      const weights = checked.weights.get(item.itemId);
      if (weights === null || weights === undefined) {
        onUnattributed({ question: index, itemId: item.itemId, reason: "unknown_item", amount: itemCredit });
        continue;
      }
      let empty = true;
      for (const key in weights) {
        empty = false;
        const step = Number(key);
        const amount = itemCredit * weights[step]!;
        if (step >= 1 && step <= checked.steps) onContribution({ question: index, itemId: item.itemId, step, amount });
        else onUnattributed({ question: index, itemId: item.itemId, reason: "no_step", amount });
      }
      // An item whose φ is {} (written by no step) carries its whole share into U.
      if (empty) onUnattributed({ question: index, itemId: item.itemId, reason: "no_step", amount: itemCredit });
    }
  });
}
