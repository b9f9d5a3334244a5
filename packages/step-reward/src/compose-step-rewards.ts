import {
  DEFAULT_REWARD_WEIGHTS,
  type RewardWeights,
  rewardWeightsValidator,
  type StepRewardComponents,
  stepRewardComponentsValidator,
} from "@finemem/spec";
import { StepRewardError } from "./step-reward-error.js";

/** One step's reward terms as numbers; `null` or absent means "not computed" (kept as `null`, adds 0). */
export interface StepRewardTerms {
  /** r_format(t) ∈ [0, 1]; null when no call could be judged (only internal parser errors). */
  readonly format: number | null;
  /** r_chunk(t) ∈ [0, 1]; null when the chunk has no questions. */
  readonly chunk?: number | null;
  /** N_t ∈ [0, 1], reported beside r_EARA. */
  readonly evidence?: number | null;
  /** r_EARA(t), from whichever attributor the caller chose. */
  readonly eara?: number | null;
  /** r_content(t) ∈ [0, 1], when the content-validity judge ran. */
  readonly content?: number | null;
}

export interface ComposeOptions {
  /** Merged over spec's DEFAULT_REWARD_WEIGHTS (β 0.5, chunk 0.5, compression 0.05, content 0). */
  readonly weights?: Partial<RewardWeights>;
  /** r_comp, the episode's compression reward, added to every step; null when not computed. */
  readonly compression?: number | null;
}

/** The weights after merging `weights` over the defaults. @throws {StepRewardError} `invalid_weights` naming the key */
export function resolveRewardWeights(weights: Partial<RewardWeights> = {}): RewardWeights {
  const merged = { ...DEFAULT_REWARD_WEIGHTS, ...weights };
  const checked = rewardWeightsValidator.validate(merged);
  if (!checked.ok) {
    const key = checked.error.path[0];
    throw new StepRewardError(
      "invalid_weights",
      `reward weight ${String(key)}: expected a finite number ≥ 0${key === "beta" ? " and ≤ 1" : ""}, got ${String((merged as Record<string, unknown>)[String(key)])}`,
      checked.error.path,
      checked.error,
    );
  }
  return checked.value;
}

/**
 * Per-step totals from numbers only (it imports no attributor, so any r_EARA, or none, plugs in):
 * r(t) = r_EARA(t) + r_format(t) + w_chunk·r_chunk(t) + w_comp·r_comp + w_content·r_content(t).
 * Every component is kept beside the total, `null` where it was not computed.
 *
 * @throws {StepRewardError} `invalid_weights` for a bad weight, `invalid_component` for a NaN or out-of-range term (the path names the step and term)
 */
export function composeStepRewards(
  steps: readonly StepRewardTerms[],
  options: ComposeOptions = {},
): StepRewardComponents[] {
  const weights = resolveRewardWeights(options.weights);
  const compression = options.compression ?? null;
  return steps.map((terms, index) => {
    const chunk = terms.chunk ?? null;
    const eara = terms.eara ?? null;
    const content = terms.content ?? null;
    const format = terms.format ?? null;
    const total =
      (eara ?? 0) +
      (format ?? 0) +
      weights.chunk * (chunk ?? 0) +
      weights.compression * (compression ?? 0) +
      weights.content * (content ?? 0);
    const components: StepRewardComponents = {
      format,
      chunk,
      evidence: terms.evidence ?? null,
      eara,
      compression,
      content,
      total,
    };
    const checked = stepRewardComponentsValidator.validate(components);
    if (!checked.ok) {
      const term = checked.error.path[0];
      throw new StepRewardError(
        "invalid_component",
        `step ${index + 1}: ${String(term)} is ${String((components as unknown as Record<string, unknown>)[String(term)])}: ${checked.error.issues[0]?.message ?? "invalid"}`,
        [index, ...checked.error.path],
        checked.error,
      );
    }
    return checked.value;
  });
}
