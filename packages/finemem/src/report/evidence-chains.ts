// The evidence chain of the worst-scored questions: each retrieved item, the steps φ credits it to,
// and what each of those steps was paid (N_t and r_EARA from steps.jsonl of the same instance and
// rollout). It lets a reader check EARA by hand: a bad answer whose evidence came from a step that was
// still paid well is where attribution deserves a look.
import type { StepRecord } from "@finemem/spec";
import type { EvidenceChainItem, QuestionResultLine } from "../run/run-files.js";

/** How many worst questions the report shows unless told otherwise. */
export const DEFAULT_WORST_QUESTIONS = 10;

export interface StepCredit {
  readonly step: number;
  /** φ's weight of this step for the item. */
  readonly weight: number;
  /** N_t of the step; `null` when not computed or when steps.jsonl has no such step. */
  readonly evidence: number | null;
  /** r_EARA(t) of the step; `null` as above. */
  readonly eara: number | null;
  /** False when steps.jsonl has no record of this step (a truncated or partial run). */
  readonly found: boolean;
}

export interface EvidenceLink {
  readonly item: EvidenceChainItem;
  /** In step order. Empty when the item maps to no step. */
  readonly credits: readonly StepCredit[];
}

export interface EvidenceChain {
  readonly result: QuestionResultLine;
  readonly links: readonly EvidenceLink[];
}

/**
 * The `count` lowest-scored questions (ties by instance, rollout, question id, so the choice is stable)
 * with their evidence chains.
 */
export function worstEvidenceChains(
  results: readonly QuestionResultLine[],
  steps: readonly StepRecord[],
  count = DEFAULT_WORST_QUESTIONS,
): EvidenceChain[] {
  const stepIndex = new Map<string, StepRecord>();
  for (const record of steps) stepIndex.set(stepKey(record.instanceId, record.rollout, record.step), record);
  const worst = [...results].sort(byScoreThenIdentity).slice(0, Math.max(0, count));
  return worst.map((result) => ({
    result,
    links: [...result.evidence]
      .sort((a, b) => a.rank - b.rank)
      .map((item) => ({
        item,
        credits: Object.entries(item.steps)
          .map(([key, weight]) => ({ step: Number(key), weight }))
          .sort((a, b) => a.step - b.step)
          .map(({ step, weight }) => {
            const record = stepIndex.get(stepKey(result.instanceId, result.rollout, step));
            return {
              step,
              weight,
              evidence: record?.rewards.evidence ?? null,
              eara: record?.rewards.eara ?? null,
              found: record !== undefined,
            };
          }),
      })),
  }));
}

function stepKey(instanceId: string, rollout: number, step: number): string {
  return `${instanceId}\u0000${rollout}\u0000${step}`;
}

function byScoreThenIdentity(a: QuestionResultLine, b: QuestionResultLine): number {
  return (
    a.score - b.score ||
    compareText(a.instanceId, b.instanceId) ||
    a.rollout - b.rollout ||
    compareText(a.questionId, b.questionId)
  );
}

/** Code-unit order, not locale order, so the report is the same on every machine. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
