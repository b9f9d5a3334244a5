import { z } from "zod";
import type { CallOptions, SpecificationVersion } from "./call-options.js";
import { contentSchema, type Id, idSchema, stepSchema } from "./ids.js";
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
  type TokenUsage,
  type ToolCall,
  tokenUsageSchema,
  toolCallSchema,
} from "./language-model.js";
import { type MemoryLayout, type MemoryView, memoryViewSchema } from "./memory.js";
import { type MemoryOperation, memoryOperationSchema } from "./operation.js";
import { createValidator, issueCode, type Validator } from "./validation.js";

/** One piece of the history, read by one policy step. */
export interface Chunk {
  readonly id: Id;
  readonly text: string;
}

export const chunkSchema = z.strictObject({ id: idSchema, text: contentSchema });

/** Why a call-like fragment of a policy's output did not become an operation. */
export type ParseFailureReason =
  | "empty_reply"
  | "malformed_json"
  | "truncated"
  | "unknown_tool"
  | "invalid_arguments"
  | "missing_id"
  | "empty_content";

export const PARSE_FAILURE_REASONS = [
  "empty_reply",
  "malformed_json",
  "truncated",
  "unknown_tool",
  "invalid_arguments",
  "missing_id",
  "empty_content",
] as const satisfies readonly ParseFailureReason[];

/**
 * The outcome of one call-like fragment of a policy's output (one tool call, one `<tool_call>` block,
 * one JSON object): parsed, parsed after repair, or failed. The format reward counts these.
 */
export type ParseOutcome =
  | {
      readonly fragment: number;
      readonly status: "parsed" | "repaired";
      /** Index into the decision's `operations`. */
      readonly operationIndex: number;
      /** Names of the repairs applied (empty when `parsed`). */
      readonly repairs: readonly string[];
    }
  | {
      readonly fragment: number;
      readonly status: "failed";
      readonly reason: ParseFailureReason;
      readonly message: string;
    }
  | {
      readonly fragment: number;
      /**
       * The reader itself failed (a bug of ours, not the model's output): counted neither for nor
       * against the policy by the format reward, and logged with its message.
       */
      readonly status: "internal_error";
      readonly message: string;
    };

export const parseOutcomeSchema = z.discriminatedUnion("status", [
  z.strictObject({
    fragment: z.number().int().min(0),
    status: z.enum(["parsed", "repaired"]),
    operationIndex: z.number().int().min(0),
    repairs: z.array(z.string().min(1)),
  }),
  z.strictObject({
    fragment: z.number().int().min(0),
    status: z.literal("failed"),
    reason: z.enum(PARSE_FAILURE_REASONS),
    message: z.string().max(2000),
  }),
  z.strictObject({
    fragment: z.number().int().min(0),
    status: z.literal("internal_error"),
    message: z.string().max(2000),
  }),
]);

/**
 * The log-probability of the step's action under the policy: the sum over generated tokens for an
 * LLM policy (`tokens`), or over the discrete decisions of a small in-process policy (`decisions`).
 */
export interface ActionLogprob {
  readonly value: number;
  readonly source: "tokens" | "decisions";
  /** How many tokens or decisions were summed. */
  readonly count: number;
}

export const actionLogprobSchema = z.strictObject({
  value: z.number().max(0),
  source: z.enum(["tokens", "decisions"]),
  count: z.number().int().min(0),
});

/** What a policy returns for one step. */
export interface PolicyDecision {
  readonly operations: readonly MemoryOperation[];
  readonly parseOutcomes: readonly ParseOutcome[];
  /** The model's raw output (or a rendering of a small policy's decisions). */
  readonly rawOutput: string;
  /** `null` when the backend gives no log-probabilities. */
  readonly actionLogprob: ActionLogprob | null;
  /** Hash of the prompt template version used, recorded in run manifests. */
  readonly promptHash?: string;
  readonly promptTokenIds?: readonly number[];
  readonly responseTokenIds?: readonly number[];
  readonly responseLogprobs?: readonly number[];
  readonly usage?: TokenUsage;

  // What a trainer needs to recompute the action's log-probability, returned when the input had
  // `training: true` (evaluation leaves these out, keeping run logs small).

  /** LLM policies: the chat messages sent to the engine; `promptTokenIds` are the engine's rendering of them. */
  readonly promptMessages?: readonly ChatMessage[];
  /** LLM policies: the response text as the engine returned it (empty when a tool parser took every call out). */
  readonly responseText?: string;
  /** LLM policies: the calls the engine's tool parser took out of the response; their tokens are among `responseTokenIds`. */
  readonly responseToolCalls?: readonly ToolCall[];
  /** LLM policies: why the generation ended, as the engine said; `length` is a truncated response. */
  readonly finishReason?: FinishReason;
  /** LLM policies: the sampling settings the request carried (a setting left out took the engine's default). */
  readonly sampling?: SamplingOptions;
  /** LLM policies: the distribution `responseLogprobs` were taken under, when the engine says. */
  readonly logprobDistribution?: LogprobDistribution;
  /**
   * Decision policies: everything the policy needs to recompute its decisions' log-probabilities
   * under new parameters (features, candidate sets, choices), as JSON that the policy's
   * {@link MemoryPolicy.replayValidator} accepts.
   */
  readonly replay?: JsonValue;
  /**
   * Decision policies: the log-probability of each discrete decision under the distribution it was
   * sampled from; `actionLogprob` (source `decisions`) is their sum.
   */
  readonly decisionLogprobs?: readonly number[];
}

export const policyDecisionSchema = z
  .strictObject({
    operations: z.array(memoryOperationSchema),
    parseOutcomes: z.array(parseOutcomeSchema),
    rawOutput: z.string(),
    actionLogprob: actionLogprobSchema.nullable(),
    promptHash: z.string().min(1).max(128).exactOptional(),
    promptTokenIds: z.array(z.number().int().min(0)).exactOptional(),
    responseTokenIds: z.array(z.number().int().min(0)).exactOptional(),
    responseLogprobs: z.array(z.number().max(0)).exactOptional(),
    usage: tokenUsageSchema.exactOptional(),
    promptMessages: z.array(chatMessageSchema).exactOptional(),
    responseText: z.string().exactOptional(),
    responseToolCalls: z.array(toolCallSchema).exactOptional(),
    finishReason: finishReasonSchema.exactOptional(),
    sampling: samplingOptionsSchema.exactOptional(),
    logprobDistribution: logprobDistributionSchema.exactOptional(),
    replay: jsonValueSchema.exactOptional(),
    decisionLogprobs: z.array(z.number().max(0)).exactOptional(),
  })
  .superRefine((decision, ctx) => {
    decision.parseOutcomes.forEach((outcome, index) => {
      if (
        (outcome.status === "parsed" || outcome.status === "repaired") &&
        outcome.operationIndex >= decision.operations.length
      ) {
        ctx.addIssue({
          code: "custom",
          path: ["parseOutcomes", index, "operationIndex"],
          message: `operationIndex ${outcome.operationIndex} is past the ${decision.operations.length} operations`,
          ...issueCode("inconsistent"),
        });
      }
    });
    checkLogprobAlignment(decision, ctx);
  });

/** What a policy sees at step t: the chunk c_t and the memory M_{t-1}. */
export interface PolicyInput {
  readonly step: number;
  readonly chunk: Chunk;
  readonly view: MemoryView;
  readonly instanceId?: Id;
  /**
   * True when the step is a training rollout: the policy then returns what a trainer needs to
   * recompute the action's log-probability (an LLM policy asks its engine for token ids and
   * log-probabilities; a decision policy attaches its replay payload). Evaluation leaves it unset.
   */
  readonly training?: boolean;
}

export const policyInputSchema = z.strictObject({
  step: stepSchema,
  chunk: chunkSchema,
  view: memoryViewSchema,
  instanceId: idSchema.exactOptional(),
  training: z.boolean().exactOptional(),
});

/** The memory manager π_θ: chunk + memory view → operations. */
export interface MemoryPolicy {
  readonly specificationVersion: SpecificationVersion;
  /** A stable name recorded in results, e.g. `heuristic` or the served model's id. */
  readonly policyId: string;
  readonly layout: MemoryLayout;
  decide(input: PolicyInput, options?: CallOptions): Promise<PolicyDecision>;
  /**
   * A decision policy that returns `replay` payloads when training gives the validator of its
   * payload here, so a trainer (and `toRolloutGroup` in finemem) refuses a payload the policy
   * could not replay before an update depends on it. LLM policies have none.
   */
  readonly replayValidator?: Validator<JsonValue>;
}

export const chunkValidator = createValidator<Chunk>("Chunk", chunkSchema);
export const parseOutcomeValidator = createValidator<ParseOutcome>("ParseOutcome", parseOutcomeSchema);
export const policyDecisionValidator = createValidator<PolicyDecision>("PolicyDecision", policyDecisionSchema);
export const policyInputValidator = createValidator<PolicyInput>("PolicyInput", policyInputSchema);
