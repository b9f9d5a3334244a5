import { z } from "zod";
import type { CallOptions, SpecificationVersion } from "./call-options.js";
import { contentSchema, type Id, idSchema, unitIntervalSchema } from "./ids.js";
import { type JsonValue, jsonObjectSchema } from "./json.js";
import { type Chunk, chunkSchema } from "./policy.js";
import { createValidator, issueCode } from "./validation.js";

/** MemoryAgentBench's competencies: Accurate Retrieval, Test-Time Learning, Long-Range Understanding, Conflict Resolution. */
export type Competency = "AR" | "TTL" | "LRU" | "CR";
export const COMPETENCIES = ["AR", "TTL", "LRU", "CR"] as const satisfies readonly Competency[];

/** Which original scorer a question is scored like (docs/method.md §17). */
export type MetricProtocol = "memalpha" | "memoryagentbench";
export const METRIC_PROTOCOLS = ["memalpha", "memoryagentbench"] as const satisfies readonly MetricProtocol[];

/**
 * A gold answer as the dataset gives it: a string, or a list of accepted strings. The shape is kept
 * because the original scorers treat the two differently (e.g. Mem-α's pubmed-rct takes a list's
 * first element).
 */
export type Gold = string | readonly string[];

export const goldSchema = z.union([z.string(), z.array(z.string())]);

/**
 * The scorer a chunk question is scored by: the (protocol, data source) route of the metric its pair
 * was verified with, independent of the instance's own data source. A question's pair was kept
 * because the verifier's answer passed this metric, so r_chunk must use the same one.
 */
export interface ChunkQuestionMetric {
  readonly protocol: MetricProtocol;
  /** The data source the metric routes by, e.g. `chunk_qa` (substring exact match under memoryagentbench). */
  readonly dataSource: string;
}

/**
 * The route of a question that carries none (synthetic or user-supplied questions, caches written
 * before questions recorded their metric): MemoryAgentBench's substring exact match, the chunk-QA
 * verifier's default.
 */
export const DEFAULT_CHUNK_QUESTION_METRIC: ChunkQuestionMetric = Object.freeze({
  protocol: "memoryagentbench",
  dataSource: "chunk_qa",
});

export const chunkQuestionMetricSchema = z.strictObject({
  protocol: z.enum(METRIC_PROTOCOLS),
  dataSource: z.string().min(1).max(256),
});

/** One of a chunk's K questions for the chunk-level step reward. */
export interface ChunkQuestion {
  readonly id: Id;
  readonly question: string;
  readonly gold: Gold;
  /** The metric the question is scored by; absent means {@link DEFAULT_CHUNK_QUESTION_METRIC}. */
  readonly metric?: ChunkQuestionMetric;
}

export const chunkQuestionSchema = z.strictObject({
  id: idSchema,
  question: contentSchema,
  gold: goldSchema,
  metric: chunkQuestionMetricSchema.exactOptional(),
});

/** A question answered once on the final memory M_T. */
export interface GlobalQuestion {
  readonly id: Id;
  readonly question: string;
  readonly gold: Gold;
  readonly metadata?: { readonly [key: string]: JsonValue };
}

export const globalQuestionSchema = z.strictObject({
  id: idSchema,
  question: contentSchema,
  gold: goldSchema,
  metadata: jsonObjectSchema.exactOptional(),
});

/** Where an instance came from; recorded with every result. */
export interface DatasetSource {
  /** e.g. `ai-hyz/MemoryAgentBench`, `YuWangX/Memalpha`, `synthetic`, or a local path. */
  readonly repo: string;
  /** The commit the hub reported, or `unpinned:<ref>` when none is known. */
  readonly revision: string;
  /** The file inside the repo. */
  readonly file: string;
  /** sha256 of the file's bytes (hex); `null` for generated data. */
  readonly sha256: string | null;
  /** The row inside the file, when the file holds many. */
  readonly row?: number;
}

export const datasetSourceSchema = z.strictObject({
  repo: z.string().min(1).max(512),
  revision: z.string().min(1).max(256),
  file: z.string().min(1).max(1024),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .nullable(),
  row: z.number().int().min(0).exactOptional(),
});

/** One evaluation or training instance: the chunks, their step questions, the global questions. */
export interface BenchmarkInstance {
  readonly instanceId: Id;
  /** e.g. `squad`, `factconsolidation_sh_6k`; routes the metric. */
  readonly dataSource: string;
  readonly competency: Competency;
  readonly protocol: MetricProtocol;
  readonly chunks: readonly Chunk[];
  /** K questions per chunk, aligned with `chunks` (empty lists when none were built). */
  readonly chunkQuestions: readonly (readonly ChunkQuestion[])[];
  readonly questions: readonly GlobalQuestion[];
  readonly metadata: { readonly [key: string]: JsonValue };
  readonly source: DatasetSource;
}

export const benchmarkInstanceSchema = z
  .strictObject({
    instanceId: idSchema,
    dataSource: z.string().min(1).max(256),
    competency: z.enum(COMPETENCIES),
    protocol: z.enum(METRIC_PROTOCOLS),
    chunks: z.array(chunkSchema).min(1),
    chunkQuestions: z.array(z.array(chunkQuestionSchema)),
    questions: z.array(globalQuestionSchema),
    metadata: jsonObjectSchema,
    source: datasetSourceSchema,
  })
  .superRefine((instance, ctx) => {
    if (instance.chunkQuestions.length !== instance.chunks.length) {
      ctx.addIssue({
        code: "custom",
        path: ["chunkQuestions"],
        message: `one question list per chunk: ${instance.chunks.length} chunks, ${instance.chunkQuestions.length} lists`,
        ...issueCode("inconsistent"),
      });
    }
  });

export interface LoadRequest {
  /** Keep only these data sources (e.g. `metadata.source` for MemoryAgentBench). */
  readonly dataSources?: readonly string[];
  /** Stop after this many instances. */
  readonly limit?: number;
}

/** Produces benchmark instances lazily (MemoryAgentBench contexts reach megabytes each). */
export interface DatasetLoader {
  readonly specificationVersion: SpecificationVersion;
  readonly loaderId: string;
  load(request?: LoadRequest, options?: CallOptions): AsyncIterable<BenchmarkInstance>;
}

export interface MetricInput {
  readonly prediction: string;
  readonly gold: Gold;
  readonly dataSource: string;
  /** The question, for judged metrics. */
  readonly question?: string;
}

export interface MetricResult {
  /** s_j ∈ [0, 1]. */
  readonly score: number;
  /** Side figures such as exact match and token F1. */
  readonly details?: { readonly [name: string]: number };
  /** Present for LLM-judged scores: which model judged, with which prompt (always this project's own). */
  readonly judge?: { readonly modelId: string; readonly promptHash: string; readonly ownPrompt: true };
}

export const metricResultSchema = z.strictObject({
  score: unitIntervalSchema,
  details: z.record(z.string(), z.number()).exactOptional(),
  judge: z
    .strictObject({ modelId: z.string().min(1), promptHash: z.string().min(1), ownPrompt: z.literal(true) })
    .exactOptional(),
});

/** A per-question metric. Async because judged metrics call a model. */
export interface Metric {
  readonly specificationVersion: SpecificationVersion;
  /** e.g. `substring_exact_match`. */
  readonly name: string;
  readonly protocol: MetricProtocol;
  /** True when an LLM judge decides the score. */
  readonly judged: boolean;
  score(input: MetricInput, options?: CallOptions): Promise<MetricResult>;
}

export const chunkQuestionValidator = createValidator<ChunkQuestion>("ChunkQuestion", chunkQuestionSchema);
export const globalQuestionValidator = createValidator<GlobalQuestion>("GlobalQuestion", globalQuestionSchema);
export const datasetSourceValidator = createValidator<DatasetSource>("DatasetSource", datasetSourceSchema);
export const benchmarkInstanceValidator = createValidator<BenchmarkInstance>(
  "BenchmarkInstance",
  benchmarkInstanceSchema,
);
export const metricResultValidator = createValidator<MetricResult>("MetricResult", metricResultSchema);
