import { z } from "zod";
import type { CallOptions, SpecificationVersion } from "./call-options.js";
import { contentSchema, idSchema, stepSchema, type Id } from "./ids.js";
import { checkLogprobAlignment, tokenUsageSchema, type TokenUsage } from "./language-model.js";
import { memoryViewSchema, type MemoryLayout, type MemoryView } from "./memory.js";
import { memoryOperationSchema, type MemoryOperation } from "./operation.js";
import { issueCode, createValidator } from "./validation.js";

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
}

export const policyDecisionSchema = z
  .strictObject({
    operations: z.array(memoryOperationSchema),
    parseOutcomes: z.array(parseOutcomeSchema),
    rawOutput: z.string(),
    actionLogprob: actionLogprobSchema.nullable(),
    promptHash: z.string().min(1).max(128).optional(),
    promptTokenIds: z.array(z.number().int().min(0)).optional(),
    responseTokenIds: z.array(z.number().int().min(0)).optional(),
    responseLogprobs: z.array(z.number().max(0)).optional(),
    usage: tokenUsageSchema.optional(),
  })
  .superRefine((decision, ctx) => {
    decision.parseOutcomes.forEach((outcome, index) => {
      if (outcome.status !== "failed" && outcome.operationIndex >= decision.operations.length) {
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
}

export const policyInputSchema = z.strictObject({
  step: stepSchema,
  chunk: chunkSchema,
  view: memoryViewSchema,
  instanceId: idSchema.optional(),
});

/** The memory manager π_θ: chunk + memory view → operations. */
export interface MemoryPolicy {
  readonly specificationVersion: SpecificationVersion;
  /** A stable name recorded in results, e.g. `heuristic` or the served model's id. */
  readonly policyId: string;
  readonly layout: MemoryLayout;
  decide(input: PolicyInput, options?: CallOptions): Promise<PolicyDecision>;
}

export const chunkValidator = createValidator<Chunk>("Chunk", chunkSchema);
export const parseOutcomeValidator = createValidator<ParseOutcome>("ParseOutcome", parseOutcomeSchema);
export const policyDecisionValidator = createValidator<PolicyDecision>("PolicyDecision", policyDecisionSchema);
export const policyInputValidator = createValidator<PolicyInput>("PolicyInput", policyInputSchema);
