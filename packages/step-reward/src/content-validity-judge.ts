import { createHash } from "node:crypto";
import { isJudgeVerdictCorrect } from "@finemem/benchmarks";
import type { CallOptions, Chunk, LanguageModel, MemoryOperation, SamplingOptions } from "@finemem/spec";
import { mapWithConcurrency, positiveInteger } from "@finemem/utils";
import { invalidOption } from "./step-reward-error.js";

/** Bumped whenever the wording changes; every judged figure names the prompt through its hash. */
export const CONTENT_VALIDITY_PROMPT_VERSION = "finemem-content-validity-v1";

/** This project's own prompt (docs/method.md §17: judge prompts are written here). `{chunk}` and `{entry}` are filled in. */
export const CONTENT_VALIDITY_PROMPT = [
  "A memory manager read the passage below and wrote one entry into its long-term memory.",
  "",
  "Passage:",
  "{chunk}",
  "",
  "Memory entry:",
  "{entry}",
  "",
  "Is the entry a faithful, self-contained record of information in the passage: nothing invented,",
  "nothing contradicting the passage, and understandable without the passage at hand?",
  "Reply with the single word yes or the single word no.",
].join("\n");

export const CONTENT_VALIDITY_PROMPT_HASH = `${CONTENT_VALIDITY_PROMPT_VERSION}:${createHash("sha256").update(CONTENT_VALIDITY_PROMPT, "utf8").digest("hex").slice(0, 16)}`;

export interface ContentValidityJudgeOptions {
  readonly model: LanguageModel;
  /** Default greedy, 8 new tokens: the verdict is one word. */
  readonly sampling?: SamplingOptions;
  /** Judge calls in flight at once. Default 4. */
  readonly concurrency?: number;
}

export interface ContentVerdict {
  /** Index of the operation in the step's list. */
  readonly operationIndex: number;
  readonly content: string;
  readonly valid: boolean;
  readonly reply: string;
}

export interface ContentValidity {
  /** r_content(t): the share of the step's written entries judged valid; null when the step wrote nothing. */
  readonly score: number | null;
  readonly verdicts: readonly ContentVerdict[];
  readonly judge: { readonly modelId: string; readonly promptHash: string; readonly ownPrompt: true };
}

export interface ContentValidityJudge {
  readonly promptHash: string;
  /** Judges the contents the step wrote: pass the operations the store applied (INSERT and UPDATE carry content). */
  judge(
    input: { readonly chunk: Chunk; readonly operations: readonly MemoryOperation[] },
    options?: CallOptions,
  ): Promise<ContentValidity>;
}

/**
 * Mem-α's optional content-validity term for typed memory, off by default in the composer (weight 0):
 * an LLM judges each entry the step wrote against the chunk it read. The verdict rule is the one the
 * benchmark's judge uses (the reply holds "yes" and not "no"), so an evasive reply counts as invalid.
 */
export function createContentValidityJudge(options: ContentValidityJudgeOptions): ContentValidityJudge {
  const concurrency = positiveInteger("concurrency", options.concurrency ?? 4, invalidOption);
  const sampling = options.sampling ?? { temperature: 0, maxTokens: 8 };
  return {
    promptHash: CONTENT_VALIDITY_PROMPT_HASH,
    async judge({ chunk, operations }, callOptions: CallOptions = {}) {
      const written = operations.flatMap((operation, operationIndex) =>
        operation.type === "INSERT" || operation.type === "UPDATE"
          ? [{ operationIndex, content: operation.content }]
          : [],
      );
      let modelId = options.model.modelId;
      const verdicts = await mapWithConcurrency(
        written,
        concurrency,
        async ({ operationIndex, content }): Promise<ContentVerdict> => {
          // One pass over the placeholders, so braces inside the texts are never re-expanded.
          const prompt = CONTENT_VALIDITY_PROMPT.replace(/\{(chunk|entry)\}/g, (_match, name: string) =>
            name === "chunk" ? chunk.text : content,
          );
          const response = await options.model.generate(
            { messages: [{ role: "user", content: prompt }], sampling },
            callOptions,
          );
          if (response.modelId !== undefined) modelId = response.modelId;
          return { operationIndex, content, valid: isJudgeVerdictCorrect(response.text), reply: response.text };
        },
        callOptions.signal,
      );
      return {
        score: verdicts.length === 0 ? null : verdicts.filter((verdict) => verdict.valid).length / verdicts.length,
        verdicts,
        judge: { modelId, promptHash: CONTENT_VALIDITY_PROMPT_HASH, ownPrompt: true },
      };
    },
  };
}
