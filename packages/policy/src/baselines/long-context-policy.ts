import {
  type CallOptions,
  type MemoryPolicy,
  type PolicyDecision,
  type PolicyInput,
  SPECIFICATION_VERSION,
  type TokenCounter,
  throwIfAborted,
} from "@finemem/spec";
import { createO200kTokenCounter, positiveInteger } from "@finemem/utils";
import { deterministicDecision } from "../policy/deterministic-decision.js";
import { policyOptionError } from "../policy/policy-options-error.js";

export interface LongContextPolicyOptions {
  /**
   * The window: the last N tokens of the history are kept. Default 32,768 (Qwen3-32B's native context,
   * the papers' reasoning agent); raise it for a long-context reader.
   */
  readonly maxTokens?: number;
  /** Default o200k_base, the encoding memory lengths are reported in. */
  readonly tokenCounter?: TokenCounter;
  /** Placed between chunks. Default a blank line. */
  readonly separator?: string;
}

export const DEFAULT_LONG_CONTEXT_TOKENS = 32_768;

/**
 * The long-context baseline as a policy: memory is one item holding the last N tokens of everything
 * read so far. Each step appends the chunk and cuts the front (at a code point) until the item fits.
 * A reader that retrieves anything gets the whole window, since it is the only item.
 */
export function createLongContextPolicy(options: LongContextPolicyOptions = {}): MemoryPolicy {
  const maxTokens = positiveInteger("maxTokens", options.maxTokens ?? DEFAULT_LONG_CONTEXT_TOKENS, policyOptionError);
  const counter = options.tokenCounter ?? createO200kTokenCounter();
  const separator = options.separator ?? "\n\n";
  return {
    specificationVersion: SPECIFICATION_VERSION,
    policyId: `long-context-${maxTokens}`,
    layout: "flat",
    async decide(input: PolicyInput, callOptions?: CallOptions): Promise<PolicyDecision> {
      throwIfAborted(callOptions?.signal);
      const window = input.view.items[0];
      if (input.chunk.text.trim().length === 0) return deterministicDecision([{ type: "SKIP" }]);
      const content = keepLastTokens(
        window === undefined ? input.chunk.text : window.content + separator + input.chunk.text,
        maxTokens,
        counter,
      );
      return deterministicDecision([
        window === undefined ? { type: "INSERT", content } : { type: "UPDATE", id: window.id, content },
      ]);
    },
  };
}

/**
 * The longest suffix of `text` (cut at a code point, leading space dropped) within `cap` tokens. Binary
 * search over suffixes works with any counter, at the price of O(log n) counts.
 */
export function keepLastTokens(text: string, cap: number, counter: TokenCounter): string {
  if (counter.count(text) <= cap) return text;
  const codePoints = Array.from(text);
  // Invariant: the suffix starting at `high` fits (the empty one does), the one at `low` does not.
  let low = 0;
  let high = codePoints.length;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (counter.count(codePoints.slice(middle).join("").trimStart()) <= cap) high = middle;
    else low = middle;
  }
  const kept = codePoints.slice(high).join("").trimStart();
  // A cut inside a word can leave nothing that is not whitespace when cap is tiny; keep one code point.
  return kept.length > 0 ? kept : codePoints.slice(-1).join("");
}
