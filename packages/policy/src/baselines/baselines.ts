import type { LanguageModel, MemoryPolicy, TokenCounter } from "@finemem/spec";
import { createLlmMemoryPolicy } from "../policy/llm-memory-policy.js";
import { PolicyOptionsError } from "../policy/policy-options-error.js";
import { createInsertEveryFactPolicy } from "./insert-every-fact-policy.js";
import { createLongContextPolicy } from "./long-context-policy.js";
import { createVerbatimChunkPolicy } from "./verbatim-chunk-policy.js";

/** The baselines the Mem-α and Fine-Mem papers compare against, by name. */
export const BASELINE_NAMES = [
  "rag-top2",
  "long-context",
  "insert-every-fact",
  "prompted-flat",
  "prompted-memalpha",
] as const;
export type BaselineName = (typeof BASELINE_NAMES)[number];

export interface Baseline {
  readonly name: BaselineName;
  readonly policy: MemoryPolicy;
  /** The top k its reader should retrieve, when the baseline fixes one (RAG-Top2: 2). */
  readonly readerTopK?: number;
  readonly description: string;
}

export interface BaselineOptions {
  /** Required by the prompted managers: the untrained model behind them. */
  readonly model?: LanguageModel;
  /** The long-context window in tokens. */
  readonly longContextTokens?: number;
  readonly tokenCounter?: TokenCounter;
}

/**
 * A baseline as a policy plus the reader setting it implies, so that it runs through the same
 * evaluation as any trained manager. The prompted managers decode greedily and ask for no
 * log-probabilities: they are evaluated, not trained, and not every server returns log-probabilities.
 */
export function createBaseline(name: BaselineName, options: BaselineOptions = {}): Baseline {
  switch (name) {
    case "rag-top2":
      return {
        name,
        policy: createVerbatimChunkPolicy(),
        readerTopK: 2,
        description: "every chunk stored verbatim; the reader retrieves the top 2 chunks",
      };
    case "long-context":
      return {
        name,
        policy: createLongContextPolicy({
          ...(options.longContextTokens === undefined ? {} : { maxTokens: options.longContextTokens }),
          ...(options.tokenCounter === undefined ? {} : { tokenCounter: options.tokenCounter }),
        }),
        readerTopK: 1,
        description: "the last N tokens of the history as one item",
      };
    case "insert-every-fact":
      // Memory-writing like the prompted managers, so the reader keeps its own top k.
      return {
        name,
        policy: createInsertEveryFactPolicy(),
        description: "every sentence of every chunk inserted; nothing updated or deleted",
      };
    case "prompted-flat":
    case "prompted-memalpha": {
      if (options.model === undefined)
        throw new PolicyOptionsError("model", `the ${name} baseline needs a language model`);
      const prompt = name === "prompted-flat" ? "flat" : "memalpha";
      return {
        name,
        policy: createLlmMemoryPolicy({
          model: options.model,
          prompt,
          sampling: { temperature: 0, maxTokens: 2048 },
          logprobs: false,
          policyId: `${name}:${options.model.modelId}`,
        }),
        description: `an untrained model prompted with the ${prompt === "flat" ? "flat operations" : "Mem-α typed tools"} prompt`,
      };
    }
    default:
      throw new PolicyOptionsError("name", `expected one of ${BASELINE_NAMES.join(", ")}, got ${JSON.stringify(name)}`);
  }
}
