// The trainer's advantages against verl (../shared/goldens/grpo-verl.jsonl) and against hand-worked
// examples for per-step grouping, which verl does not have.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { RolloutGroup, TrainingSample } from "@finemem/spec";
import { checkService, probeSharedFile, sharedDir } from "@finemem/testing";
import { describe, expect, it } from "vitest";
import { TrainerError } from "../trainer-error.js";
import { computeStepAdvantages } from "./step-advantages.js";

const GOLDENS = "goldens/grpo-verl.jsonl";
const shared = await checkService("shared", () => probeSharedFile(GOLDENS));

interface AdvantageGolden {
  readonly kind: string;
  readonly inputs: {
    readonly token_level_rewards: number[][];
    readonly response_mask: number[][];
    readonly index: string[];
    readonly epsilon: number;
    readonly norm_adv_by_std_in_grpo: boolean;
  };
  readonly expected: { readonly advantages: number[][] };
}

const goldens: AdvantageGolden[] = shared.available
  ? readFileSync(join(sharedDir(), GOLDENS), "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as AdvantageGolden)
      .filter((golden) => golden.kind === "grpo_advantage")
  : [];

function sample(instanceId: string, rollout: number, step: number, reward: number): TrainingSample {
  return {
    instanceId,
    rollout,
    step,
    dataSource: "test",
    reward,
    rewards: { format: 1, chunk: null, evidence: null, eara: null, compression: null, content: null, total: reward },
    actionLogprob: null,
  } as unknown as TrainingSample;
}

/** A rollout group from rewards[rollout][step - 1]. */
function group(instanceId: string, rewards: readonly (readonly number[])[]): RolloutGroup {
  return {
    instanceId,
    rollouts: rewards.map((steps, rollout) => ({
      rolloutId: `${instanceId}:r${rollout}`,
      rollout,
      seed: "s",
      samples: steps.map((reward, index) => sample(instanceId, rollout, index + 1, reward)),
    })),
  };
}

describe.skipIf(!shared.available)("advantages reproduce verl's compute_grpo_outcome_advantage", () => {
  it("has the 60 advantage goldens", () => {
    expect(goldens.length).toBe(60);
  });

  // Each verl sequence becomes one chunk step; its score is the sum of its token rewards (as verl).
  // Pooled: verl's uid is one instance, each of its sequences one rollout of one step. Per-step: the
  // uids, largest first, are steps 1, 2, … of one instance, and rollout r holds the r-th sequence of
  // each uid that has one (rollouts may differ in length; the sizes decrease, so steps stay 1..T).
  for (const grouping of ["pooled", "per-step"] as const) {
    it(`${grouping}: every golden sequence's advantage`, async () => {
      for (const golden of goldens) {
        const { token_level_rewards: rewards, response_mask: mask, index } = golden.inputs;
        const uids = [...new Set(index)];
        const members = uids
          .map((uid) => index.flatMap((value, row) => (value === uid ? [row] : [])))
          .sort((a, b) => b.length - a.length);
        const score = (row: number) => rewards[row]!.reduce((a, b) => a + b, 0);
        const options = {
          grouping,
          epsilon: golden.inputs.epsilon,
          normalizeByStd: golden.inputs.norm_adv_by_std_in_grpo,
        } as const;
        const byRow = new Map<number, number>();
        if (grouping === "pooled") {
          const advantages = await computeStepAdvantages(
            members.map((rows, g) =>
              group(
                `i${g}`,
                rows.map((row) => [score(row)]),
              ),
            ),
            options,
          );
          let position = 0;
          for (const rows of members) for (const row of rows) byRow.set(row, advantages[position++]!.advantage);
        } else {
          const rolloutRows = Array.from({ length: members[0]!.length }, (_, r) =>
            members.filter((rows) => rows.length > r).map((rows) => rows[r]!),
          );
          const advantages = await computeStepAdvantages(
            [
              group(
                "one",
                rolloutRows.map((rows) => rows.map(score)),
              ),
            ],
            options,
          );
          let position = 0;
          for (const rows of rolloutRows) for (const row of rows) byRow.set(row, advantages[position++]!.advantage);
        }
        golden.expected.advantages.forEach((expectedRow, row) => {
          const token = mask[row]!.indexOf(1);
          if (token < 0) return; // a fully masked sequence shows no advantage in verl's output
          expect(Math.abs(byRow.get(row)! - expectedRow[token]!)).toBeLessThanOrEqual(
            1e-9 * (1 + Math.abs(expectedRow[token]!)),
          );
        });
      }
    });
  }
});

describe("per-step and pooled grouping, worked by hand", () => {
  // One instance, two rollouts of two steps: rollout 0 earns [1, 0], rollout 1 earns [0, 0].
  const groups = [
    group("x", [
      [1, 0],
      [0, 0],
    ]),
  ];

  it("per-step: step 1 normalises {1, 0}, step 2 {0, 0}", async () => {
    // Step 1: mean 0.5, unbiased std √((0.25 + 0.25) / 1) = 0.70710678; (1 − 0.5) / (0.70710678 + 1e-6) = 0.5 / 0.70710778 = 0.70710578.
    // Step 2: mean 0, std 0: (0 − 0) / (0 + 1e-6) = 0.
    const advantages = await computeStepAdvantages(groups, { grouping: "per-step" });
    expect(advantages.map((entry) => [entry.rollout, entry.step, entry.groupId])).toEqual([
      [0, 1, "0:x:step-1"],
      [0, 2, "0:x:step-2"],
      [1, 1, "0:x:step-1"],
      [1, 2, "0:x:step-2"],
    ]);
    const half = 0.5 / (Math.SQRT1_2 + 1e-6);
    expect(advantages[0]!.advantage).toBeCloseTo(half, 12);
    expect(advantages[0]!.advantage).toBeCloseTo(0.70710578, 8);
    expect(advantages[2]!.advantage).toBeCloseTo(-0.70710578, 8);
    expect(advantages[1]!.advantage).toBe(0);
    expect(advantages[3]!.advantage).toBe(0);
  });

  it("pooled: all four steps in one group", async () => {
    // Mean 0.25; unbiased std √((0.5625 + 3·0.0625) / 3) = 0.5; (1 − 0.25) / 0.500001 = 1.4999970, (0 − 0.25) / 0.500001 = −0.4999990.
    const advantages = await computeStepAdvantages(groups, { grouping: "pooled" });
    expect(advantages.map((entry) => entry.advantage)).toEqual([
      expect.closeTo(1.499997, 6),
      expect.closeTo(-0.499999, 6),
      expect.closeTo(-0.499999, 6),
      expect.closeTo(-0.499999, 6),
    ]);
  });

  it("Dr.GRPO centres without dividing", async () => {
    const advantages = await computeStepAdvantages(groups, { grouping: "per-step", normalizeByStd: false });
    expect(advantages.map((entry) => entry.advantage)).toEqual([0.5, 0, -0.5, 0]);
  });

  it("a group of one (one rollout) keeps its reward: verl's mean 0, std 1", async () => {
    // (0.8 − 0) / (1 + 1e-6) = 0.7999992.
    const advantages = await computeStepAdvantages([group("solo", [[0.8]])], { grouping: "per-step" });
    expect(advantages[0]!.advantage).toBeCloseTo(0.7999992, 7);
  });

  it("two groups of one instance in one request stay apart", async () => {
    const advantages = await computeStepAdvantages([group("x", [[1], [0]]), group("x", [[5], [5]])], {
      grouping: "pooled",
    });
    expect(advantages.map((entry) => entry.groupId)).toEqual(["0:x", "0:x", "1:x", "1:x"]);
    expect(advantages[2]!.advantage).toBe(0);
  });

  it("refuses an unknown grouping", async () => {
    await expect(computeStepAdvantages(groups, { grouping: "per-rollout" as never })).rejects.toBeInstanceOf(
      TrainerError,
    );
  });
});
