import type { LogprobDistribution } from "@finemem/spec";

/**
 * The serving engines behind an OpenAI-compatible endpoint differ in the non-standard request fields
 * they honour. The backend sends such a field only to an engine known to read it, and otherwise
 * refuses the request option: an engine that does not know a field drops it without a word, and a
 * sampling setting silently ignored is a wrong experiment nobody notices.
 */
export type ServingEngine = "generic" | "vllm" | "sglang" | "llama-cpp" | "ollama";

export const SERVING_ENGINES: readonly ServingEngine[] = ["generic", "vllm", "sglang", "llama-cpp", "ollama"];

export interface EngineCapabilities {
  /** Reads `top_k` on /v1/chat/completions. */
  readonly topK: boolean;
  /** Reads `return_token_ids` and answers with prompt and completion token ids. */
  readonly returnTokenIds: boolean;
  /**
   * The distribution the engine's log-probabilities are taken under when the server runs with its
   * defaults; undefined where this project has not established it (the caller can declare it).
   */
  readonly logprobDistribution?: LogprobDistribution;
}

export const ENGINE_CAPABILITIES: Readonly<Record<ServingEngine, EngineCapabilities>> = {
  // The OpenAI API itself has no top_k and no token ids.
  generic: { topK: false, returnTokenIds: false },
  // vLLM: top_k is an extra sampling parameter; return_token_ids since v0.10.2. Its V1 sampler
  // returns the model's log-softmax before temperature, penalties and top-k / top-p unless the server
  // runs with --logprobs-mode processed_logprobs (default raw_logprobs).
  vllm: { topK: true, returnTokenIds: true, logprobDistribution: "raw" },
  // SGLang: top_k is an extra sampling parameter; return_token_ids on chat completions in recent releases.
  sglang: { topK: true, returnTokenIds: true },
  // llama.cpp's server passes its native sampling fields, top_k included, through the OpenAI route.
  "llama-cpp": { topK: true, returnTokenIds: false },
  // Ollama's OpenAI layer decodes a fixed set of fields (model, messages, temperature, top_p, seed, stop,
  // max_tokens, tools, ...) and drops the rest: a top_k sent there would be ignored silently, so it is
  // refused like on any engine that cannot honour it (use the native /api/chat `options.top_k` instead).
  ollama: { topK: false, returnTokenIds: false },
};
