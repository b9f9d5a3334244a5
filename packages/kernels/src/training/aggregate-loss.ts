// verl's `agg_loss` (v0.9.0, core_algos.py) with dp_size 1: how a [batch, tokens] loss matrix becomes
// one number. Composed of differentiable operations, so its gradient comes from the tape.
import { KernelError } from "../kernel-error.js";
import { affine, div, mul, step } from "../ops/elementwise.js";
import { sum } from "../ops/reduce.js";
import { formatShape, type Tensor } from "../tensor/tensor.js";

/**
 * - `token-mean`: Σ loss·mask / Σ mask (every valid token weighs the same; DAPO);
 * - `token-sum`: Σ loss·mask;
 * - `seq-mean-token-sum`: the mean over sequences of each sequence's masked sum;
 * - `seq-mean-token-mean`: the mean over sequences of each sequence's masked mean (GRPO's 1/|o_i|);
 * - `seq-mean-token-sum-norm`: the mean over sequences of the masked sum divided by `lossScaleFactor`
 *   (default: the row length; Dr.GRPO's constant normaliser).
 * The sequence means leave out sequences whose mask is all zero, as verl does.
 */
export type LossAggregation =
  | "token-mean"
  | "token-sum"
  | "seq-mean-token-sum"
  | "seq-mean-token-mean"
  | "seq-mean-token-sum-norm";

export const LOSS_AGGREGATIONS: readonly LossAggregation[] = [
  "token-mean",
  "token-sum",
  "seq-mean-token-sum",
  "seq-mean-token-mean",
  "seq-mean-token-sum-norm",
];

export interface AggregateLossOptions {
  /** `seq-mean-token-sum-norm`'s divisor; default the number of tokens per row. Ignored by the other modes. */
  readonly lossScaleFactor?: number | undefined;
}

/** One number from a [batch, tokens] loss matrix and its 0/1 mask (verl's `agg_loss`). */
export function aggregateLoss(
  lossMatrix: Tensor,
  lossMask: Tensor,
  mode: LossAggregation,
  options: AggregateLossOptions = {},
): Tensor {
  if (lossMatrix.shape.length !== 2 || formatShape(lossMatrix.shape) !== formatShape(lossMask.shape)) {
    throw new KernelError(
      "shape_mismatch",
      `aggregateLoss needs a [batch, tokens] loss and a mask of the same shape, got ${formatShape(lossMatrix.shape)} and ${formatShape(lossMask.shape)}`,
    );
  }
  if (!LOSS_AGGREGATIONS.includes(mode)) {
    throw new KernelError(
      "invalid_option",
      `unknown loss aggregation "${String(mode)}"; use one of ${LOSS_AGGREGATIONS.join(", ")}`,
      {
        path: ["mode"],
      },
    );
  }
  const masked = mul(lossMatrix, lossMask);
  if (mode === "token-sum") return sum(masked);
  if (mode === "token-mean") return div(sum(masked), sum(lossMask));
  const rowSums = sum(masked, 1);
  // Which rows have a token is known on the host only after a read, so rows are selected on the device:
  // a 0/1 row mask from the mask's row sums.
  const rowTokens = sum(lossMask, 1);
  let perRow: Tensor;
  if (mode === "seq-mean-token-sum") perRow = rowSums;
  else if (mode === "seq-mean-token-mean") perRow = div(rowSums, affine(rowTokens, 1, 1e-8));
  else {
    const factor = options.lossScaleFactor ?? lossMatrix.shape[1]!;
    if (!(Number.isFinite(factor) && factor > 0)) {
      throw new KernelError("invalid_option", `lossScaleFactor must be a positive number, got ${factor}`, {
        path: ["lossScaleFactor"],
      });
    }
    perRow = affine(rowSums, 1 / factor, 0);
  }
  return meanOverValidRows(perRow, rowTokens);
}

/** The mean of perRow over rows with at least one token: Σ perRow·valid / Σ valid, valid = (row tokens > 0). */
function meanOverValidRows(perRow: Tensor, rowTokens: Tensor): Tensor {
  const valid = step(rowTokens, 0);
  return div(sum(mul(perRow, valid)), sum(valid));
}
