import { z } from "zod";
import { stepSchema, unitIntervalSchema } from "./ids.js";
import { createValidator } from "./validation.js";

/**
 * Weights of the total step reward (docs/method.md §14):
 * r(t) = r_EARA(t) + r_format(t) + chunk·r_chunk(t) + compression·r_comp + content·r_content(t),
 * with r_EARA(t) = (1 − beta)·r_global / T + beta·N_t.
 */
export interface RewardWeights {
  readonly beta: number;
  readonly chunk: number;
  readonly compression: number;
  /** Mem-α's LLM-judged content-validity term; 0 (off) by default as Fine-Mem does not report it. */
  readonly content: number;
}

/** The paper's defaults: β = 0.5, w_chunk = 0.5, w_comp = 0.05, content validity off. */
export const DEFAULT_REWARD_WEIGHTS: RewardWeights = Object.freeze({
  beta: 0.5,
  chunk: 0.5,
  compression: 0.05,
  content: 0,
});

export const rewardWeightsSchema = z.strictObject({
  beta: unitIntervalSchema,
  chunk: z.number().min(0).finite(),
  compression: z.number().min(0).finite(),
  content: z.number().min(0).finite(),
});

/**
 * Every component of one step's reward, kept beside the total. A component that was not computed
 * (no chunk questions, evaluation without EARA) is `null`, never a silent 0.
 */
export interface StepRewardComponents {
  /**
   * r_format(t): share of the step's calls that parsed, validated and executed; `null` when the step's
   * only calls met an internal parser error (no call the policy can be judged on).
   */
  readonly format: number | null;
  /** r_chunk(t): share of chunk t's questions answered correctly from M_t. */
  readonly chunk: number | null;
  /** N_t: the step's normalized evidence contribution. */
  readonly evidence: number | null;
  /** r_EARA(t). */
  readonly eara: number | null;
  /** r_comp (an episode-level value, repeated on every step it is added to). */
  readonly compression: number | null;
  /** r_content(t), when the content-validity judge is on. */
  readonly content: number | null;
  /** The weighted total r(t). */
  readonly total: number;
}

export const stepRewardComponentsSchema = z.strictObject({
  format: unitIntervalSchema.nullable(),
  chunk: unitIntervalSchema.nullable(),
  evidence: unitIntervalSchema.nullable(),
  eara: z.number().finite().nullable(),
  compression: z.number().finite().max(1).nullable(),
  content: unitIntervalSchema.nullable(),
  total: z.number().finite(),
});

/** Episode-level figures reported beside the per-step rewards. */
export interface EpisodeRewardSummary {
  /** T, the number of steps. */
  readonly steps: number;
  /** r_global = mean score over the scored global questions. */
  readonly global: number;
  /** U, the share of r_global credited to no step (questions with no evidence). */
  readonly unattributed: number;
  readonly compression: number | null;
  readonly questionsScored: number;
  readonly questionsTotal: number;
  readonly weights: RewardWeights;
}

export const episodeRewardSummarySchema = z.strictObject({
  steps: stepSchema,
  global: unitIntervalSchema,
  unattributed: unitIntervalSchema,
  compression: z.number().finite().max(1).nullable(),
  questionsScored: z.number().int().min(0),
  questionsTotal: z.number().int().min(0),
  weights: rewardWeightsSchema,
});

export const rewardWeightsValidator = createValidator<RewardWeights>("RewardWeights", rewardWeightsSchema);
export const stepRewardComponentsValidator = createValidator<StepRewardComponents>(
  "StepRewardComponents",
  stepRewardComponentsSchema,
);
export const episodeRewardSummaryValidator = createValidator<EpisodeRewardSummary>(
  "EpisodeRewardSummary",
  episodeRewardSummarySchema,
);
