import { randomInt } from "node:crypto";
import {
  type CallOptions,
  type LanguageModel,
  type LanguageModelRequest,
  type LanguageModelResponse,
  type LogprobDistribution,
  languageModelRequestValidator,
  type SamplingOptions,
  SPECIFICATION_VERSION,
  type SpecificationVersion,
  throwIfAborted,
} from "@finemem/spec";
import { createConcurrencyLimiter } from "@finemem/utils";
import { LocalModelError } from "../local/local-model-error.js";
import { renderChatPrompt } from "./chat-prompt.js";
import { ContextOverflowError } from "./context-overflow-error.js";
import { type LlamaCppModelOptions, resolveLlamaCppOptions } from "./llama-cpp-options.js";
import { type LlamaRuntime, loadLlamaRuntime } from "./load-llama-runtime.js";
import { operationGrammarTokenBudget, type ResolvedOperationGrammarOptions } from "./operation-grammar.js";
import { operationsToToolCalls } from "./operation-tool-calls.js";
import { checkRequestSupport } from "./request-support.js";
import { type SamplingPlan, sampleTokens } from "./sample-tokens.js";

/** What a loaded model reports about itself. */
export interface LlamaCppModelInfo {
  /** Tokens of context of the loaded context (prompt and reply together). */
  readonly contextSize: number;
  /** The context the model was trained with, from the GGUF. */
  readonly trainContextSize: number;
  /** The GGUF's `general.architecture`, e.g. `llama`, `qwen3`. */
  readonly architecture: string;
  /** The node-llama-cpp chat wrapper that renders the messages (e.g. `Llama2Chat`, `ChatML`, `Jinja`). */
  readonly chatWrapper: string;
}

/** A GGUF model run in this process by llama.cpp through node-llama-cpp. */
export interface LlamaCppModel extends LanguageModel {
  readonly specificationVersion: SpecificationVersion;
  readonly provider: "llama-cpp";
  readonly modelId: string;
  readonly modelPath: string;
  /** The operation grammar's options, when replies are constrained to memory operations. */
  readonly operationGrammar: ResolvedOperationGrammarOptions | undefined;
  /** The most tokens a grammar-constrained reply can take: the default maxTokens then. */
  readonly grammarTokenBudget: number | undefined;
  /** Loads the model now (otherwise the first generate does); loading twice is a no-op. */
  load(options?: CallOptions): Promise<LlamaCppModelInfo>;
  /** Frees the model and its context once the call in progress (if any) is done; a later call loads it again. */
  dispose(): Promise<void>;
}

/**
 * Creates the backend; nothing is loaded (node-llama-cpp is not even imported) until {@link
 * LlamaCppModel.load} or the first generate. Options are checked here.
 *
 * A call: validates the request and refuses what cannot be honoured (`UnsupportedOptionError`), waits
 * for the model (calls run one at a time on its single sequence), renders the messages with the model's
 * chat wrapper and generates from an empty context with a fresh sampler, so calls are independent and
 * a seed fixes the reply. Sampling defaults follow the OpenAI API: temperature 1, no top-k, top-p 1,
 * and a random seed when none is given. With the operation grammar, maxTokens defaults to the
 * grammar's worst case, so a reply is never cut off.
 */
export function createLlamaCppModel(options: LlamaCppModelOptions): LlamaCppModel {
  const config = resolveLlamaCppOptions(options);
  const grammar = config.operationGrammar;
  const grammarTokenBudget = grammar === undefined ? undefined : operationGrammarTokenBudget(grammar);
  // One sequence, one call at a time: a sequence's KV cache belongs to the call using it.
  const limiter = createConcurrencyLimiter(1);
  let loading: Promise<LlamaRuntime> | undefined;

  const runtime = (): Promise<LlamaRuntime> => {
    if (loading === undefined) {
      const attempt = loadLlamaRuntime(config);
      loading = attempt;
      // A failed load is not cached: the next call tries again (the file may have been fixed).
      attempt.catch(() => {
        if (loading === attempt) loading = undefined;
      });
    }
    return loading;
  };

  const generate = async (
    request: LanguageModelRequest,
    callOptions: CallOptions = {},
  ): Promise<LanguageModelResponse> => {
    const signal = callOptions.signal;
    throwIfAborted(signal);
    const checked = languageModelRequestValidator.parse(request);
    const replyForm = checkRequestSupport(checked, grammar);
    const release = await limiter.acquire(signal);
    try {
      const loaded = await runtime();
      throwIfAborted(signal);
      const prompt = renderChatPrompt(loaded, checked.messages);
      const contextSize = loaded.context.contextSize;
      const sampling = checked.sampling ?? {};
      // A grammar reply never needs more than the grammar's budget, so a larger maxTokens asks no more context.
      const maxTokens =
        grammarTokenBudget === undefined
          ? (sampling.maxTokens ?? contextSize - prompt.tokens.length)
          : Math.min(sampling.maxTokens ?? grammarTokenBudget, grammarTokenBudget);
      if (prompt.tokens.length + Math.max(1, maxTokens) > contextSize) {
        throw new ContextOverflowError({
          promptTokens: prompt.tokens.length,
          maxTokens,
          contextSize,
          modelPath: config.modelPath,
        });
      }
      const constrained = grammar !== undefined;
      const plan = samplingPlan(sampling);
      const output = await sampleTokens({
        runtime: loaded,
        promptTokens: prompt.tokens,
        maxTokens,
        sampling: plan,
        constrained,
        // The grammar decides where a constrained reply ends; the chat format's stop texts could occur
        // inside its content. A caller's own stop texts always apply.
        stopTexts: [...(sampling.stop ?? []), ...(constrained ? [] : prompt.stopTexts)],
        stopTokenSequences: constrained ? [] : prompt.stopTokenSequences,
        signal,
      });

      const toolCalls =
        replyForm === "tool_calls" && grammar !== undefined && output.finishReason === "stop"
          ? operationsToToolCalls(output.text, grammar.toolSet)
          : undefined;
      if (checked.logprobs === true && output.logprobs.some(Number.isNaN)) {
        throw new LocalModelError(
          "generation_failed",
          `node-llama-cpp returned no probability for a generated token of ${config.modelPath}`,
          { modelPath: config.modelPath },
        );
      }
      return {
        text: toolCalls === undefined ? output.text : "",
        toolCalls: toolCalls ?? [],
        finishReason: toolCalls === undefined ? output.finishReason : "tool_calls",
        usage: { promptTokens: prompt.tokens.length, completionTokens: output.tokens.length },
        modelId: config.modelId,
        ...(checked.returnTokenIds === true
          ? { promptTokenIds: Array.from(prompt.tokens, Number), responseTokenIds: Array.from(output.tokens, Number) }
          : {}),
        ...(checked.logprobs === true ? { responseLogprobs: [...output.logprobs] } : {}),
        ...(checked.logprobs === true ? logprobDistributionOf(plan, constrained) : {}),
      };
    } finally {
      release();
    }
  };

  return {
    specificationVersion: SPECIFICATION_VERSION,
    provider: "llama-cpp",
    modelId: config.modelId,
    modelPath: config.modelPath,
    operationGrammar: grammar,
    grammarTokenBudget,
    generate,
    async load(callOptions: CallOptions = {}): Promise<LlamaCppModelInfo> {
      throwIfAborted(callOptions.signal);
      const loaded = await runtime();
      return {
        contextSize: loaded.context.contextSize,
        trainContextSize: loaded.model.trainContextSize,
        architecture: String(loaded.model.architecture),
        chatWrapper: loaded.chatWrapper.wrapperName,
      };
    },
    async dispose(): Promise<void> {
      const release = await limiter.acquire();
      try {
        const current = loading;
        loading = undefined;
        if (current !== undefined) await (await current.catch(() => undefined))?.dispose();
      } finally {
        release();
      }
    },
  };
}

/** The request's sampling with the OpenAI API's defaults made explicit (node-llama-cpp's own differ: greedy, top-k 40, top-p 0.95). */
function samplingPlan(sampling: SamplingOptions): SamplingPlan {
  return {
    temperature: sampling.temperature ?? 1,
    topK: sampling.topK ?? 0,
    topP: sampling.topP ?? 1,
    // Any integer seed maps to llama.cpp's unsigned 32-bit one; without one, a fresh seed per call
    // (node-llama-cpp would use the current second, giving calls within a second the same draws).
    seed: sampling.seed === undefined ? randomInt(0, 2 ** 32) : ((sampling.seed % 2 ** 32) + 2 ** 32) % 2 ** 32,
  };
}

/**
 * Sampling draws each token from the distribution after grammar mask, top-k, top-p and temperature,
 * and `confidence` is its probability there: `sampled`. A greedy call has no sampled distribution;
 * its confidence is the model's own softmax (`raw`) without a grammar, and a grammar-masked softmax,
 * which is neither, with one: nothing is recorded then.
 */
function logprobDistributionOf(
  plan: SamplingPlan,
  constrained: boolean,
): { logprobDistribution?: LogprobDistribution } {
  if (plan.temperature > 0) return { logprobDistribution: "sampled" };
  return constrained ? {} : { logprobDistribution: "raw" };
}
