// verl's `compute_policy_loss_vanilla` (v0.9.0, core_algos.py): PPO's clipped surrogate with asymmetric
// clip ranges and the dual clip for negative advantages, composed of differentiable operations so the
// gradient with respect to the new log-probabilities comes from the tape.
import { KernelError } from "../kernel-error.js";
import { affine, clamp, div, exp, greater, maximum, minimum, mul, neg, step, sub, where } from "../ops/elementwise.js";
import { sum } from "../ops/reduce.js";
import { formatShape, type Tensor } from "../tensor/tensor.js";
import { aggregateLoss, type LossAggregation } from "./aggregate-loss.js";

export interface ClippedSurrogateInput {
  /** log π_old of the sampled tokens, [batch, tokens]. */
  readonly oldLogProb: Tensor;
  /** log π_θ of the same tokens, [batch, tokens]: what the gradient flows into. */
  readonly logProb: Tensor;
  readonly advantages: Tensor;
  /** 0/1, [batch, tokens]. */
  readonly responseMask: Tensor;
}

export interface ClippedSurrogateOptions {
  /** ε_low: the ratio is clipped below at 1 − ε_low. Default 0.2. */
  readonly clipRatioLow?: number | undefined;
  /** ε_high: clipped above at 1 + ε_high. Default 0.2 (DAPO's clip-higher uses 0.28). */
  readonly clipRatioHigh?: number | undefined;
  /** The dual clip c > 1: for negative advantages the loss is at most −A·c. Default 3. */
  readonly clipRatioC?: number | undefined;
  /** Default `token-mean`. */
  readonly aggregation?: LossAggregation | undefined;
  readonly lossScaleFactor?: number | undefined;
}

export interface ClippedSurrogate {
  /** The aggregated loss (one element). */
  readonly pgLoss: Tensor;
  /** The per-token loss before aggregation, [batch, tokens]. */
  readonly pgLosses: Tensor;
  /** The masked fraction of tokens where the clipped term was chosen. */
  readonly pgClipFraction: Tensor;
  /** The masked mean of log π_old − log π_θ (after the ±20 clamp): an estimate of KL(π_old ‖ π_θ). */
  readonly ppoKl: Tensor;
  /** The masked fraction of tokens where the dual clip bound for negative advantages was applied. */
  readonly pgClipFractionLower: Tensor;
}

/** Σ values·mask / Σ mask, as verl's `masked_mean`. */
function maskedMean(values: Tensor, mask: Tensor): Tensor {
  return div(sum(mul(values, mask)), sum(mask));
}

function positive(name: string, value: number): number {
  if (!(Number.isFinite(value) && value >= 0)) {
    throw new KernelError("invalid_option", `${name} must be a finite non-negative number, got ${value}`, {
      path: [name],
    });
  }
  return value;
}

/** The clipped surrogate loss and its diagnostics. */
export function clippedSurrogateLoss(
  input: ClippedSurrogateInput,
  options: ClippedSurrogateOptions = {},
): ClippedSurrogate {
  const { oldLogProb, logProb, advantages, responseMask } = input;
  const shape = formatShape(logProb.shape);
  for (const [name, tensor] of Object.entries({ oldLogProb, advantages, responseMask })) {
    if (formatShape(tensor.shape) !== shape) {
      throw new KernelError(
        "shape_mismatch",
        `clippedSurrogateLoss: ${name} ${formatShape(tensor.shape)} differs from logProb ${shape}`,
        {
          path: [name],
        },
      );
    }
  }
  const low = positive("clipRatioLow", options.clipRatioLow ?? 0.2);
  const high = positive("clipRatioHigh", options.clipRatioHigh ?? 0.2);
  const c = options.clipRatioC ?? 3;
  if (!(Number.isFinite(c) && c > 1)) {
    throw new KernelError("invalid_option", `clipRatioC must be greater than 1 (the dual clip bound), got ${c}`, {
      path: ["clipRatioC"],
    });
  }
  const negativeApproxKl = clamp(sub(logProb, oldLogProb), -20, 20);
  const ratio = exp(negativeApproxKl);
  const ppoKl = maskedMean(neg(negativeApproxKl), responseMask);
  const negativeAdvantages = neg(advantages);
  const pgLosses1 = mul(negativeAdvantages, ratio);
  const pgLosses2 = mul(negativeAdvantages, clamp(ratio, 1 - low, 1 + high));
  const clipPgLosses1 = maximum(pgLosses1, pgLosses2);
  const pgClipFraction = maskedMean(greater(pgLosses2, pgLosses1), responseMask);
  const pgLosses3 = affine(negativeAdvantages, c, 0);
  const clipPgLosses2 = minimum(pgLosses3, clipPgLosses1);
  const advantageNegative = step(negativeAdvantages, 0);
  const pgClipFractionLower = maskedMean(mul(greater(clipPgLosses1, pgLosses3), advantageNegative), responseMask);
  const pgLosses = where(advantageNegative, clipPgLosses2, clipPgLosses1);
  const pgLoss = aggregateLoss(pgLosses, responseMask, options.aggregation ?? "token-mean", {
    lossScaleFactor: options.lossScaleFactor,
  });
  return { pgLoss, pgLosses, pgClipFraction, ppoKl, pgClipFractionLower };
}
