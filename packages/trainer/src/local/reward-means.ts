import type { StepRewardComponents, TrainingSample } from "@finemem/spec";

/** The mean of each reward component over the samples that have it, as `reward/<component>`. */
export function rewardComponentMeans(samples: readonly TrainingSample[]): Record<string, number> {
  const sums = new Map<string, { total: number; count: number }>();
  for (const sample of samples) {
    for (const [name, value] of Object.entries(sample.rewards as StepRewardComponents)) {
      if (typeof value !== "number") continue;
      const entry = sums.get(name) ?? { total: 0, count: 0 };
      entry.total += value;
      entry.count++;
      sums.set(name, entry);
    }
  }
  return Object.fromEntries([...sums].map(([name, { total, count }]) => [`reward/${name}`, total / count]));
}
