// Per-step means over episodes: for step index t, the mean of each reward component over every
// episode (instance × rollout) that has a step t. A component that was not computed (`null`) is left
// out of its mean rather than counted as 0, and a step where no episode computed it has no mean.
import type { StepRecord, StepRewardComponents } from "@finemem/spec";

/** The reward components averaged per step, in the order the report shows them. */
export const STEP_COMPONENTS = [
  "format",
  "chunk",
  "evidence",
  "eara",
  "compression",
  "content",
  "total",
] as const satisfies readonly (keyof StepRewardComponents)[];
export type StepComponent = (typeof STEP_COMPONENTS)[number];

export interface StepMeans {
  readonly step: number;
  /** Episodes that have this step. */
  readonly episodes: number;
  readonly rewards: { readonly [component in StepComponent]: number | null };
  /** Mean tokens in memory after the step, over the episodes that counted them. */
  readonly memoryTokens: number | null;
}

/** One entry per step index present in `steps`, in step order. */
export function meanRewardsPerStep(steps: readonly StepRecord[]): StepMeans[] {
  const byStep = new Map<number, StepRecord[]>();
  for (const record of steps) {
    const list = byStep.get(record.step);
    if (list === undefined) byStep.set(record.step, [record]);
    else list.push(record);
  }
  return [...byStep.keys()]
    .sort((a, b) => a - b)
    .map((step) => {
      const records = byStep.get(step)!;
      const rewards = Object.fromEntries(
        STEP_COMPONENTS.map((component) => [component, meanOf(records.map((record) => record.rewards[component]))]),
      ) as StepMeans["rewards"];
      return {
        step,
        episodes: records.length,
        rewards,
        memoryTokens: meanOf(records.map((record) => record.memoryTokens)),
      };
    });
}

/** Mean of the present values; `null` when none is present. */
export function meanOf(values: readonly (number | null | undefined)[]): number | null {
  let total = 0;
  let count = 0;
  for (const value of values) {
    if (value === null || value === undefined) continue;
    total += value;
    count++;
  }
  return count === 0 ? null : total / count;
}
