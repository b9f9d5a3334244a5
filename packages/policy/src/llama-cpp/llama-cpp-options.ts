import { basename } from "node:path";
import { ModelConfigError } from "../http/errors.js";
import {
  type OperationGrammarOptions,
  type ResolvedOperationGrammarOptions,
  resolveOperationGrammarOptions,
} from "./operation-grammar.js";

/** Where llama.cpp runs: `false` is the CPU; `true` lets node-llama-cpp pick a GPU backend it has a prebuilt binary for. */
export type LlamaCppGpu = boolean | "auto" | "cuda" | "vulkan" | "metal";

/** node-llama-cpp's log levels for llama.cpp's own messages. */
export type LlamaCppLogLevel = "disabled" | "fatal" | "error" | "warn" | "info" | "log" | "debug";

export interface LlamaCppModelOptions {
  /** A .gguf file. Checked (magic, version, header, length) before llama.cpp sees it. */
  readonly modelPath: string;
  /** Reported as `modelId`; default the file name without `.gguf`. */
  readonly modelId?: string;
  /** Tokens of context: prompt and reply together. Default the model's training context, at most 8192. */
  readonly contextSize?: number;
  /** CPU threads; default 1, which with a fixed seed also keeps results the same from machine to machine. */
  readonly threads?: number;
  /** Default `false` (CPU). node-llama-cpp never compiles llama.cpp here (`build: "never"`). */
  readonly gpu?: LlamaCppGpu;
  /**
   * How messages become the prompt: `auto` (default) lets node-llama-cpp pick from the GGUF (its chat
   * template, or a wrapper for the model family); or a node-llama-cpp wrapper name such as `general`,
   * `chatML`, `llama3.1`, `qwen`, `jinjaTemplate`.
   */
  readonly chatWrapper?: string;
  /**
   * Constrain every reply to a list of memory operations (see {@link OperationGrammarOptions}); with it
   * the model answers requests that carry the tool set's `tools` with structured tool calls.
   */
  readonly operationGrammar?: OperationGrammarOptions;
  /** llama.cpp's messages printed at or above this level; default `warn`. */
  readonly logLevel?: LlamaCppLogLevel;
}

export interface ResolvedLlamaCppOptions {
  readonly modelPath: string;
  readonly modelId: string;
  readonly contextSize: number | undefined;
  readonly threads: number;
  readonly gpu: false | "auto" | "cuda" | "vulkan" | "metal";
  readonly chatWrapper: string;
  readonly operationGrammar: ResolvedOperationGrammarOptions | undefined;
  readonly logLevel: LlamaCppLogLevel;
}

/** The largest default context: enough for a manager prompt, its memory and a full grammar reply. */
export const DEFAULT_MAX_CONTEXT_SIZE = 8192;

const GPU_VALUES: readonly unknown[] = [true, false, "auto", "cuda", "vulkan", "metal"];
const LOG_LEVELS: readonly unknown[] = ["disabled", "fatal", "error", "warn", "info", "log", "debug"];

/** Checks the options at construction, so a misconfigured model fails before its first call. */
export function resolveLlamaCppOptions(options: LlamaCppModelOptions): ResolvedLlamaCppOptions {
  if (typeof options !== "object" || options === null)
    throw new ModelConfigError([], "expected an options object with a modelPath");
  if (typeof options.modelPath !== "string" || options.modelPath.length === 0)
    throw new ModelConfigError(["modelPath"], "expected the path of a .gguf file");
  const modelId = options.modelId ?? basename(options.modelPath).replace(/\.gguf$/i, "");
  if (typeof modelId !== "string" || modelId.length === 0)
    throw new ModelConfigError(["modelId"], "expected a non-empty string");
  if (options.contextSize !== undefined && !(Number.isInteger(options.contextSize) && options.contextSize >= 16)) {
    throw new ModelConfigError(
      ["contextSize"],
      `expected an integer of at least 16 tokens, got ${String(options.contextSize)}`,
    );
  }
  const threads = options.threads ?? 1;
  if (!(Number.isInteger(threads) && threads >= 1))
    throw new ModelConfigError(["threads"], `expected a positive integer, got ${String(threads)}`);
  const gpu = options.gpu ?? false;
  if (!GPU_VALUES.includes(gpu))
    throw new ModelConfigError(
      ["gpu"],
      `expected false, true, "auto", "cuda", "vulkan" or "metal", got ${JSON.stringify(gpu)}`,
    );
  const chatWrapper = options.chatWrapper ?? "auto";
  if (typeof chatWrapper !== "string" || chatWrapper.length === 0)
    throw new ModelConfigError(["chatWrapper"], `expected "auto" or a node-llama-cpp chat wrapper name`);
  const logLevel = options.logLevel ?? "warn";
  if (!LOG_LEVELS.includes(logLevel))
    throw new ModelConfigError(
      ["logLevel"],
      `expected one of ${LOG_LEVELS.join(", ")}, got ${JSON.stringify(logLevel)}`,
    );
  return {
    modelPath: options.modelPath,
    modelId,
    contextSize: options.contextSize,
    threads,
    gpu: gpu === true ? "auto" : gpu,
    chatWrapper,
    operationGrammar:
      options.operationGrammar === undefined ? undefined : resolveOperationGrammarOptions(options.operationGrammar),
    logLevel,
  };
}
