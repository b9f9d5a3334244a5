import { KL_ESTIMATORS, LOSS_AGGREGATIONS } from "@finemem/kernels";
import type { AdvantageGrouping } from "@finemem/spec";
import type { GrpoLossSettings } from "../loss/grpo-loss.js";
import { TrainerError } from "../trainer-error.js";

/** Every hyperparameter of the local backend: the loss's, and the update's. */
export interface LocalTrainerConfig extends GrpoLossSettings {
  readonly grouping: AdvantageGrouping;
  /** GRPO (true) or Dr.GRPO (false). */
  readonly normalizeByStd: boolean;
  readonly epsilon: number;
  readonly learningRate: number;
  readonly weightDecay: number;
  readonly beta1: number;
  readonly beta2: number;
  /** Global gradient-norm clip. */
  readonly maxGradNorm: number;
  /** PPO epochs over each update's samples. */
  readonly epochs: number;
  /** Minibatches per epoch (samples are shuffled, seeded, then split). */
  readonly minibatches: number;
}

/**
 * The learned policy's defaults: a learning rate and budget that train it in minutes on 2 cores. KL is
 * off by default as in TRL; the LLM recipe's settings are {@link VERL_GRPO_RECIPE}. The entropy bonus is
 * 0.01: at 0.001 one run in five of `finemem train`'s default (seed s1) collapsed by update 30 into
 * overwriting every stored item (entropy 0.1, held-out 0.29), which 0.01 avoids at no cost to the others.
 */
export const LOCAL_TRAINER_DEFAULTS: LocalTrainerConfig = Object.freeze({
  grouping: "per-step",
  normalizeByStd: true,
  epsilon: 1e-6,
  learningRate: 0.02,
  weightDecay: 0,
  beta1: 0.9,
  beta2: 0.999,
  maxGradNorm: 1,
  epochs: 2,
  minibatches: 1,
  clipRatioLow: 0.2,
  clipRatioHigh: 0.2,
  clipRatioC: 3,
  klCoefficient: 0,
  klEstimator: "k3",
  entropyCoefficient: 0.01,
  aggregation: "token-mean",
});

/**
 * Fine-Mem's LLM recipe as FINEMEM.md §4 gives verl's GRPO settings: learning rate 1e-6, low-variance
 * KL (k3) with coefficient 0.001, clip 0.2, pooled groups. For an external engine, or a local policy
 * large enough to need them.
 */
export const VERL_GRPO_RECIPE: LocalTrainerConfig = Object.freeze({
  ...LOCAL_TRAINER_DEFAULTS,
  grouping: "pooled",
  learningRate: 1e-6,
  weightDecay: 0.01,
  epochs: 1,
  klCoefficient: 0.001,
  klEstimator: "low_var_kl",
  entropyCoefficient: 0,
});

/** Fills defaults and checks every value; a bad one is a `TrainerError("invalid_option")` naming it. */
export function resolveLocalTrainerConfig(input: Partial<LocalTrainerConfig> = {}): LocalTrainerConfig {
  for (const key of Object.keys(input)) {
    if (!(key in LOCAL_TRAINER_DEFAULTS)) {
      throw new TrainerError(
        "invalid_option",
        `unknown trainer setting "${key}"; the settings are ${Object.keys(LOCAL_TRAINER_DEFAULTS).join(", ")}`,
        { path: [key] },
      );
    }
  }
  const config = { ...LOCAL_TRAINER_DEFAULTS, ...stripUndefined(input) };
  const fail = (key: keyof LocalTrainerConfig, expected: string): never => {
    throw new TrainerError("invalid_option", `${key} must be ${expected}, got ${JSON.stringify(config[key])}`, {
      path: [key],
    });
  };
  const finiteAtLeast = (key: keyof LocalTrainerConfig, low: number) => {
    const value = config[key];
    if (typeof value !== "number" || !Number.isFinite(value) || value < low) fail(key, `a finite number ≥ ${low}`);
  };
  const integerAtLeast = (key: keyof LocalTrainerConfig, low: number) => {
    const value = config[key];
    if (typeof value !== "number" || !Number.isInteger(value) || value < low) fail(key, `an integer ≥ ${low}`);
  };
  if (config.grouping !== "pooled" && config.grouping !== "per-step") fail("grouping", `"pooled" or "per-step"`);
  if (typeof config.normalizeByStd !== "boolean") fail("normalizeByStd", "true or false");
  for (const key of [
    "epsilon",
    "learningRate",
    "weightDecay",
    "clipRatioLow",
    "clipRatioHigh",
    "klCoefficient",
    "entropyCoefficient",
  ] as const)
    finiteAtLeast(key, 0);
  for (const key of ["beta1", "beta2"] as const) {
    finiteAtLeast(key, 0);
    if (config[key] >= 1) fail(key, "in [0, 1)");
  }
  if (!(config.maxGradNorm > 0) || !Number.isFinite(config.maxGradNorm)) fail("maxGradNorm", "a finite number > 0");
  if (!(config.clipRatioC > 1) || !Number.isFinite(config.clipRatioC)) fail("clipRatioC", "a finite number > 1");
  integerAtLeast("epochs", 1);
  integerAtLeast("minibatches", 1);
  if (!KL_ESTIMATORS.includes(config.klEstimator)) fail("klEstimator", `one of ${KL_ESTIMATORS.join(", ")}`);
  if (!LOSS_AGGREGATIONS.includes(config.aggregation)) fail("aggregation", `one of ${LOSS_AGGREGATIONS.join(", ")}`);
  return Object.freeze(config);
}

function stripUndefined<T extends object>(input: T): Partial<T> {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)) as Partial<T>;
}
