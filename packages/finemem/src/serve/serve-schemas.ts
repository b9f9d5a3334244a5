// The request and response schemas of `finemem serve`: the same zod schemas validate the requests and
// generate the OpenAPI document (GET /v1/openapi.json). The model output and the chat types mirror
// @finemem/spec's (a test checks them against its validators); a whole benchmark instance is checked
// by spec's validator inside the schema, so its error paths are spec's.

import { benchmarkInstanceValidator, languageModelResponseValidator } from "@finemem/spec";
import { z } from "@hono/zod-openapi";

const id = z.string().min(1).max(256);

export const toolCallSchema = z
  .object({ id, name: z.string().min(1).max(256), arguments: z.string() })
  .openapi("ToolCall");

export const chatMessageSchema = z
  .union([
    z.object({ role: z.enum(["system", "user"]), content: z.string() }),
    z.object({ role: z.literal("assistant"), content: z.string(), toolCalls: z.array(toolCallSchema).optional() }),
    z.object({ role: z.literal("tool"), toolCallId: id, content: z.string() }),
  ])
  .openapi("ChatMessage");

export const toolDefinitionSchema = z
  .object({ name: id, description: z.string(), parameters: z.record(z.string(), z.unknown()) })
  .openapi("ToolDefinition");

export const stepPromptSchema = z
  .object({
    step: z.number().int().min(1),
    messages: z.array(chatMessageSchema),
    tools: z.array(toolDefinitionSchema).optional(),
  })
  .openapi("StepPrompt", { description: "What the client's model is asked at a step: chunk c_t and memory M_{t−1}." });

/** What the client's model produced: spec's LanguageModelResponse. */
export const modelOutputSchema = z
  .object({
    text: z.string(),
    toolCalls: z.array(toolCallSchema),
    finishReason: z.enum(["stop", "length", "tool_calls", "content_filter", "error", "other"]),
    usage: z.object({ promptTokens: z.number().int().min(0), completionTokens: z.number().int().min(0) }),
    modelId: z.string().optional(),
    promptTokenIds: z.array(z.number().int().min(0)).optional(),
    responseTokenIds: z.array(z.number().int().min(0)).optional(),
    responseLogprobs: z.array(z.number().max(0)).optional(),
    logprobDistribution: z.enum(["sampled", "raw"]).optional(),
  })
  .superRefine((value, ctx) => {
    // spec's own checks beyond the shape (token ids and log-probs aligned, …).
    const checked = languageModelResponseValidator.validate(value);
    if (!checked.ok)
      for (const issue of checked.error.issues)
        ctx.addIssue({ code: "custom", path: [...issue.path], message: issue.message });
  })
  .openapi("ModelOutput", {
    description: "The client's model output for a step prompt (spec's LanguageModelResponse).",
  });

const benchmarkInstanceSchema = z
  .record(z.string(), z.unknown())
  .superRefine((value, ctx) => {
    const checked = benchmarkInstanceValidator.validate(value);
    if (!checked.ok)
      for (const issue of checked.error.issues)
        ctx.addIssue({ code: "custom", path: [...issue.path], message: issue.message });
  })
  .openapi("BenchmarkInstance", {
    description: "A benchmark instance as @finemem/spec defines it (instanceId, chunks, chunkQuestions, questions, …).",
  });

export const startEpisodeSchema = z
  .object({
    instance: benchmarkInstanceSchema.optional(),
    instanceId: id.optional().openapi({ description: "An instance of the datasets the server was started with." }),
    prompt: z.enum(["flat", "memalpha"]).optional(),
    callStyle: z.enum(["tools", "text"]).optional(),
    rollout: z.number().int().min(0).optional(),
    seed: z.string().min(1).max(256).optional(),
  })
  .refine((value) => (value.instance === undefined) !== (value.instanceId === undefined), {
    message: "give exactly one of instance and instanceId",
    path: ["instance"],
  })
  .openapi("StartEpisode");

export const episodeStartedSchema = z
  .object({
    episodeId: z.string(),
    instanceId: z.string(),
    rollout: z.number().int(),
    chunks: z.number().int(),
    next: stepPromptSchema.nullable(),
  })
  .openapi("EpisodeStarted");

export const stepRequestSchema = z
  .object({ step: z.number().int().min(1), output: modelOutputSchema })
  .openapi("StepRequest");

export const stepHeadersSchema = z.object({
  "idempotency-key": z
    .string()
    .min(1)
    .max(200)
    .openapi({ description: "Unique per step request; the same key and body answer the same again." }),
});

export const episodePathSchema = z.object({
  episodeId: id.openapi({ param: { name: "episodeId", in: "path" } }),
});

const jsonObject = z.record(z.string(), z.unknown());

export const stepAppliedSchema = z
  .object({
    episodeId: z.string(),
    step: z.number().int(),
    operations: z.array(z.object({ operationId: z.string(), operation: jsonObject })),
    results: z.array(jsonObject),
    parseOutcomes: z.array(jsonObject),
    rewards: z.object({ format: z.number().nullable(), chunk: z.number().nullable() }),
    memoryTokens: z.number().int(),
    next: stepPromptSchema.nullable(),
  })
  .openapi("StepApplied");

const rewardComponentsSchema = z
  .object({
    format: z.number().nullable(),
    chunk: z.number().nullable(),
    evidence: z.number().nullable(),
    eara: z.number().nullable(),
    compression: z.number().nullable(),
    content: z.number().nullable(),
    total: z.number(),
  })
  .openapi("StepRewardComponents");

export const episodeFinalizedSchema = z
  .object({
    episodeId: z.string(),
    instanceId: z.string(),
    rollout: z.number().int(),
    steps: z.array(z.object({ step: z.number().int(), rewards: rewardComponentsSchema })),
    globalScore: z.number(),
    unattributed: z.number(),
    samples: z
      .array(jsonObject)
      .nullable()
      .openapi({ description: "One spec TrainingSample per step; null when the client sent no token ids." }),
  })
  .openapi("EpisodeFinalized");

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      path: z.array(z.union([z.string(), z.number()])).optional(),
    }),
  })
  .openapi("Error");

export const healthSchema = z.object({ status: z.literal("ok") }).openapi("Health");
