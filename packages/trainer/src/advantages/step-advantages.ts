// GRPO advantages of the samples of rollout groups. Each sample (one chunk step) is one of verl's
// "sequences" with one token whose reward is the step's r(t); the groups verl would key by uid are
// Fine-Mem's: `pooled` puts every step of an instance's G rollouts in one group (Mem-α), `per-step`
// puts step t of each of the G rollouts in one (which verl does not have). The arithmetic is verl's
// own, composed by @finemem/kernels' `grpoOutcomeAdvantage`, run in float64 on the reference backend
// so that exported advantages are the float64 values a Python recomputation gets.
import { createReferenceBackend, grpoOutcomeAdvantage, tensor } from "@finemem/kernels";
import type { AdvantageGrouping, RolloutGroup } from "@finemem/spec";
import { TrainerError } from "../trainer-error.js";

export interface StepAdvantageOptions {
  readonly grouping: AdvantageGrouping;
  /** Divide by the group's standard deviation (GRPO, default) or only centre (Dr.GRPO). */
  readonly normalizeByStd?: boolean | undefined;
  /** Added to the standard deviation before dividing. Default 1e-6, as verl. */
  readonly epsilon?: number | undefined;
}

/** One sample's advantage, in the order of the request: groups, then rollouts, then steps. */
export interface StepAdvantage {
  readonly instanceId: string;
  readonly rollout: number;
  readonly step: number;
  /** The GRPO group the sample was normalised in (unique within one request). */
  readonly groupId: string;
  readonly reward: number;
  readonly advantage: number;
}

/** The group id of a sample: the request's group index keeps two groups of one instance apart. */
export function advantageGroupId(
  grouping: AdvantageGrouping,
  groupIndex: number,
  instanceId: string,
  step: number,
): string {
  return grouping === "pooled" ? `${groupIndex}:${instanceId}` : `${groupIndex}:${instanceId}:step-${step}`;
}

/** GRPO advantages of every sample of `groups`, in request order. */
export async function computeStepAdvantages(
  groups: readonly RolloutGroup[],
  options: StepAdvantageOptions,
): Promise<StepAdvantage[]> {
  if (options.grouping !== "pooled" && options.grouping !== "per-step") {
    throw new TrainerError(
      "invalid_option",
      `grouping must be "pooled" or "per-step", got ${String(options.grouping)}`,
      {
        path: ["grouping"],
      },
    );
  }
  const rows: Omit<StepAdvantage, "advantage">[] = [];
  groups.forEach((group, groupIndex) => {
    for (const rollout of group.rollouts) {
      for (const sample of rollout.samples) {
        rows.push({
          instanceId: group.instanceId,
          rollout: rollout.rollout,
          step: sample.step,
          groupId: advantageGroupId(options.grouping, groupIndex, group.instanceId, sample.step),
          reward: sample.reward,
        });
      }
    }
  });
  if (rows.length === 0) return [];
  const backend = createReferenceBackend({ floatType: "float64" });
  try {
    const rewards = tensor(
      backend,
      rows.map((row) => row.reward),
      [rows.length, 1],
    );
    const mask = tensor(backend, new Array<number>(rows.length).fill(1), [rows.length, 1]);
    const advantages = await grpoOutcomeAdvantage(
      { tokenLevelRewards: rewards, responseMask: mask, groups: rows.map((row) => row.groupId) },
      { epsilon: options.epsilon, normalizeByStd: options.normalizeByStd },
    ).read();
    return rows.map((row, index) => ({ ...row, advantage: advantages[index]! }));
  } finally {
    backend.dispose();
  }
}
