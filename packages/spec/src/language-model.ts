import { z } from "zod";
import type { CallOptions, SpecificationVersion } from "./call-options.js";
import { type Id, idSchema } from "./ids.js";
import { type JsonValue, jsonObjectSchema } from "./json.js";
import { createValidator, issueCode } from "./validation.js";

/** A tool the model may call, described by a JSON schema of its arguments. */
export interface ToolDefinition {
  readonly name: Id;
  readonly description: string;
  /** JSON schema of the arguments object. */
  readonly parameters: { readonly [key: string]: JsonValue };
}

/** A tool call the model made. `arguments` is the raw JSON text: parsing is the consumer's job. */
export interface ToolCall {
  readonly id: Id;
  readonly name: string;
  readonly arguments: string;
}

export type ChatMessage =
  | { readonly role: "system"; readonly content: string }
  | { readonly role: "user"; readonly content: string }
  | { readonly role: "assistant"; readonly content: string; readonly toolCalls?: readonly ToolCall[] }
  | { readonly role: "tool"; readonly toolCallId: Id; readonly content: string };

/** Sampling options; a backend ignores none silently (it rejects what it cannot honour). */
export interface SamplingOptions {
  readonly temperature?: number;
  readonly topP?: number;
  readonly topK?: number;
  readonly maxTokens?: number;
  readonly seed?: number;
  readonly stop?: readonly string[];
}

export interface LanguageModelRequest {
  readonly messages: readonly ChatMessage[];
  readonly tools?: readonly ToolDefinition[];
  readonly toolChoice?: "auto" | "none" | "required" | { readonly name: string };
  readonly sampling?: SamplingOptions;
  /** Ask for per-token log-probabilities of the response. */
  readonly logprobs?: boolean;
  /** Ask for the serving engine's prompt and response token ids, so training never re-tokenizes. */
  readonly returnTokenIds?: boolean;
  /** Extra HTTP headers, e.g. a session id for a gateway. */
  readonly headers?: { readonly [name: string]: string };
}

export interface TokenUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
}

export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter" | "error" | "other";

/**
 * The distribution a token's log-probability was taken under.
 *
 * - `sampled`: the distribution the token was actually drawn from: the model's logits after
 *   temperature, after top-k / top-p truncation (renormalised over the tokens kept) and after any
 *   grammar mask. This is the behaviour policy μ of an importance ratio π_θ / μ, and the one a
 *   training record should carry.
 * - `raw`: the model's own softmax over the whole vocabulary, before temperature, truncation and
 *   masks. Engines that can return nothing else give this (vLLM's default `--logprobs-mode
 *   raw_logprobs`). It equals `sampled` only at temperature 1 without truncation or mask; a trainer
 *   correcting for the sampler has to know which it got.
 *
 * A greedy decoder (temperature 0) draws from a point mass, so its log-probabilities are `raw`.
 */
export type LogprobDistribution = "sampled" | "raw";

export const LOGPROB_DISTRIBUTIONS = ["sampled", "raw"] as const satisfies readonly LogprobDistribution[];

export interface LanguageModelResponse {
  readonly text: string;
  readonly toolCalls: readonly ToolCall[];
  readonly finishReason: FinishReason;
  readonly usage: TokenUsage;
  /** The model that answered, as the backend reports it. */
  readonly modelId?: string;
  /** Present when the backend returns them. */
  readonly promptTokenIds?: readonly number[];
  readonly responseTokenIds?: readonly number[];
  /** One log-probability per response token, aligned with `responseTokenIds` when both are present. */
  readonly responseLogprobs?: readonly number[];
  /** Which distribution `responseLogprobs` were taken under, when the backend knows; absent when it cannot tell. */
  readonly logprobDistribution?: LogprobDistribution;
}

/** A chat language model. Async: models are remote or heavy. */
export interface LanguageModel {
  readonly specificationVersion: SpecificationVersion;
  /** e.g. `openai-compatible`, `transformers-js`, `llama-cpp`. */
  readonly provider: string;
  readonly modelId: string;
  generate(request: LanguageModelRequest, options?: CallOptions): Promise<LanguageModelResponse>;
}

const tokenIdsSchema = z.array(z.number().int().min(0));
const logprobSchema = z.number().max(0);
export const logprobDistributionSchema = z.enum(LOGPROB_DISTRIBUTIONS);
export const finishReasonSchema = z.enum(["stop", "length", "tool_calls", "content_filter", "error", "other"]);

export const toolDefinitionSchema = z.strictObject({
  name: idSchema,
  description: z.string(),
  parameters: jsonObjectSchema,
});

export const toolCallSchema = z.strictObject({
  id: idSchema,
  name: z.string().min(1).max(256),
  arguments: z.string(),
});

export const chatMessageSchema = z.discriminatedUnion("role", [
  z.strictObject({ role: z.literal("system"), content: z.string() }),
  z.strictObject({ role: z.literal("user"), content: z.string() }),
  z.strictObject({
    role: z.literal("assistant"),
    content: z.string(),
    toolCalls: z.array(toolCallSchema).exactOptional(),
  }),
  z.strictObject({ role: z.literal("tool"), toolCallId: idSchema, content: z.string() }),
]);

export const samplingOptionsSchema = z.strictObject({
  temperature: z.number().min(0).max(10).exactOptional(),
  topP: z.number().gt(0).max(1).exactOptional(),
  topK: z.number().int().min(1).exactOptional(),
  maxTokens: z.number().int().min(1).exactOptional(),
  seed: z.number().int().exactOptional(),
  stop: z.array(z.string().min(1)).max(16).exactOptional(),
});

export const languageModelRequestSchema = z.strictObject({
  messages: z.array(chatMessageSchema).min(1),
  tools: z.array(toolDefinitionSchema).exactOptional(),
  toolChoice: z
    .union([z.enum(["auto", "none", "required"]), z.strictObject({ name: z.string().min(1) })])
    .exactOptional(),
  sampling: samplingOptionsSchema.exactOptional(),
  logprobs: z.boolean().exactOptional(),
  returnTokenIds: z.boolean().exactOptional(),
  headers: z.record(z.string(), z.string()).exactOptional(),
});

export const tokenUsageSchema = z.strictObject({
  promptTokens: z.number().int().min(0),
  completionTokens: z.number().int().min(0),
});

export const languageModelResponseSchema = z
  .strictObject({
    text: z.string(),
    toolCalls: z.array(toolCallSchema),
    finishReason: finishReasonSchema,
    usage: tokenUsageSchema,
    modelId: z.string().exactOptional(),
    promptTokenIds: tokenIdsSchema.exactOptional(),
    responseTokenIds: tokenIdsSchema.exactOptional(),
    responseLogprobs: z.array(logprobSchema).exactOptional(),
    logprobDistribution: logprobDistributionSchema.exactOptional(),
  })
  .superRefine((response, ctx) => checkLogprobAlignment(response, ctx));

/**
 * Adds an `inconsistent` issue at `responseLogprobs` (under `at`, for a nested record) unless there is
 * one log-probability per response token. Shared by every value that carries generated tokens
 * (responses, decisions, training samples).
 */
export function checkLogprobAlignment(
  value: {
    readonly responseTokenIds?: readonly number[] | undefined;
    readonly responseLogprobs?: readonly number[] | undefined;
  },
  ctx: z.RefinementCtx,
  at: readonly (string | number)[] = [],
): void {
  if (value.responseTokenIds === undefined || value.responseLogprobs === undefined) return;
  if (value.responseTokenIds.length === value.responseLogprobs.length) return;
  ctx.addIssue({
    code: "custom",
    path: [...at, "responseLogprobs"],
    message: `one log-probability per response token: ${value.responseTokenIds.length} tokens, ${value.responseLogprobs.length} log-probabilities`,
    ...issueCode("inconsistent"),
  });
}

export const toolDefinitionValidator = createValidator<ToolDefinition>("ToolDefinition", toolDefinitionSchema);
export const toolCallValidator = createValidator<ToolCall>("ToolCall", toolCallSchema);
export const chatMessageValidator = createValidator<ChatMessage>("ChatMessage", chatMessageSchema);
export const languageModelRequestValidator = createValidator<LanguageModelRequest>(
  "LanguageModelRequest",
  languageModelRequestSchema,
);
export const languageModelResponseValidator = createValidator<LanguageModelResponse>(
  "LanguageModelResponse",
  languageModelResponseSchema,
);
