import {
  type CallOptions,
  type MemoryLayout,
  type MemoryPolicy,
  type PolicyDecision,
  type PolicyInput,
  SPECIFICATION_VERSION,
  throwIfAborted,
} from "@finemem/spec";
import { deterministicDecision } from "../policy/deterministic-decision.js";
import { layoutOption } from "../policy/policy-options-error.js";

export interface VerbatimChunkPolicyOptions {
  /** `flat` (default) or `typed`, where each chunk is a semantic item. */
  readonly layout?: MemoryLayout;
}

/**
 * RAG over raw chunks: every chunk is inserted as it is, one item per chunk. With a reader that
 * retrieves the top 2 items this is the papers' RAG-Top2 baseline. A chunk with no text is a SKIP.
 */
export function createVerbatimChunkPolicy(options: VerbatimChunkPolicyOptions = {}): MemoryPolicy {
  const layout = layoutOption(options.layout ?? "flat");
  return {
    specificationVersion: SPECIFICATION_VERSION,
    policyId: "verbatim-chunks",
    layout,
    async decide(input: PolicyInput, callOptions?: CallOptions): Promise<PolicyDecision> {
      throwIfAborted(callOptions?.signal);
      if (input.chunk.text.trim().length === 0) return deterministicDecision([{ type: "SKIP" }]);
      return deterministicDecision([
        {
          type: "INSERT",
          content: input.chunk.text,
          ...(layout === "typed" ? { memoryType: "semantic" as const } : {}),
        },
      ]);
    },
  };
}
