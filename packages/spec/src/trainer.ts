import { z } from "zod";
import type { CallOptions, SpecificationVersion } from "./call-options.js";
import { idSchema, stepSchema, type Id } from "./ids.js";
import { checkLogprobAlignment } from "./language-model.js";
import { actionLogprobSchema, type ActionLogprob } from "./policy.js";
import { stepRewardComponentsSchema, type StepRewardComponents } from "./rewards.js";
import { issueCode, createValidator } from "./validation.js";

/**
 * One RL sample: one chunk step of one rollout (prompt = system + memory view + chunk, response =
 * the generation holding all of the step's calls), with its reward and every component.
 */
export interface TrainingSample {
  readonly step: number;
  readonly reward: number;
  readonly rewards: StepRewardComponents;
  readonly actionLogprob: ActionLogprob | null;
  /** Token ids as the serving engine produced them; present for LLM policies. */
  readonly promptTokenIds?: readonly number[];
  readonly responseTokenIds?: readonly number[];
  /** One behaviour log-probability per response token. */
  readonly responseLogprobs?: readonly number[];
}

export const trainingSampleSchema = z
  .strictObject({
    step: stepSchema,
    reward: z.number().finite(),
    rewards: stepRewardComponentsSchema,
    actionLogprob: actionLogprobSchema.nullable(),
    promptTokenIds: z.array(z.number().int().min(0)).optional(),
    responseTokenIds: z.array(z.number().int().min(0)).optional(),
    responseLogprobs: z.array(z.number().max(0)).optional(),
  })
  .superRefine((sample, ctx) => {
    if (sample.reward !== sample.rewards.total) {
      ctx.addIssue({ code: "custom", path: ["reward"], message: "reward must equal rewards.total", ...issueCode("inconsistent") });
    }
    checkLogprobAlignment(sample, ctx);
  });

/** One rollout: a policy run over one instance's chunks. */
export interface Rollout {
  readonly rolloutId: Id;
  readonly seed: string;
  readonly samples: readonly TrainingSample[];
}

export const rolloutSchema = z.strictObject({
  rolloutId: idSchema,
  seed: z.string().min(1).max(256),
  samples: z.array(trainingSampleSchema).min(1),
});

/** The G rollouts of one instance, over which GRPO normalises advantages. */
export interface RolloutGroup {
  readonly instanceId: Id;
  readonly rollouts: readonly Rollout[];
}

export const rolloutGroupSchema = z.strictObject({
  instanceId: idSchema,
  rollouts: z.array(rolloutSchema).min(1),
});

/**
 * How advantages are grouped: `pooled` (Mem-α: all steps of all G rollouts of an instance form one
 * group) or `per-step` (step t of each rollout forms a group).
 */
export type AdvantageGrouping = "pooled" | "per-step";

export interface TrainerUpdateRequest {
  readonly groups: readonly RolloutGroup[];
  readonly grouping: AdvantageGrouping;
}

export const trainerUpdateRequestSchema = z.strictObject({
  groups: z.array(rolloutGroupSchema).min(1),
  grouping: z.enum(["pooled", "per-step"]),
});

/** What one update reports. */
export interface TrainerMetrics {
  /** The optimiser step after this update. */
  readonly updateStep: number;
  readonly samples: number;
  readonly meanReward: number;
  readonly loss?: number;
  readonly klDivergence?: number;
  /** Backend-specific figures (e.g. clip fraction, grad norm). */
  readonly extra: { readonly [name: string]: number };
}

export const trainerMetricsSchema = z.strictObject({
  updateStep: z.number().int().min(0),
  samples: z.number().int().min(0),
  meanReward: z.number().finite(),
  loss: z.number().finite().optional(),
  klDivergence: z.number().finite().optional(),
  extra: z.record(z.string(), z.number()),
});

/** A trainer: rollout groups with per-step rewards and log-probabilities → one update → metrics. */
export interface TrainerBackend {
  readonly specificationVersion: SpecificationVersion;
  readonly backendId: string;
  update(request: TrainerUpdateRequest, options?: CallOptions): Promise<TrainerMetrics>;
}

export const trainingSampleValidator = createValidator<TrainingSample>("TrainingSample", trainingSampleSchema);
export const rolloutGroupValidator = createValidator<RolloutGroup>("RolloutGroup", rolloutGroupSchema);
export const trainerUpdateRequestValidator = createValidator<TrainerUpdateRequest>("TrainerUpdateRequest", trainerUpdateRequestSchema);
export const trainerMetricsValidator = createValidator<TrainerMetrics>("TrainerMetrics", trainerMetricsSchema);
