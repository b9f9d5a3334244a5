import { AbortedError } from "@finemem/spec";
import type { Token } from "node-llama-cpp";
import { LocalModelError } from "../local/local-model-error.js";
import type { LlamaRuntime } from "./load-llama-runtime.js";

/** The sampler settings of one call, already resolved (no node-llama-cpp defaults left to apply). */
export interface SamplingPlan {
  /** 0 is greedy decoding. */
  readonly temperature: number;
  /** 0 keeps every token. */
  readonly topK: number;
  /** 1 keeps every token. */
  readonly topP: number;
  /** An unsigned 32-bit seed. */
  readonly seed: number;
}

export interface GenerationInput {
  readonly runtime: LlamaRuntime;
  readonly promptTokens: readonly Token[];
  readonly maxTokens: number;
  readonly sampling: SamplingPlan;
  /** Constrain the reply with the runtime's operation grammar. */
  readonly constrained: boolean;
  readonly stopTexts: readonly string[];
  readonly stopTokenSequences: readonly (readonly Token[])[];
  readonly signal?: AbortSignal | undefined;
}

export interface GenerationOutput {
  /** Every sampled token, the end-of-generation token included: the action the model took. */
  readonly tokens: readonly Token[];
  /** The natural log of each token's probability under the distribution it was sampled from. */
  readonly logprobs: readonly number[];
  /** The decoded reply, without the end token and without a stop text that ended it. */
  readonly text: string;
  readonly finishReason: "stop" | "length";
}

/**
 * Generates one reply on the runtime's single sequence, from an empty context: the history is cleared
 * first and a fresh sampler (and grammar state) is made for the call, so calls never share state and
 * the same seed gives the same reply.
 *
 * Each token's probability is node-llama-cpp's `confidence`: the probability of the chosen token in the
 * candidates after the grammar mask, top-k, top-p and temperature, i.e. in the distribution the token
 * was actually drawn from (at temperature 0, the model's own distribution, masked by the grammar). It
 * is always asked for, because asking changes how llama.cpp applies the grammar (mask first rather than
 * sample-then-check), and a reply must not depend on whether log-probabilities were wanted.
 */
export async function sampleTokens(input: GenerationInput): Promise<GenerationOutput> {
  const { runtime, sampling, signal } = input;
  const { model, sequence } = runtime;
  const grammarEvaluationState =
    input.constrained && runtime.grammar !== undefined
      ? new runtime.lib.LlamaGrammarEvaluationState({ model, grammar: runtime.grammar })
      : undefined;
  const tokens: Token[] = [];
  const logprobs: number[] = [];
  let textTokens: Token[] = [];
  let stopAt: number | undefined;
  let finishReason: "stop" | "length" = "stop";
  let aborted = false;
  const stopWindow = 4 * Math.max(0, ...input.stopTexts.map((stop) => stop.length)) + 4;
  try {
    await sequence.clearHistory();
    const evaluation = sequence.evaluateWithMetadata(
      [...input.promptTokens],
      { confidence: true },
      {
        temperature: sampling.temperature,
        topK: sampling.topK,
        topP: sampling.topP,
        minP: 0,
        seed: sampling.seed,
        yieldEogToken: true,
        ...(grammarEvaluationState === undefined ? {} : { grammarEvaluationState }),
      },
    );
    for await (const output of evaluation) {
      if (signal?.aborted) {
        aborted = true;
        break;
      }
      tokens.push(output.token);
      logprobs.push(toLogprob(output.confidence));
      if (model.isEogToken(output.token)) break;
      textTokens.push(output.token);
      const stopSequence = input.stopTokenSequences.find((stop) => endsWith(textTokens, stop));
      if (stopSequence !== undefined) {
        textTokens = textTokens.slice(0, textTokens.length - stopSequence.length);
        break;
      }
      // Only the newest tokens can complete a stop text: decode a window that covers the longest one
      // (a character is at most 4 byte tokens), and the whole reply only when the window holds a stop.
      if (input.stopTexts.length > 0) {
        const recent = model.detokenize(textTokens.slice(-stopWindow), false);
        if (input.stopTexts.some((stop) => recent.includes(stop))) {
          stopAt = firstStop(model.detokenize(textTokens, false), input.stopTexts);
          if (stopAt !== undefined) break;
        }
      }
      if (tokens.length >= input.maxTokens) {
        finishReason = "length";
        break;
      }
    }
  } catch (error) {
    throw new LocalModelError(
      "generation_failed",
      `llama.cpp failed while generating with ${runtime.modelPath}: ${(error as Error)?.message ?? String(error)}`,
      {
        modelPath: runtime.modelPath,
        cause: error,
      },
    );
  }
  if (aborted) throw new AbortedError(signal?.reason);
  const decoded = model.detokenize(textTokens, false);
  return { tokens, logprobs, text: stopAt === undefined ? decoded : decoded.slice(0, stopAt), finishReason };
}

/** A probability as a finite log-probability ≤ 0 (a float32 probability may round to 0 or just above 1). */
function toLogprob(probability: number | undefined): number {
  if (probability === undefined || !Number.isFinite(probability)) return Number.NaN;
  return Math.min(0, Math.log(Math.max(probability, Number.MIN_VALUE)));
}

function endsWith(tokens: readonly Token[], suffix: readonly Token[]): boolean {
  if (suffix.length === 0 || suffix.length > tokens.length) return false;
  const offset = tokens.length - suffix.length;
  return suffix.every((token, index) => tokens[offset + index] === token);
}

/** Where the earliest stop text starts in `text`, if any does. */
function firstStop(text: string, stops: readonly string[]): number | undefined {
  let earliest: number | undefined;
  for (const stop of stops) {
    const index = text.indexOf(stop);
    if (index >= 0 && (earliest === undefined || index < earliest)) earliest = index;
  }
  return earliest;
}
