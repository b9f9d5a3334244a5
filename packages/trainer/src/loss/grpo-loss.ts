// The policy loss of one minibatch as verl's actor composes it (dp_actor.py, v0.9.0): the clipped
// surrogate, minus the entropy bonus, plus the KL to a frozen reference, each aggregated with the
// same mode over the response mask. Every term is a @finemem/kernels op checked against verl's goldens.
import {
  add,
  affine,
  aggregateLoss,
  clippedSurrogateLoss,
  type KlEstimator,
  klPenalty,
  type LossAggregation,
  type Tensor,
} from "@finemem/kernels";

export interface GrpoLossSettings {
  /** ε_low: the ratio is clipped below at 1 − ε_low. */
  readonly clipRatioLow: number;
  /** ε_high: the ratio is clipped above at 1 + ε_high. */
  readonly clipRatioHigh: number;
  /** The dual clip c > 1 for negative advantages. */
  readonly clipRatioC: number;
  /** 0 turns the KL term off (no reference log-probabilities needed). */
  readonly klCoefficient: number;
  readonly klEstimator: KlEstimator;
  readonly entropyCoefficient: number;
  readonly aggregation: LossAggregation;
}

export interface GrpoLossInput {
  /** log π_θ per decision (token), [batch, decisions]: what the gradient flows into. */
  readonly logProb: Tensor;
  /** The behaviour log-probabilities, [batch, decisions]. */
  readonly oldLogProb: Tensor;
  readonly advantages: Tensor;
  readonly mask: Tensor;
  /** log π_ref, needed when the KL coefficient is not 0. */
  readonly referenceLogProb?: Tensor | undefined;
  /** Entropy of each decision's distribution, needed when the entropy coefficient is not 0. */
  readonly entropy?: Tensor | undefined;
}

/** The loss and its diagnostics, one element each. */
export interface GrpoLoss {
  readonly loss: Tensor;
  readonly pgLoss: Tensor;
  readonly pgClipFraction: Tensor;
  readonly pgClipFractionLower: Tensor;
  readonly ppoKl: Tensor;
  /** The aggregated KL to the reference, when the term is on. */
  readonly kl?: Tensor;
  /** The aggregated entropy, when given. */
  readonly entropy?: Tensor;
}

export function grpoLoss(input: GrpoLossInput, settings: GrpoLossSettings): GrpoLoss {
  const surrogate = clippedSurrogateLoss(
    { oldLogProb: input.oldLogProb, logProb: input.logProb, advantages: input.advantages, responseMask: input.mask },
    {
      clipRatioLow: settings.clipRatioLow,
      clipRatioHigh: settings.clipRatioHigh,
      clipRatioC: settings.clipRatioC,
      aggregation: settings.aggregation,
    },
  );
  let loss = surrogate.pgLoss;
  let entropy: Tensor | undefined;
  if (input.entropy !== undefined) {
    entropy = aggregateLoss(input.entropy, input.mask, settings.aggregation);
    if (settings.entropyCoefficient !== 0) loss = add(loss, affine(entropy, -settings.entropyCoefficient));
  }
  let kl: Tensor | undefined;
  if (settings.klCoefficient !== 0 && input.referenceLogProb !== undefined) {
    kl = aggregateLoss(
      klPenalty(input.logProb, input.referenceLogProb, settings.klEstimator),
      input.mask,
      settings.aggregation,
    );
    loss = add(loss, affine(kl, settings.klCoefficient));
  }
  return {
    loss,
    pgLoss: surrogate.pgLoss,
    pgClipFraction: surrogate.pgClipFraction,
    pgClipFractionLower: surrogate.pgClipFractionLower,
    ppoKl: surrogate.ppoKl,
    ...(kl === undefined ? {} : { kl }),
    ...(entropy === undefined ? {} : { entropy }),
  };
}
