import type { Id } from "@finemem/spec";
import { attributeChecked } from "./attribute-evidence.js";
import { type AttributionInput, checkAttributionInput, type UnattributedCredit, walkCredit } from "./contributions.js";

/** One question's credit to one step through one item. */
export interface CreditLine {
  readonly questionId: Id;
  readonly score: number;
  readonly itemId: Id;
  /** The item's share of the question's credit. */
  readonly share: number;
  /** s_j / n · share · φ_item(step): this line's part of N_t. */
  readonly amount: number;
}

/** Why step t got its reward: the uniform part, and each (question, item) that gave it evidence credit. */
export interface StepCreditExplanation {
  readonly step: number;
  /** (1 − β)·r_global / T. */
  readonly uniform: number;
  /** N_t. */
  readonly evidence: number;
  /** r_EARA(t). */
  readonly eara: number;
  /** Largest first; lines worth 0 (questions that scored 0) are left out. */
  readonly lines: readonly CreditLine[];
}

export interface CreditExplanation {
  readonly global: number;
  readonly unattributed: number;
  readonly beta: number;
  readonly steps: readonly StepCreditExplanation[];
  /** Credit that reached no step, with the reason (no evidence, unknown item, φ outside 1..T). */
  readonly unattributedLines: readonly (Omit<UnattributedCredit, "question"> & { readonly questionId: Id })[];
}

/** The attribution of `input` with, for each step, the questions and items that gave it credit. */
export function explainCredit(input: AttributionInput): CreditExplanation {
  const checked = checkAttributionInput(input);
  const attribution = attributeChecked(checked);
  const lines: CreditLine[][] = Array.from({ length: attribution.steps }, () => []);
  const unattributedLines: CreditExplanation["unattributedLines"][number][] = [];
  walkCredit(
    checked,
    (contribution) => {
      // A question that scored 0 pays nothing; listing it would only bury the lines that did pay.
      if (contribution.amount === 0) return;
      const question = checked.questions[contribution.question]!;
      const share = question.items.find((item) => item.itemId === contribution.itemId)!.share;
      lines[contribution.step - 1]!.push({
        questionId: question.questionId,
        score: question.score,
        itemId: contribution.itemId,
        share,
        amount: contribution.amount,
      });
    },
    ({ question, ...credit }) =>
      unattributedLines.push({ questionId: checked.questions[question]!.questionId, ...credit }),
  );
  return {
    global: attribution.global,
    unattributed: attribution.unattributed,
    beta: attribution.beta,
    steps: lines.map((stepLines, index) => ({
      step: index + 1,
      uniform: ((1 - attribution.beta) * attribution.global) / attribution.steps,
      evidence: attribution.evidence[index]!,
      eara: attribution.eara[index]!,
      lines: stepLines.sort(
        (a, b) => b.amount - a.amount || a.questionId.localeCompare(b.questionId) || a.itemId.localeCompare(b.itemId),
      ),
    })),
    unattributedLines,
  };
}

export interface FormatCreditOptions {
  /** Lines shown per step. Default 3. */
  readonly top?: number;
  /** Digits after the point. Default 4. */
  readonly digits?: number;
}

/** A plain-text report of an explanation: one block per step, its largest credit lines first. */
export function formatCreditExplanation(explanation: CreditExplanation, options: FormatCreditOptions = {}): string {
  const top = options.top ?? 3;
  const digits = options.digits ?? 4;
  const fixed = (value: number) => value.toFixed(digits);
  const out = [`r_global ${fixed(explanation.global)}  U ${fixed(explanation.unattributed)}  beta ${explanation.beta}`];
  for (const step of explanation.steps) {
    out.push(
      `step ${step.step}: r_EARA ${fixed(step.eara)} = uniform ${fixed(step.uniform)} + beta × N_t ${fixed(step.evidence)}`,
    );
    for (const line of step.lines.slice(0, top)) {
      out.push(
        `  ${line.questionId} (score ${fixed(line.score)}) via ${line.itemId} (share ${fixed(line.share)}): ${fixed(line.amount)}`,
      );
    }
    if (step.lines.length > top) out.push(`  … ${step.lines.length - top} more`);
  }
  for (const line of explanation.unattributedLines) {
    out.push(
      `unattributed: ${line.questionId}${line.itemId === null ? "" : ` via ${line.itemId}`} (${line.reason.replace("_", " ")}): ${fixed(line.amount)}`,
    );
  }
  return out.join("\n");
}
