import { z } from "zod";
import type { CallOptions, SpecificationVersion } from "./call-options.js";
import { type Id, idSchema } from "./ids.js";
import { type JsonValue, jsonValueSchema } from "./json.js";
import {
  type ChatMessage,
  chatMessageSchema,
  checkLogprobAlignment,
  type FinishReason,
  finishReasonSchema,
  type LogprobDistribution,
  logprobDistributionSchema,
  type SamplingOptions,
  samplingOptionsSchema,
  type ToolCall,
  toolCallSchema,
} from "./language-model.js";
import { type ActionLogprob, actionLogprobSchema } from "./policy.js";
import { type StepRewardComponents, stepRewardComponentsSchema } from "./rewards.js";
import { createValidator, issueCode, type ValidationCode } from "./validation.js";

/** One refusal of a training value, at `path`, with the typed code its ValidationError carries. */
function addIssue(
  ctx: z.RefinementCtx,
  path: (string | number)[],
  message: string,
  code: ValidationCode = "inconsistent",
): void {
  ctx.addIssue({ code: "custom", path, message, ...issueCode(code) });
}

/**
 * The part of a training sample that lets a trainer recompute an LLM policy's action
 * log-probability under new parameters without re-tokenizing: the token ids exactly as the serving
 * engine produced them, and the behaviour log-probability of each response token.
 *
 * Behaviour log-probabilities are meant to be taken under the distribution the token was sampled
 * from (`sampled`: after temperature, top-k / top-p truncation and grammar masks; see
 * {@link LogprobDistribution}); `logprobDistribution` records which the engine actually gave, or
 * `null` when the engine did not say.
 */
export interface LlmSampleRecord {
  /** The chat messages sent; `promptTokenIds` are the engine's rendering of them (tools included). */
  readonly promptMessages: readonly ChatMessage[];
  /** The response text as the engine returned it (empty when a tool parser took every call out). */
  readonly responseText: string;
  /** The calls the engine's tool parser took out of the response; their tokens are in `responseTokenIds`. */
  readonly responseToolCalls: readonly ToolCall[];
  readonly promptTokenIds: readonly number[];
  /** Every generated token, the end-of-turn token included when the engine generated one. */
  readonly responseTokenIds: readonly number[];
  /** One behaviour log-probability per response token. */
  readonly responseLogprobs: readonly number[];
  readonly finishReason: FinishReason;
  /** True exactly when `finishReason` is `length`: the response was cut at the token limit. */
  readonly truncated: boolean;
  /** The sampling settings the request carried; a setting left out took the engine's default. */
  readonly sampling: SamplingOptions;
  readonly logprobDistribution: LogprobDistribution | null;
}

export const llmSampleRecordSchema = z.strictObject({
  promptMessages: z.array(chatMessageSchema).min(1),
  responseText: z.string(),
  responseToolCalls: z.array(toolCallSchema),
  promptTokenIds: z.array(z.number().int().min(0)).min(1),
  responseTokenIds: z.array(z.number().int().min(0)),
  responseLogprobs: z.array(z.number().max(0)),
  finishReason: finishReasonSchema,
  truncated: z.boolean(),
  sampling: samplingOptionsSchema,
  logprobDistribution: logprobDistributionSchema.nullable(),
});

/** The part of a training sample that lets a decision policy (a small in-process policy) replay its choices. */
export interface DecisionSampleRecord {
  /** The policy's own payload, checked by its `replayValidator`. */
  readonly replay: JsonValue;
  /** The log-probability of each discrete decision under the distribution it was sampled from. */
  readonly decisionLogprobs: readonly number[];
}

export const decisionSampleRecordSchema = z.strictObject({
  replay: jsonValueSchema,
  decisionLogprobs: z.array(z.number().max(0)),
});

/**
 * One RL sample: one chunk step of one rollout (prompt = system + memory view + chunk, response =
 * the generation holding all of the step's calls), with its reward and every component.
 *
 * An LLM policy's sample has `llm` and an `actionLogprob` from `tokens`; a decision policy's has
 * `decisions` and an `actionLogprob` from `decisions`; a policy without log-probabilities (the
 * heuristic) has neither and a null `actionLogprob`. `actionLogprob.value` is min(0, Σ) of the
 * per-token (per-decision) log-probabilities and `count` their number.
 */
export interface TrainingSample {
  readonly instanceId: Id;
  /** Which of the G rollouts (0-based), as in the step records. */
  readonly rollout: number;
  /** t, from 1. */
  readonly step: number;
  readonly dataSource: string;
  /** r(t), equal to `rewards.total`. */
  readonly reward: number;
  readonly rewards: StepRewardComponents;
  readonly actionLogprob: ActionLogprob | null;
  readonly llm?: LlmSampleRecord;
  readonly decisions?: DecisionSampleRecord;
}

/**
 * How far `actionLogprob.value` may be from min(0, Σ log-probabilities): |a − s| ≤ 1e-6 · max(1, |s|).
 * Relative for long responses (thousands of tokens summed in another order), absolute near 0.
 */
export const ACTION_LOGPROB_TOLERANCE = 1e-6;

export const trainingSampleSchema = z
  .strictObject({
    instanceId: idSchema,
    rollout: z.number().int().min(0),
    step: z.number().int().min(1),
    dataSource: z.string().min(1).max(256),
    reward: z.number().finite(),
    rewards: stepRewardComponentsSchema,
    actionLogprob: actionLogprobSchema.nullable(),
    llm: llmSampleRecordSchema.exactOptional(),
    decisions: decisionSampleRecordSchema.exactOptional(),
  })
  .superRefine((sample, ctx) => {
    const issue = (path: (string | number)[], message: string, code?: ValidationCode) =>
      addIssue(ctx, path, message, code);
    if (sample.reward !== sample.rewards.total) issue(["reward"], "reward must equal rewards.total");
    if (sample.llm !== undefined && sample.decisions !== undefined) {
      issue(["decisions"], "a sample is an LLM policy's (llm) or a decision policy's (decisions), not both");
      return;
    }
    if (sample.llm !== undefined) {
      checkLogprobAlignment(sample.llm, ctx, ["llm"]);
      if (sample.llm.truncated !== (sample.llm.finishReason === "length")) {
        issue(
          ["llm", "truncated"],
          `truncated must be ${sample.llm.finishReason === "length"} when finishReason is ${sample.llm.finishReason}`,
        );
      }
      checkActionLogprob(sample.actionLogprob, "tokens", sample.llm.responseLogprobs, issue);
      return;
    }
    if (sample.decisions !== undefined) {
      checkActionLogprob(sample.actionLogprob, "decisions", sample.decisions.decisionLogprobs, issue);
      return;
    }
    // A log-probability alone cannot be recomputed under new parameters, so a trainer cannot use it.
    if (sample.actionLogprob?.source === "tokens") {
      issue(
        ["llm"],
        "a token log-probability needs its llm record (token ids and one log-probability per token); run the episodes with training: true",
        "missing_field",
      );
    } else if (sample.actionLogprob?.source === "decisions") {
      issue(
        ["decisions"],
        "a decision log-probability needs its decisions record (replay payload and one log-probability per decision); run the episodes with training: true",
        "missing_field",
      );
    }
  });

function checkActionLogprob(
  actionLogprob: ActionLogprob | null,
  source: ActionLogprob["source"],
  parts: readonly number[],
  issue: (path: (string | number)[], message: string) => void,
): void {
  const what = source === "tokens" ? "llm.responseLogprobs" : "decisions.decisionLogprobs";
  if (actionLogprob === null) {
    issue(["actionLogprob"], `expected the sum of ${what}, got null`);
    return;
  }
  if (actionLogprob.source !== source) {
    issue(
      ["actionLogprob", "source"],
      `expected "${source}" beside ${source === "tokens" ? "llm" : "decisions"}, got "${actionLogprob.source}"`,
    );
    return;
  }
  if (actionLogprob.count !== parts.length) {
    issue(["actionLogprob", "count"], `expected ${parts.length} (the length of ${what}), got ${actionLogprob.count}`);
    return;
  }
  const sum = Math.min(
    0,
    parts.reduce((total, value) => total + value, 0),
  );
  if (Math.abs(actionLogprob.value - sum) > ACTION_LOGPROB_TOLERANCE * Math.max(1, Math.abs(sum))) {
    issue(
      ["actionLogprob", "value"],
      `expected min(0, Σ ${what}) = ${sum} (to 1e-6 relative), got ${actionLogprob.value}`,
    );
  }
}

/** One rollout: a policy run over one instance's chunks; sample t is step t. */
export interface Rollout {
  /** Unique within the group, e.g. `<instanceId>:r<rollout>`. */
  readonly rolloutId: Id;
  /** Which of the G rollouts (0-based); every sample repeats it. */
  readonly rollout: number;
  readonly seed: string;
  /** Steps 1..T in order, each once. Rollouts of one group may differ in T. */
  readonly samples: readonly TrainingSample[];
}

export const rolloutSchema = z
  .strictObject({
    rolloutId: idSchema,
    rollout: z.number().int().min(0),
    seed: z.string().min(1).max(256),
    samples: z.array(trainingSampleSchema).min(1),
  })
  .superRefine((rollout, ctx) => {
    const issue = (path: (string | number)[], message: string) => addIssue(ctx, path, message);
    const seenAt = new Map<number, number>();
    for (const [index, sample] of rollout.samples.entries()) {
      const earlier = seenAt.get(sample.step);
      // Only the first numbering defect is reported: every later sample would be off by the same slip.
      if (earlier !== undefined) {
        issue(
          ["samples", index, "step"],
          `step ${sample.step} appears twice in rollout ${rollout.rolloutId} (also samples[${earlier}])`,
        );
        break;
      }
      if (sample.step !== index + 1) {
        issue(
          ["samples", index, "step"],
          `steps are numbered 1..T in order: samples[${index}] must be step ${index + 1}, got ${sample.step}`,
        );
        break;
      }
      seenAt.set(sample.step, index);
    }
    for (const [index, sample] of rollout.samples.entries()) {
      if (sample.rollout !== rollout.rollout)
        issue(
          ["samples", index, "rollout"],
          `expected rollout ${rollout.rollout} (its rollout's), got ${sample.rollout}`,
        );
    }
  });

/** The G rollouts of one instance, over which GRPO normalises advantages. */
export interface RolloutGroup {
  readonly instanceId: Id;
  readonly rollouts: readonly Rollout[];
}

export const rolloutGroupSchema = z
  .strictObject({
    instanceId: idSchema,
    rollouts: z.array(rolloutSchema).min(1),
  })
  .superRefine((group, ctx) => {
    const issue = (path: (string | number)[], message: string) => addIssue(ctx, path, message);
    const ids = new Map<string, number>();
    const indices = new Map<number, number>();
    const dataSource = group.rollouts[0]?.samples[0]?.dataSource;
    for (const [index, rollout] of group.rollouts.entries()) {
      const sameId = ids.get(rollout.rolloutId);
      if (sameId !== undefined)
        issue(["rollouts", index, "rolloutId"], `rolloutId ${rollout.rolloutId} is also rollouts[${sameId}]'s`);
      else ids.set(rollout.rolloutId, index);
      const sameIndex = indices.get(rollout.rollout);
      if (sameIndex !== undefined)
        issue(["rollouts", index, "rollout"], `rollout ${rollout.rollout} is also rollouts[${sameIndex}]'s`);
      else indices.set(rollout.rollout, index);
      for (const [position, sample] of rollout.samples.entries()) {
        if (sample.instanceId !== group.instanceId) {
          issue(
            ["rollouts", index, "samples", position, "instanceId"],
            `expected the group's instance ${group.instanceId}, got ${sample.instanceId}`,
          );
        }
        if (sample.dataSource !== dataSource) {
          issue(
            ["rollouts", index, "samples", position, "dataSource"],
            `one instance has one data source: expected ${String(dataSource)}, got ${sample.dataSource}`,
          );
        }
      }
    }
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
  loss: z.number().finite().exactOptional(),
  klDivergence: z.number().finite().exactOptional(),
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
export const trainerUpdateRequestValidator = createValidator<TrainerUpdateRequest>(
  "TrainerUpdateRequest",
  trainerUpdateRequestSchema,
);
export const trainerMetricsValidator = createValidator<TrainerMetrics>("TrainerMetrics", trainerMetricsSchema);
