// verl's `compute_grpo_outcome_advantage` (v0.9.0, core_algos.py): each sequence's score is the sum of
// its token rewards; scores are normalised within their group (the uid: one prompt's G rollouts, or
// Fine-Mem's pooled / per-step groups); a group of one gets mean 0 and std 1. The result is broadcast
// over the sequence's tokens and masked. No gradient: advantages are constants of the loss.
import { KernelError } from "../kernel-error.js";
import { add, affine, div, mul, sqrt, square, sub } from "../ops/elementwise.js";
import { gather, segmentSum } from "../ops/gather.js";
import { sum } from "../ops/reduce.js";
import { expand } from "../ops/shape.js";
import { formatShape, indices, type Tensor, tensor } from "../tensor/tensor.js";
import { tidy } from "../tensor/tidy.js";

export interface GrpoAdvantageInput {
  /** [batch, tokens]. */
  readonly tokenLevelRewards: Tensor;
  /** 0/1, [batch, tokens]. */
  readonly responseMask: Tensor;
  /** The group of each sequence (verl's `index`): any strings or numbers; equal values share a group. */
  readonly groups: readonly (string | number)[];
}

export interface GrpoAdvantageOptions {
  /** Added to the std before dividing. Default 1e-6. */
  readonly epsilon?: number | undefined;
  /** Divide by the group's std (GRPO, default) or only subtract its mean (Dr.GRPO). */
  readonly normalizeByStd?: boolean | undefined;
}

/** GRPO advantages, [batch, tokens]. */
export function grpoOutcomeAdvantage(input: GrpoAdvantageInput, options: GrpoAdvantageOptions = {}): Tensor {
  const { tokenLevelRewards, responseMask, groups } = input;
  if (
    tokenLevelRewards.shape.length !== 2 ||
    formatShape(tokenLevelRewards.shape) !== formatShape(responseMask.shape)
  ) {
    throw new KernelError(
      "shape_mismatch",
      `grpoOutcomeAdvantage needs [batch, tokens] rewards and mask of one shape, got ${formatShape(tokenLevelRewards.shape)} and ${formatShape(responseMask.shape)}`,
    );
  }
  const [batch, tokens] = tokenLevelRewards.shape as [number, number];
  if (groups.length !== batch) {
    throw new KernelError("shape_mismatch", `grpoOutcomeAdvantage: ${groups.length} group ids for ${batch} sequences`, {
      path: ["groups"],
    });
  }
  const epsilon = options.epsilon ?? 1e-6;
  if (!(Number.isFinite(epsilon) && epsilon >= 0)) {
    throw new KernelError("invalid_option", `epsilon must be a finite non-negative number, got ${epsilon}`, {
      path: ["epsilon"],
    });
  }
  // Group ids are host data: number them, and count each group's members on the host.
  const groupOf = new Map<string, number>();
  const groupIds = groups.map((group) => {
    const key = `${typeof group}:${String(group)}`;
    let id = groupOf.get(key);
    if (id === undefined) {
      id = groupOf.size;
      groupOf.set(key, id);
    }
    return id;
  });
  const counts = new Array<number>(groupOf.size).fill(0);
  for (const id of groupIds) counts[id]!++;
  const backend = tokenLevelRewards.backend;
  return tidy(() => {
    const ids = indices(backend, groupIds);
    const scores = sum(tokenLevelRewards, 1);
    const groupMean = div(segmentSum(scores, ids, counts.length), tensor(backend, counts));
    // A group of one has mean 0 and std 1 (so its advantage is its score, divided by 1 + ε).
    const isShared = tensor(
      backend,
      counts.map((count) => (count > 1 ? 1 : 0)),
    );
    let advantage = sub(scores, gather(mul(groupMean, isShared), ids));
    if (options.normalizeByStd ?? true) {
      const centred = sub(scores, gather(groupMean, ids));
      const variance = div(
        segmentSum(square(centred), ids, counts.length),
        tensor(
          backend,
          counts.map((count) => Math.max(count - 1, 1)),
        ),
      );
      const std = add(mul(sqrt(variance), isShared), affine(isShared, -1, 1));
      advantage = div(advantage, gather(affine(std, 1, epsilon), ids));
    }
    const result = mul(expand(advantage, 1, tokens), responseMask);
    ids.dispose();
    return result;
  });
}
