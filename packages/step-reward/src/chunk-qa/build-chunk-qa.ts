import {
  type CallOptions,
  type Chunk,
  type ChunkQuestion,
  type Id,
  isId,
  type JsonValue,
  throwIfAborted,
} from "@finemem/spec";
import { type ConcurrencyLimiter, createConcurrencyLimiter, mapWithConcurrency } from "@finemem/utils";
import {
  type ChunkQaCacheEntry,
  type ChunkQaKeyMaterial,
  chunkQaCacheKey,
  createChunkQaCacheWriter,
  loadChunkQaCache,
  sha256Hex,
  type VerifiedPair,
} from "./chunk-qa-cache.js";
import { ChunkQaError } from "./chunk-qa-error.js";
import {
  type ChunkQaBuilderOptions,
  type ChunkQaCalls,
  type ResolvedChunkQaOptions,
  resolveChunkQaOptions,
} from "./chunk-qa-options.js";
import { chunkQaPromptHash, generatorMessages, verifierMessages } from "./chunk-qa-prompts.js";
import { removeNearDuplicates } from "./near-duplicates.js";
import { type ParsedQaPairs, parseQaPairs } from "./parse-qa-pairs.js";

/** What happened to one chunk in a build. */
export interface ChunkQaChunkStats {
  readonly chunkId: Id;
  /** True when the chunk's line came from the cache file (no model call). */
  readonly cached: boolean;
  /** Generator calls this build made for the chunk; 0 when cached, or when an earlier chunk of the build had the same text. */
  readonly generatorAttempts: number;
  /** Entries in the generator's list. */
  readonly generated: number;
  /** Entries the reply parser dropped (empty, over-long, unusable answer). */
  readonly invalid: number;
  /** Well-formed entries beyond the candidate count, never verified. */
  readonly surplus: number;
  readonly unverifiable: number;
  readonly duplicates: number;
  /** Verified, distinct pairs (the questions are the first K of them). */
  readonly available: number;
  readonly kept: number;
}

export interface ChunkQaBuildResult {
  /** K questions (or fewer, when fewer survived) per chunk, aligned with the chunks given; ids `${chunk.id}.q${i}`. */
  readonly questions: ChunkQuestion[][];
  /** Model calls this build made. */
  readonly calls: ChunkQaCalls;
  /** Chunks answered from the cache file. */
  readonly cachedChunks: number;
  /** Per chunk, aligned with the chunks given. */
  readonly stats: ChunkQaChunkStats[];
  /** Bytes of a torn final line cut from the cache file before the build (a previous run killed mid-write). */
  readonly repairedCacheBytes: number;
}

/** What a build would cost, read from the cache without changing it. */
export interface ChunkQaPlan {
  readonly chunks: number;
  readonly cachedChunks: number;
  readonly uncachedChunks: number;
  /** Distinct texts among the uncached chunks: chunks with the same text share one generation. */
  readonly textsToBuild: number;
  /**
   * The most calls the build can make: every generator attempt for each text, and a verifier call for
   * each of its candidates (verification follows the one attempt that parsed).
   */
  readonly maxCalls: ChunkQaCalls & { readonly total: number };
}

export interface ChunkQaBuilder {
  /** The hash of the prompts in use (part of every cache key). */
  readonly promptHash: string;
  /**
   * Builds (or reads from the cache) the questions of every chunk. Each finished chunk is appended to
   * the cache at once, so an aborted or killed build resumes where it stopped. On failure or abort
   * the build waits for the chunks already in flight before rejecting, so nothing writes the cache
   * after it returns.
   *
   * @throws {ChunkQaError} `invalid_chunk`, `malformed_generator_reply`, `corrupt_cache`
   * @throws {AbortedError} when `options.signal` fires
   */
  build(chunks: readonly Chunk[], options?: CallOptions): Promise<ChunkQaBuildResult>;
  /** Counts the uncached chunks and the worst-case calls of a build; makes no model call and leaves the cache file as it is. */
  plan(chunks: readonly Chunk[], options?: CallOptions): Promise<ChunkQaPlan>;
}

/** Chunks with the same key share one generation. */
interface Job {
  readonly chunk: Chunk;
  readonly key: string;
  readonly material: ChunkQaKeyMaterial;
  readonly indices: number[];
}

/**
 * Fine-Mem's offline step-question builder (docs/method.md §7): per chunk, the generator writes candidate
 * factoid pairs, the verifier answers each from the chunk alone, pairs it gets wrong under the metric
 * are dropped, near-duplicates are removed and the first K are kept.
 *
 * @throws {ChunkQaError} `invalid_option` naming the bad option
 */
export function createChunkQaBuilder(options: ChunkQaBuilderOptions): ChunkQaBuilder {
  const resolved = resolveChunkQaOptions(options);
  const promptHash = chunkQaPromptHash(resolved.prompts);
  const settings = settingsOf(resolved);

  const jobsOf = (chunks: readonly Chunk[]): Job[] => {
    checkChunks(chunks, resolved.questionsPerChunk);
    const jobs = new Map<string, Job>();
    chunks.forEach((chunk, index) => {
      const material: ChunkQaKeyMaterial = {
        textSha256: sha256Hex(chunk.text),
        generatorModelId: resolved.generator.modelId,
        verifierModelId: resolved.verifier.modelId,
        promptHash,
        candidates: resolved.candidatesPerChunk,
        settings,
      };
      const key = chunkQaCacheKey(material);
      const job = jobs.get(key);
      if (job === undefined) jobs.set(key, { chunk, key, material, indices: [index] });
      else job.indices.push(index);
    });
    return [...jobs.values()];
  };

  return {
    promptHash,

    async plan(chunks, callOptions = {}) {
      const jobs = jobsOf(chunks);
      const loaded =
        resolved.cachePath === undefined
          ? undefined
          : await loadChunkQaCache(resolved.cachePath, { repair: false, signal: callOptions.signal });
      const uncached = jobs.filter((job) => loaded?.entries.has(job.key) !== true);
      const uncachedChunks = uncached.reduce((sum, job) => sum + job.indices.length, 0);
      const generator = uncached.length * resolved.maxGeneratorAttempts;
      const verifier = uncached.length * resolved.candidatesPerChunk;
      return {
        chunks: chunks.length,
        cachedChunks: chunks.length - uncachedChunks,
        uncachedChunks,
        textsToBuild: uncached.length,
        maxCalls: { generator, verifier, total: generator + verifier },
      };
    },

    async build(chunks, callOptions = {}) {
      const { signal } = callOptions;
      const jobs = jobsOf(chunks);
      throwIfAborted(signal);
      const loaded =
        resolved.cachePath === undefined
          ? undefined
          : await loadChunkQaCache(resolved.cachePath, { repair: true, signal });
      const writer = resolved.cachePath === undefined ? undefined : createChunkQaCacheWriter(resolved.cachePath);

      const stats = new Array<ChunkQaChunkStats | undefined>(chunks.length);
      const questions = new Array<ChunkQuestion[]>(chunks.length);
      const calls = { generator: 0, verifier: 0 };
      let done = 0;
      let cachedChunks = 0;
      let keptPairs = 0;
      const settle = (job: Job, entry: ChunkQaCacheEntry, cached: boolean, generatorAttempts: number): void => {
        job.indices.forEach((index, position) => {
          const chunk = chunks[index]!;
          const chosen = chooseQuestions(entry, chunk, resolved);
          questions[index] = chosen.questions;
          stats[index] = {
            chunkId: chunk.id,
            cached,
            generatorAttempts: position === 0 ? generatorAttempts : 0,
            ...entry.counts,
            duplicates: chosen.duplicates,
            available: chosen.available,
            kept: chosen.questions.length,
          };
          keptPairs += chosen.questions.length;
        });
        done += job.indices.length;
        if (cached) cachedChunks += job.indices.length;
      };
      const report = (): void =>
        resolved.onProgress?.({ done, total: chunks.length, cached: cachedChunks, calls: { ...calls }, keptPairs });

      const pending: Job[] = [];
      for (const job of jobs) {
        const entry = loaded?.entries.get(job.key);
        if (entry === undefined) pending.push(job);
        else settle(job, entry, true, 0);
      }
      report();

      const limiter = createConcurrencyLimiter(resolved.concurrency);
      const buildJob = async (job: Job): Promise<void> => {
        const { entry, attempts } = await buildEntry(job, resolved, limiter, calls, signal);
        await writer?.append(entry);
        settle(job, entry, false, attempts);
        report();
      };
      await mapSettled(pending, resolved.concurrency, buildJob, signal);

      return {
        questions,
        calls: { ...calls },
        cachedChunks,
        stats: stats as ChunkQaChunkStats[],
        repairedCacheBytes: loaded?.repaired === true ? loaded.tornBytes : 0,
      };
    },
  };
}

/** Generates, parses (retrying a malformed reply) and verifies one chunk's candidates. */
async function buildEntry(
  job: Job,
  options: ResolvedChunkQaOptions,
  limiter: ConcurrencyLimiter,
  calls: { generator: number; verifier: number },
  signal: AbortSignal | undefined,
): Promise<{ entry: ChunkQaCacheEntry; attempts: number }> {
  const passage = job.chunk.text;
  const limits = { maxQuestionChars: options.maxQuestionChars, maxAnswerChars: options.maxAnswerChars };
  let parsed: ParsedQaPairs | undefined;
  let attempts = 0;
  while (parsed === undefined) {
    attempts++;
    const reply = await limiter.run(() => {
      calls.generator++;
      return options.generator.generate(
        {
          messages: generatorMessages(options.prompts, passage, options.candidatesPerChunk),
          sampling: options.generatorSampling,
        },
        { signal },
      );
    }, signal);
    const attempt = parseQaPairs(reply.text, limits);
    if (attempt.problem === null) parsed = attempt;
    else if (attempts >= options.maxGeneratorAttempts) {
      const start = JSON.stringify(reply.text.length > 160 ? `${reply.text.slice(0, 160)}…` : reply.text);
      throw new ChunkQaError(
        "malformed_generator_reply",
        `chunk "${job.chunk.id}": ${attempts} generator ${attempts === 1 ? "reply" : "replies"} held no readable list of pairs; the last: ${attempt.problem.kind} (${attempt.problem.message}), reply ${start}`,
        { chunkId: job.chunk.id, path: ["chunks", job.indices[0]!] },
      );
    }
  }

  const candidates = parsed.pairs.slice(0, options.candidatesPerChunk);
  // allSettled, not all: every verifier call of the chunk has ended before the chunk fails.
  const outcomes = await Promise.allSettled(
    candidates.map((pair) =>
      limiter.run(async () => {
        calls.verifier++;
        const reply = await options.verifier.generate(
          { messages: verifierMessages(options.prompts, passage, pair.question), sampling: options.verifierSampling },
          { signal },
        );
        const verifierAnswer = afterThinking(reply.text);
        const { score } = await options.metric.score(
          { prediction: verifierAnswer, gold: pair.answer, dataSource: options.dataSource, question: pair.question },
          { signal },
        );
        return {
          pair: { question: pair.question, answer: pair.answer, verifierAnswer },
          passed: score >= options.minVerifierScore,
        };
      }, signal),
    ),
  );
  const verified: VerifiedPair[] = [];
  const rejected: VerifiedPair[] = [];
  for (const outcome of outcomes) {
    if (outcome.status === "rejected") throw outcome.reason;
    (outcome.value.passed ? verified : rejected).push(outcome.value.pair);
  }
  const entry: ChunkQaCacheEntry = {
    format: 1,
    key: job.key,
    chunkId: job.chunk.id,
    ...job.material,
    verified,
    rejected,
    counts: {
      generated: parsed.pairs.length + parsed.dropped.length,
      invalid: parsed.dropped.length,
      surplus: parsed.pairs.length - candidates.length,
      unverifiable: rejected.length,
    },
    createdAt: new Date().toISOString(),
  };
  return { entry, attempts };
}

/** Duplicates and K are applied on read, so changing either needs no model call. */
function chooseQuestions(
  entry: ChunkQaCacheEntry,
  chunk: Chunk,
  options: ResolvedChunkQaOptions,
): { questions: ChunkQuestion[]; duplicates: number; available: number } {
  const { kept, duplicates } = removeNearDuplicates(entry.verified, options.duplicateThreshold);
  // Each question carries the metric its pair passed verification under, so r_chunk scores it the same way.
  const metric = { protocol: options.metric.protocol, dataSource: options.dataSource };
  const questions = kept
    .slice(0, options.questionsPerChunk)
    .map((pair, index) => ({ id: `${chunk.id}.q${index}`, question: pair.question, gold: pair.answer, metric }));
  return { questions, duplicates: duplicates.length, available: kept.length };
}

/**
 * mapWithConcurrency, but a failure (or abort) rejects only once every started item has settled: a
 * chunk still in flight would otherwise append to the cache after the build had returned.
 */
async function mapSettled<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
  signal: AbortSignal | undefined,
): Promise<void> {
  const started: Promise<void>[] = [];
  try {
    await mapWithConcurrency(
      items,
      limit,
      (item) => {
        const run = fn(item);
        started.push(run);
        return run;
      },
      signal,
    );
  } catch (error) {
    await Promise.allSettled(started);
    throw error;
  }
}

/** Everything besides models, prompt and candidate count that decides which pairs survive (see {@link ChunkQaKeyMaterial}). */
function settingsOf(options: ResolvedChunkQaOptions): { readonly [key: string]: JsonValue } {
  return JSON.parse(
    JSON.stringify({
      generatorSampling: options.generatorSampling,
      verifierSampling: options.verifierSampling,
      metric: {
        name: options.metric.name,
        protocol: options.metric.protocol,
        dataSource: options.dataSource,
        minScore: options.minVerifierScore,
      },
      maxQuestionChars: options.maxQuestionChars,
      maxAnswerChars: options.maxAnswerChars,
    }),
  ) as { readonly [key: string]: JsonValue };
}

function checkChunks(chunks: readonly Chunk[], questionsPerChunk: number): void {
  if (!Array.isArray(chunks))
    throw new ChunkQaError("invalid_chunk", "expected an array of chunks", { path: ["chunks"] });
  chunks.forEach((chunk: unknown, index) => {
    const record = typeof chunk === "object" && chunk !== null ? (chunk as Record<string, unknown>) : undefined;
    if (record === undefined || !isId(record.id)) {
      throw new ChunkQaError("invalid_chunk", `chunks[${index}]: expected a chunk with an id matching ID_PATTERN`, {
        path: ["chunks", index, "id"],
      });
    }
    if (typeof record.text !== "string" || record.text.trim() === "") {
      throw new ChunkQaError("invalid_chunk", `chunk "${record.id}": expected non-empty text`, {
        path: ["chunks", index, "text"],
        chunkId: record.id,
      });
    }
    const lastQuestionId = `${record.id}.q${questionsPerChunk - 1}`;
    if (!isId(lastQuestionId)) {
      throw new ChunkQaError(
        "invalid_chunk",
        `chunk "${record.id}": its question ids (${lastQuestionId}) would exceed 128 characters; use a shorter chunk id`,
        {
          path: ["chunks", index, "id"],
          chunkId: record.id,
        },
      );
    }
  });
}

function afterThinking(text: string): string {
  const end = text.lastIndexOf("</think>");
  return (end === -1 ? text : text.slice(end + "</think>".length)).trim();
}
