import type { MemoryOperation, PolicyDecision } from "@finemem/spec";

/**
 * The decision of a policy that needs no model: every operation is its own well-formed "call", so
 * each has a `parsed` outcome and the format reward treats it like a clean model reply. The raw
 * output is the operations as JSON lines, which is what the run log shows. No log-probability: the
 * choice is deterministic, not sampled.
 */
export function deterministicDecision(operations: readonly MemoryOperation[]): PolicyDecision {
  return {
    operations,
    parseOutcomes: operations.map((_, index) => ({
      fragment: index,
      status: "parsed" as const,
      operationIndex: index,
      repairs: [],
    })),
    rawOutput: operations.map((operation) => JSON.stringify(operation)).join("\n"),
    actionLogprob: null,
  };
}
