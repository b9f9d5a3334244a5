// What a chunk-question build will cost, known before the first call: the builder's plan (chunks
// cached, texts to build, worst-case calls) plus token counts of the prompts each call will send, so
// a user sees the bill before paying it.
import { createHash } from "node:crypto";
import type { ModelPricing } from "@finemem/policy";
import type { Chunk, TokenCounter } from "@finemem/spec";
import { CHUNK_QA_PROMPTS, type ChunkQaPlan, type ChunkQaPrompts, loadChunkQaCache } from "@finemem/step-reward";

/** Prices of the two models, in US dollars per million tokens; a model without one gets no cost figure. */
export interface ChunkQaPricing {
  readonly generator?: ModelPricing;
  readonly verifier?: ModelPricing;
}

export interface TokenEstimate {
  readonly prompt: number;
  readonly completion: number;
}

/** Calls, tokens and cost of one scenario. */
export interface ChunkQaScenario {
  readonly calls: { readonly generator: number; readonly verifier: number; readonly total: number };
  readonly tokens: { readonly generator: TokenEstimate; readonly verifier: TokenEstimate; readonly total: number };
  /** null for a model without pricing (and in `total` when either is null). */
  readonly costUsd: {
    readonly generator: number | null;
    readonly verifier: number | null;
    readonly total: number | null;
  };
}

export interface ChunkQaEstimate {
  readonly instances: number;
  readonly chunks: number;
  readonly cachedChunks: number;
  readonly chunksToBuild: number;
  /** Distinct texts among the chunks to build: chunks with the same text share one generation. */
  readonly textsToBuild: number;
  readonly generatorModelId: string;
  readonly verifierModelId: string;
  /**
   * One generator call per text (its reply parses) and a verifier call per candidate: what a healthy
   * build costs.
   */
  readonly expected: ChunkQaScenario;
  /** Every generator attempt used (malformed replies retried): the most the build can spend. */
  readonly worstCase: ChunkQaScenario;
  /** How the token figures were reached, in words, for the terminal. */
  readonly assumptions: readonly string[];
}

/** What the estimate needs besides the builder's plan. */
export interface ChunkQaEstimateInput {
  readonly plan: ChunkQaPlan;
  readonly instances: number;
  readonly chunks: readonly Chunk[];
  readonly generatorModelId: string;
  readonly verifierModelId: string;
  readonly promptHash: string;
  readonly cachePath: string;
  readonly prompts?: ChunkQaPrompts;
  readonly candidatesPerChunk: number;
  /** The generator's reply budget: its `maxTokens`, else an assumed size. */
  readonly generatorMaxTokens?: number;
  readonly verifierMaxTokens?: number;
  readonly pricing?: ChunkQaPricing;
  readonly tokenCounter: TokenCounter;
  readonly signal?: AbortSignal;
}

/** Chat-template tokens around each message and before the reply (OpenAI's published rule of thumb). */
export const MESSAGE_OVERHEAD_TOKENS = 4;
export const REPLY_PRIMING_TOKENS = 3;
/** Assumed size of a generated question, which the verifier prompt repeats; questions are short factoids. */
export const ASSUMED_QUESTION_TOKENS = 24;
/** Assumed size of one `{"question": …, "answer": …}` entry in the generator's JSON reply. */
export const ASSUMED_PAIR_TOKENS = 40;
/** Assumed verifier reply when its sampling sets no `maxTokens`: a short answer, thinking off. */
export const ASSUMED_VERIFIER_REPLY_TOKENS = 16;

/**
 * Counts and prices the build that `plan` describes. Token counts of the texts still to build are
 * exact when the cache file can tell which texts those are; otherwise (lines made under other
 * settings) they are scaled from all texts, and an assumption says so.
 */
export async function estimateChunkQaCost(input: ChunkQaEstimateInput): Promise<ChunkQaEstimate> {
  const { plan, tokenCounter: counter } = input;
  const prompts = input.prompts ?? CHUNK_QA_PROMPTS;
  const candidates = input.candidatesPerChunk;
  const attempts = plan.textsToBuild === 0 ? 1 : plan.maxCalls.generator / plan.textsToBuild;
  const assumptions: string[] = [];

  const pending = await textsToBuild(input);
  let passageTokens = pending.texts.reduce((sum, text) => sum + counter.count(text), 0);
  if (pending.texts.length !== plan.textsToBuild) {
    const all = distinctTexts(input.chunks);
    const allTokens = all.reduce((sum, text) => sum + counter.count(text), 0);
    passageTokens = all.length === 0 ? 0 : Math.round((allTokens * plan.textsToBuild) / all.length);
    assumptions.push(
      `the cache holds lines made under other settings, so the passage tokens to build are scaled from all ${all.length} distinct texts`,
    );
  }

  // Per call, besides the passage: the template's own tokens and the chat overhead.
  const chat = 2 * MESSAGE_OVERHEAD_TOKENS + REPLY_PRIMING_TOKENS;
  const generatorFrame =
    counter.count(prompts.generator.system) +
    counter.count(fill(prompts.generator.user, { passage: "", count: String(candidates) })) +
    chat;
  const verifierFrame =
    counter.count(prompts.verifier.system) +
    counter.count(fill(prompts.verifier.user, { passage: "", question: "" })) +
    ASSUMED_QUESTION_TOKENS +
    chat;
  const generatorReply = input.generatorMaxTokens ?? candidates * ASSUMED_PAIR_TOKENS + 20;
  const verifierReply = input.verifierMaxTokens ?? ASSUMED_VERIFIER_REPLY_TOKENS;
  const texts = plan.textsToBuild;

  const scenario = (generatorCalls: number, generatorPasses: number): ChunkQaScenario => {
    const verifierCalls = texts * candidates;
    const generator = {
      prompt: generatorPasses * (passageTokens + texts * generatorFrame),
      completion: generatorCalls * generatorReply,
    };
    const verifier = {
      prompt: candidates * passageTokens + verifierCalls * verifierFrame,
      completion: verifierCalls * verifierReply,
    };
    const generatorCost = cost(generator, input.pricing?.generator);
    const verifierCost = cost(verifier, input.pricing?.verifier);
    return {
      calls: { generator: generatorCalls, verifier: verifierCalls, total: generatorCalls + verifierCalls },
      tokens: {
        generator,
        verifier,
        total: generator.prompt + generator.completion + verifier.prompt + verifier.completion,
      },
      costUsd: {
        generator: generatorCost,
        verifier: verifierCost,
        total: generatorCost === null || verifierCost === null ? null : generatorCost + verifierCost,
      },
    };
  };

  assumptions.push(
    `${counter.encoding} token counts of the ${texts} passage(s) to build and of the prompts (${prompts.version}), plus ${MESSAGE_OVERHEAD_TOKENS} tokens per message and ${REPLY_PRIMING_TOKENS} per reply of chat template`,
    `each generator reply ${input.generatorMaxTokens === undefined ? `≈ ${generatorReply} tokens (${candidates} pairs × ${ASSUMED_PAIR_TOKENS} + 20; set generatorSampling.maxTokens to bound it)` : `≤ ${generatorReply} tokens (generatorSampling.maxTokens)`}`,
    `each verifier reply ${input.verifierMaxTokens === undefined ? `≈ ${verifierReply} tokens (a short answer, thinking off)` : `≤ ${verifierReply} tokens (verifierSampling.maxTokens)`}; each question ≈ ${ASSUMED_QUESTION_TOKENS} tokens`,
    `every text yields all ${candidates} candidates, each verified once; worst case: ${attempts} generator attempt(s) per text`,
  );
  if (input.pricing?.generator === undefined || input.pricing.verifier === undefined)
    assumptions.push("no cost for a model without pricing (USD per million prompt / completion tokens)");

  return {
    instances: input.instances,
    chunks: plan.chunks,
    cachedChunks: plan.cachedChunks,
    chunksToBuild: plan.uncachedChunks,
    textsToBuild: texts,
    generatorModelId: input.generatorModelId,
    verifierModelId: input.verifierModelId,
    expected: scenario(texts, 1),
    worstCase: scenario(plan.maxCalls.generator, attempts),
    assumptions,
  };
}

function cost(tokens: TokenEstimate, pricing: ModelPricing | undefined): number | null {
  if (pricing === undefined) return null;
  return (tokens.prompt * pricing.promptUsdPerMillion + tokens.completion * pricing.completionUsdPerMillion) / 1e6;
}

function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

function distinctTexts(chunks: readonly Chunk[]): string[] {
  return [...new Set(chunks.map((chunk) => chunk.text))];
}

/**
 * The distinct texts with no cache line under these models, prompts and candidate count. The builder
 * also keys on sampling and metric settings, which it does not expose, so the caller compares the
 * count with the plan's and falls back to scaling when they differ.
 */
async function textsToBuild(input: ChunkQaEstimateInput): Promise<{ texts: string[] }> {
  const loaded = await loadChunkQaCache(input.cachePath, {
    repair: false,
    ...(input.signal === undefined ? {} : { signal: input.signal }),
  });
  const cached = new Set<string>();
  for (const entry of loaded.entries.values()) {
    if (
      entry.generatorModelId === input.generatorModelId &&
      entry.verifierModelId === input.verifierModelId &&
      entry.promptHash === input.promptHash &&
      entry.candidates === input.candidatesPerChunk
    ) {
      cached.add(entry.textSha256);
    }
  }
  return { texts: distinctTexts(input.chunks).filter((text) => !cached.has(sha256(text))) };
}

// The builder fills templates in one pass; the frame is measured with empty values, the same text.
function fill(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{([a-z_]+)\}/g, (whole, key: string) =>
    Object.hasOwn(values, key) ? values[key]! : whole,
  );
}

/** The estimate as terminal lines. */
export function formatChunkQaEstimate(estimate: ChunkQaEstimate): string {
  const usd = (value: number | null) => (value === null ? "n/a (no pricing)" : `$${value.toFixed(4)}`);
  const { expected, worstCase } = estimate;
  const lines = [
    `chunk questions: ${estimate.instances} instance(s), ${estimate.chunks} chunk(s): ${estimate.cachedChunks} cached, ${estimate.chunksToBuild} to build (${estimate.textsToBuild} distinct text(s))`,
    `  generator ${estimate.generatorModelId}: ${expected.calls.generator} call(s) (worst case ${worstCase.calls.generator}), ≈ ${expected.tokens.generator.prompt} prompt + ${expected.tokens.generator.completion} completion tokens, ${usd(expected.costUsd.generator)}`,
    `  verifier  ${estimate.verifierModelId}: ≤ ${expected.calls.verifier} call(s), ≈ ${expected.tokens.verifier.prompt} prompt + ${expected.tokens.verifier.completion} completion tokens, ${usd(expected.costUsd.verifier)}`,
    `  total: ≈ ${expected.tokens.total} tokens, ${usd(expected.costUsd.total)}; worst case ${worstCase.calls.total} calls, ${worstCase.tokens.total} tokens, ${usd(worstCase.costUsd.total)}`,
    "  assumptions:",
    ...estimate.assumptions.map((assumption) => `  - ${assumption}`),
  ];
  return lines.join("\n");
}
