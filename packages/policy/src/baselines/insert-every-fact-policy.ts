import {
  type CallOptions,
  type MemoryLayout,
  type MemoryPolicy,
  type PolicyDecision,
  type PolicyInput,
  SPECIFICATION_VERSION,
  throwIfAborted,
} from "@finemem/spec";
import { splitSentences } from "@finemem/utils";
import { deterministicDecision } from "../policy/deterministic-decision.js";
import { layoutOption } from "../policy/policy-options-error.js";

export interface InsertEveryFactPolicyOptions {
  /** `flat` (default) or `typed`, where each sentence is a semantic item. */
  readonly layout?: MemoryLayout;
}

/**
 * The append-only manager: every sentence of the chunk (one fact, split as everywhere else with
 * `splitSentences`) becomes an INSERT, and nothing is ever updated or deleted. It is what an untrained
 * manager tends to do, so it measures what UPDATE and DELETE are worth: a stale fact stays beside its
 * change, and memory grows with the history. A chunk without a sentence is a SKIP.
 */
export function createInsertEveryFactPolicy(options: InsertEveryFactPolicyOptions = {}): MemoryPolicy {
  const layout = layoutOption(options.layout ?? "flat");
  const memoryType = layout === "typed" ? { memoryType: "semantic" as const } : {};
  return {
    specificationVersion: SPECIFICATION_VERSION,
    policyId: "insert-every-fact",
    layout,
    async decide(input: PolicyInput, callOptions?: CallOptions): Promise<PolicyDecision> {
      throwIfAborted(callOptions?.signal);
      const sentences = splitSentences(input.chunk.text)
        .map((span) => span.text.trim())
        .filter((sentence) => sentence.length > 0);
      if (sentences.length === 0) return deterministicDecision([{ type: "SKIP" }]);
      return deterministicDecision(sentences.map((content) => ({ type: "INSERT" as const, content, ...memoryType })));
    },
  };
}
