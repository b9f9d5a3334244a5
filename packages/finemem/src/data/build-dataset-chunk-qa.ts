// `finemem data build-chunk-qa`: the verified per-chunk questions of a whole dataset, built once with
// the configured generator and verifier. The estimate comes first (and may end the command there);
// the builder's JSONL cache makes an interrupted build resume where it stopped.

import type { BenchmarkInstance, Chunk, ChunkQuestion, LanguageModel, TokenCounter } from "@finemem/spec";
import { isId, throwIfAborted } from "@finemem/spec";
import {
  type ChunkQaBuilderOptions,
  type ChunkQaBuildResult,
  type ChunkQaCalls,
  type ChunkQaProgress,
  createChunkQaBuilder,
  withChunkQuestions,
} from "@finemem/step-reward";
import { createO200kTokenCounter } from "@finemem/utils";
import { createProgressReporter, type ProgressReporterOptions, type UsageCounters } from "../run/progress-reporter.js";
import {
  type ChunkQaEstimate,
  type ChunkQaPricing,
  estimateChunkQaCost,
  formatChunkQaEstimate,
} from "./chunk-qa-estimate.js";
import { DataCommandError } from "./data-command-error.js";
import { type InstanceInput, iterateInstances } from "./instance-input.js";

/** The builder's own options, less what this command supplies itself. */
export type DatasetChunkQaBuilderOptions = Omit<
  ChunkQaBuilderOptions,
  "generator" | "verifier" | "cachePath" | "onProgress"
>;

export interface BuildDatasetChunkQaOptions extends InstanceInput {
  readonly generator: LanguageModel;
  readonly verifier: LanguageModel;
  /** The JSONL cache: finished chunks are appended at once, and a later build reads them instead of calling a model. */
  readonly cachePath: string;
  /** K (`questionsPerChunk`), `candidatesPerChunk`, `concurrency`, sampling, prompts, metric… (see @finemem/step-reward). */
  readonly options?: DatasetChunkQaBuilderOptions;
  /** Prices for the cost estimate. */
  readonly pricing?: ChunkQaPricing;
  /** Only estimate: no model call, the cache is left as it is. */
  readonly dryRun?: boolean;
  /** Asked with the estimate before any model call; false ends the command with status `declined`. */
  readonly confirm?: (estimate: ChunkQaEstimate) => Promise<boolean>;
  /**
   * Build questions also for instances whose every chunk already has some (the synthetic benchmark
   * ships its own). Default false: those instances are kept as they are and cost nothing.
   */
  readonly replaceExisting?: boolean;
  /** Where the estimate and the progress bar go; default none. */
  readonly stream?: ProgressReporterOptions["stream"];
  /** Tokens and cost so far for the progress bar; default: summed from the models' usage ledgers when they have one. */
  readonly usage?: () => UsageCounters;
  /** The builder's progress after each chunk (the bar is drawn from it too). */
  readonly onProgress?: (progress: ChunkQaProgress) => void;
  /** Default o200k. */
  readonly tokenCounter?: TokenCounter;
  readonly signal?: AbortSignal;
}

export interface DatasetChunkQaResult {
  /** `built`, `dry-run` (estimate only) or `declined` (the confirm hook said no). */
  readonly status: "built" | "dry-run" | "declined";
  readonly estimate: ChunkQaEstimate;
  /** Every instance read, with its chunk questions when `status` is `built`; as read otherwise. */
  readonly instances: readonly BenchmarkInstance[];
  /** Instances left as they were because they already had chunk questions. */
  readonly keptInstances: number;
  readonly calls: ChunkQaCalls;
  readonly cachedChunks: number;
  readonly builtChunks: number;
  /** Questions attached, over all chunks. */
  readonly questions: number;
  /** Chunks that got fewer than K questions (too few pairs survived verification). */
  readonly chunksBelowK: number;
  /** Bytes of a torn last cache line cut before the build (a previous run killed mid-write). */
  readonly repairedCacheBytes: number;
}

interface Slot {
  readonly instance: number;
  readonly chunk: number;
}

/**
 * Reads the instances, estimates the build, then (unless `dryRun` or declined) builds the chunk
 * questions of every instance that lacks them and returns the instances with their questions.
 *
 * @throws {DataCommandError} `no_input`, `invalid_option`
 * @throws {ChunkQaError} from the builder: `invalid_option`, `malformed_generator_reply`, `corrupt_cache`, `invalid_question`
 * @throws {AbortedError} when `signal` fires; the chunks finished so far stay in the cache
 */
export async function buildDatasetChunkQa(options: BuildDatasetChunkQaOptions): Promise<DatasetChunkQaResult> {
  if (typeof options.cachePath !== "string" || options.cachePath.trim() === "") {
    throw new DataCommandError(
      "invalid_option",
      `cachePath must be a file path for the JSONL cache, got ${JSON.stringify(options.cachePath)}`,
      ["cachePath"],
    );
  }
  const { signal } = options;
  const callOptions = signal === undefined ? {} : { signal };
  const builderOptions = options.options ?? {};
  const questionsPerChunk = builderOptions.questionsPerChunk ?? 5;
  const reporterRef: { current: ReturnType<typeof createProgressReporter> | null } = { current: null };
  let reported = 0;
  const builder = createChunkQaBuilder({
    ...builderOptions,
    generator: options.generator,
    verifier: options.verifier,
    cachePath: options.cachePath,
    onProgress: (progress) => {
      // The first report counts the cached chunks: shown as resumed work, left out of the rate.
      const reporter = reporterRef.current;
      if (reporter !== null) {
        if (reported === 0 && progress.cached > 0) reporter.skip(progress.cached);
        else if (progress.done > reported) reporter.advance(progress.done - reported);
      }
      reported = progress.done;
      options.onProgress?.(progress);
    },
  });

  const instances: BenchmarkInstance[] = [];
  for await (const instance of iterateInstances(options, signal)) instances.push(instance);
  const toBuild = instances.map((instance) => options.replaceExisting === true || !hasAllChunkQuestions(instance));
  const chunks: Chunk[] = [];
  const slots: Slot[] = [];
  instances.forEach((instance, instanceIndex) => {
    if (!toBuild[instanceIndex]) return;
    instance.chunks.forEach((chunk, chunkIndex) => {
      chunks.push({ ...chunk, id: buildId(instance, instanceIndex, chunk, chunkIndex, questionsPerChunk) });
      slots.push({ instance: instanceIndex, chunk: chunkIndex });
    });
  });
  const keptInstances = toBuild.filter((build) => !build).length;

  const plan = await builder.plan(chunks, callOptions);
  const estimate = await estimateChunkQaCost({
    plan,
    instances: instances.length - keptInstances,
    chunks,
    generatorModelId: options.generator.modelId,
    verifierModelId: options.verifier.modelId,
    promptHash: builder.promptHash,
    cachePath: options.cachePath,
    candidatesPerChunk: builderOptions.candidatesPerChunk ?? 10,
    tokenCounter: options.tokenCounter ?? createO200kTokenCounter(),
    ...(builderOptions.prompts === undefined ? {} : { prompts: builderOptions.prompts }),
    ...(builderOptions.generatorSampling?.maxTokens === undefined
      ? {}
      : { generatorMaxTokens: builderOptions.generatorSampling.maxTokens }),
    ...(builderOptions.verifierSampling?.maxTokens === undefined
      ? {}
      : { verifierMaxTokens: builderOptions.verifierSampling.maxTokens }),
    ...(options.pricing === undefined ? {} : { pricing: options.pricing }),
    ...(signal === undefined ? {} : { signal }),
  });
  options.stream?.write(`${formatChunkQaEstimate(estimate)}\n`);

  const notBuilt = (status: "dry-run" | "declined"): DatasetChunkQaResult => ({
    status,
    estimate,
    instances,
    keptInstances,
    calls: { generator: 0, verifier: 0 },
    cachedChunks: plan.cachedChunks,
    builtChunks: 0,
    questions: 0,
    chunksBelowK: 0,
    repairedCacheBytes: 0,
  });
  if (options.dryRun === true) return notBuilt("dry-run");
  if (options.confirm !== undefined && !(await options.confirm(estimate))) return notBuilt("declined");
  throwIfAborted(signal);

  const usage = options.usage ?? ledgerUsage([options.generator, options.verifier]);
  const reporter = createProgressReporter({
    label: "chunk-qa",
    total: chunks.length,
    stream: options.stream ?? null,
    ...(usage === undefined ? {} : { usage }),
  });
  reporterRef.current = reporter;
  let result: ChunkQaBuildResult;
  try {
    result = await builder.build(chunks, callOptions);
  } finally {
    reporter.finish();
  }

  const perInstance = instances.map((instance, index) =>
    toBuild[index] ? instance.chunks.map((): ChunkQuestion[] => []) : null,
  );
  result.questions.forEach((list, position) => {
    const slot = slots[position]!;
    const original = instances[slot.instance]!.chunks[slot.chunk]!;
    // The builder named the questions after the flattened id; they belong to the instance's own chunk.
    perInstance[slot.instance]![slot.chunk] = list.map((question, index) => ({
      ...question,
      id: `${original.id}.q${index}`,
    }));
  });
  const withQuestions = instances.map((instance, index) => {
    const lists = perInstance[index];
    return lists === null || lists === undefined ? instance : withChunkQuestions(instance, lists);
  });
  return {
    status: "built",
    estimate,
    instances: withQuestions,
    keptInstances,
    calls: result.calls,
    cachedChunks: result.cachedChunks,
    builtChunks: chunks.length - result.cachedChunks,
    questions: result.questions.reduce((sum, list) => sum + list.length, 0),
    chunksBelowK: result.questions.filter((list) => list.length < questionsPerChunk).length,
    repairedCacheBytes: result.repairedCacheBytes,
  };
}

function hasAllChunkQuestions(instance: BenchmarkInstance): boolean {
  return (
    instance.chunkQuestions.length === instance.chunks.length &&
    instance.chunkQuestions.every((list) => list.length > 0)
  );
}

/**
 * Chunks of all instances go to one build (so concurrency spans instances), which needs ids unique
 * across instances. `<instanceId>:<chunkId>` names the chunk in the cache file for a reader; when that
 * is too long to carry question ids, a positional id does.
 */
function buildId(
  instance: BenchmarkInstance,
  instanceIndex: number,
  chunk: Chunk,
  chunkIndex: number,
  questionsPerChunk: number,
): string {
  const readable = `${instance.instanceId}:${chunk.id}`;
  return isId(`${readable}.q${questionsPerChunk - 1}`) ? readable : `i${instanceIndex}.c${chunkIndex}`;
}

interface LedgerLike {
  snapshot(): {
    readonly total: { readonly promptTokens: number; readonly completionTokens: number; readonly costUsd: number };
  };
}

/** Token and cost counters from the models' usage ledgers (@finemem/policy's HTTP models have one), each ledger counted once. */
function ledgerUsage(models: readonly LanguageModel[]): (() => UsageCounters) | undefined {
  const ledgers = new Set<LedgerLike>();
  for (const model of models) {
    const ledger = (model as { readonly ledger?: unknown }).ledger;
    if (typeof ledger === "object" && ledger !== null && typeof (ledger as LedgerLike).snapshot === "function")
      ledgers.add(ledger as LedgerLike);
  }
  if (ledgers.size === 0) return undefined;
  return () => {
    let tokens = 0;
    let costUsd = 0;
    for (const ledger of ledgers) {
      const { total } = ledger.snapshot();
      tokens += total.promptTokens + total.completionTokens;
      costUsd += total.costUsd;
    }
    return { tokens, costUsd };
  };
}

/** The outcome as one terminal line. */
export function formatChunkQaResult(result: DatasetChunkQaResult): string {
  if (result.status === "dry-run") return "dry run: no model was called and the cache was left as it is";
  if (result.status === "declined") return "declined: no model was called";
  const kept = result.keptInstances === 0 ? "" : `; ${result.keptInstances} instance(s) kept their own chunk questions`;
  return `built ${result.builtChunks} chunk(s), ${result.cachedChunks} from the cache; ${result.calls.generator} generator + ${result.calls.verifier} verifier call(s); ${result.questions} question(s), ${result.chunksBelowK} chunk(s) with fewer than K${kept}`;
}
