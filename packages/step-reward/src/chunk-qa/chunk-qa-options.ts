import { createMetric } from "@finemem/benchmarks";
import { type LanguageModel, languageModelRequestValidator, type Metric, type SamplingOptions } from "@finemem/spec";
import { ChunkQaError } from "./chunk-qa-error.js";
import { CHUNK_QA_PROMPTS, type ChunkQaPrompts } from "./chunk-qa-prompts.js";
import { DEFAULT_DUPLICATE_THRESHOLD } from "./near-duplicates.js";
import { DEFAULT_MAX_ANSWER_CHARS, DEFAULT_MAX_QUESTION_CHARS } from "./parse-qa-pairs.js";

/** Progress after each finished chunk (and once before the first model call, with the cached chunks counted). */
export interface ChunkQaProgress {
  /** Chunks finished, cached ones included. */
  readonly done: number;
  readonly total: number;
  /** Chunks answered from the cache file. */
  readonly cached: number;
  /** Model calls made so far by this build. */
  readonly calls: ChunkQaCalls;
  /** Questions kept so far (after duplicates and the K cap). */
  readonly keptPairs: number;
}

export interface ChunkQaCalls {
  readonly generator: number;
  readonly verifier: number;
}

export interface ChunkQaBuilderOptions {
  /** Writes the candidate pairs. */
  readonly generator: LanguageModel;
  /** Answers each candidate from the chunk alone; may be the same model as the generator. */
  readonly verifier: LanguageModel;
  /** Decides whether the verifier's answer is right. Default MemoryAgentBench's scorer (`createMetric("memoryagentbench")`). */
  readonly metric?: Metric;
  /** The data source the metric routes by. Default "chunk_qa" (substring exact match under MemoryAgentBench). */
  readonly dataSource?: string;
  /** The metric score a verifier answer needs for its pair to be kept, in (0, 1]. Default 1. */
  readonly minVerifierScore?: number;
  /** K, the questions kept per chunk. Default 5. */
  readonly questionsPerChunk?: number;
  /** Candidate pairs asked of the generator per chunk (at most this many are verified). Default 10. */
  readonly candidatesPerChunk?: number;
  /** The JSONL cache file; without it nothing is cached. */
  readonly cachePath?: string;
  /** Chunks in flight, and model calls in flight across them. Default 4. */
  readonly concurrency?: number;
  /** Token-set Jaccard at or above which two questions are duplicates, in (0, 1]. Default 0.8. */
  readonly duplicateThreshold?: number;
  /** Merged over `{ temperature: 0 }`. */
  readonly generatorSampling?: SamplingOptions;
  /** Merged over `{ temperature: 0 }`. */
  readonly verifierSampling?: SamplingOptions;
  /** Generator calls per chunk before a malformed reply becomes an error. Default 2 (one retry). */
  readonly maxGeneratorAttempts?: number;
  /** Longest question kept. Default 300. */
  readonly maxQuestionChars?: number;
  /** Longest answer kept. Default 100. */
  readonly maxAnswerChars?: number;
  /** Default {@link CHUNK_QA_PROMPTS}. */
  readonly prompts?: ChunkQaPrompts;
  readonly onProgress?: (progress: ChunkQaProgress) => void;
}

export interface ResolvedChunkQaOptions {
  readonly generator: LanguageModel;
  readonly verifier: LanguageModel;
  readonly metric: Metric;
  readonly dataSource: string;
  readonly minVerifierScore: number;
  readonly questionsPerChunk: number;
  readonly candidatesPerChunk: number;
  readonly cachePath: string | undefined;
  readonly concurrency: number;
  readonly duplicateThreshold: number;
  readonly generatorSampling: SamplingOptions;
  readonly verifierSampling: SamplingOptions;
  readonly maxGeneratorAttempts: number;
  readonly maxQuestionChars: number;
  readonly maxAnswerChars: number;
  readonly prompts: ChunkQaPrompts;
  readonly onProgress: ((progress: ChunkQaProgress) => void) | undefined;
}

const OPTION_KEYS = [
  "generator",
  "verifier",
  "metric",
  "dataSource",
  "minVerifierScore",
  "questionsPerChunk",
  "candidatesPerChunk",
  "cachePath",
  "concurrency",
  "duplicateThreshold",
  "generatorSampling",
  "verifierSampling",
  "maxGeneratorAttempts",
  "maxQuestionChars",
  "maxAnswerChars",
  "prompts",
  "onProgress",
] as const;

/** Validates `options` and fills in the defaults; the first bad option is a `ChunkQaError` `invalid_option` naming it. */
export function resolveChunkQaOptions(options: ChunkQaBuilderOptions): ResolvedChunkQaOptions {
  if (!isRecord(options)) throw invalid([], `expected an options object, got ${describe(options)}`);
  for (const key of Object.keys(options)) {
    if (!(OPTION_KEYS as readonly string[]).includes(key))
      throw invalid([key], `unknown option "${key}"; expected one of ${OPTION_KEYS.join(", ")}`);
  }
  const questionsPerChunk = integerAtLeast(
    options.questionsPerChunk,
    5,
    1,
    "questionsPerChunk",
    "K, the questions kept per chunk",
  );
  const candidatesPerChunk = integerAtLeast(
    options.candidatesPerChunk,
    10,
    1,
    "candidatesPerChunk",
    "candidate pairs asked per chunk",
  );
  if (candidatesPerChunk < questionsPerChunk) {
    throw invalid(
      ["candidatesPerChunk"],
      `expected at least questionsPerChunk (${questionsPerChunk}) candidates, got ${candidatesPerChunk}: verification only removes pairs`,
    );
  }
  return {
    generator: model(options.generator, "generator"),
    verifier: model(options.verifier, "verifier"),
    metric: metric(options.metric),
    dataSource: nonEmptyString(
      options.dataSource,
      "chunk_qa",
      "dataSource",
      'the data source the metric routes by, e.g. "chunk_qa"',
    ),
    minVerifierScore: unitScore(options.minVerifierScore, 1, "minVerifierScore"),
    questionsPerChunk,
    candidatesPerChunk,
    cachePath:
      options.cachePath === undefined
        ? undefined
        : nonEmptyString(options.cachePath, "", "cachePath", "a file path for the JSONL cache, or no cachePath"),
    concurrency: integerAtLeast(options.concurrency, 4, 1, "concurrency", "chunks and model calls in flight"),
    duplicateThreshold: unitScore(options.duplicateThreshold, DEFAULT_DUPLICATE_THRESHOLD, "duplicateThreshold"),
    generatorSampling: sampling(options.generatorSampling, "generatorSampling"),
    verifierSampling: sampling(options.verifierSampling, "verifierSampling"),
    maxGeneratorAttempts: integerAtLeast(
      options.maxGeneratorAttempts,
      2,
      1,
      "maxGeneratorAttempts",
      "generator calls per chunk",
    ),
    maxQuestionChars: integerAtLeast(
      options.maxQuestionChars,
      DEFAULT_MAX_QUESTION_CHARS,
      1,
      "maxQuestionChars",
      "the longest question kept, in characters",
    ),
    maxAnswerChars: integerAtLeast(
      options.maxAnswerChars,
      DEFAULT_MAX_ANSWER_CHARS,
      1,
      "maxAnswerChars",
      "the longest answer kept, in characters",
    ),
    prompts: prompts(options.prompts),
    onProgress: progressCallback(options.onProgress),
  };
}

function invalid(path: readonly (string | number)[], message: string): ChunkQaError {
  return new ChunkQaError("invalid_option", `${path.length === 0 ? "options" : path.join(".")}: ${message}`, { path });
}

function integerAtLeast(value: unknown, fallback: number, min: number, name: string, meaning: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min)
    throw invalid([name], `expected an integer ≥ ${min} (${meaning}), got ${describe(value)}`);
  return value;
}

function unitScore(value: unknown, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !(value > 0 && value <= 1))
    throw invalid([name], `expected a number in (0, 1], got ${describe(value)}`);
  return value;
}

function nonEmptyString(value: unknown, fallback: string, name: string, expected: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== "string" || value.trim() === "")
    throw invalid([name], `expected ${expected}, got ${describe(value)}`);
  return value;
}

function model(value: unknown, name: string): LanguageModel {
  if (
    !isRecord(value) ||
    typeof value.generate !== "function" ||
    typeof value.modelId !== "string" ||
    value.modelId === ""
  ) {
    throw invalid([name], `expected a LanguageModel (with generate() and a modelId), got ${describe(value)}`);
  }
  return value as unknown as LanguageModel;
}

function metric(value: unknown): Metric {
  if (value === undefined) return createMetric("memoryagentbench");
  if (
    !isRecord(value) ||
    typeof value.score !== "function" ||
    typeof value.name !== "string" ||
    typeof value.protocol !== "string"
  ) {
    throw invalid(["metric"], `expected a Metric (with score(), name and protocol), got ${describe(value)}`);
  }
  return value as unknown as Metric;
}

// The spec's own request validator decides what sampling is valid, so these rules match every backend's.
function sampling(value: unknown, name: string): SamplingOptions {
  if (value !== undefined && !isRecord(value))
    throw invalid([name], `expected sampling options such as { temperature: 0, seed: 1 }, got ${describe(value)}`);
  const merged = { temperature: 0, ...value };
  const result = languageModelRequestValidator.validate({
    messages: [{ role: "user", content: "check" }],
    sampling: merged,
  });
  if (!result.ok) {
    const issue = result.error.issues[0];
    const field = issue?.path.slice(1) ?? [];
    throw invalid([name, ...field], issue?.message ?? result.error.message);
  }
  return merged as SamplingOptions;
}

function prompts(value: unknown): ChunkQaPrompts {
  if (value === undefined) return CHUNK_QA_PROMPTS;
  const template = (v: unknown): boolean => isRecord(v) && typeof v.system === "string" && typeof v.user === "string";
  if (
    !isRecord(value) ||
    typeof value.version !== "string" ||
    value.version === "" ||
    !template(value.generator) ||
    !template(value.verifier)
  ) {
    throw invalid(["prompts"], "expected { version, generator: { system, user }, verifier: { system, user } }");
  }
  const given = value as unknown as ChunkQaPrompts;
  if (
    !given.generator.user.includes("{passage}") ||
    !given.verifier.user.includes("{passage}") ||
    !given.verifier.user.includes("{question}")
  ) {
    throw invalid(
      ["prompts"],
      "the generator's user prompt needs {passage}; the verifier's needs {passage} and {question}",
    );
  }
  return given;
}

function progressCallback(value: unknown): ((progress: ChunkQaProgress) => void) | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "function") throw invalid(["onProgress"], `expected a function, got ${describe(value)}`);
  return value as (progress: ChunkQaProgress) => void;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return typeof value;
}
