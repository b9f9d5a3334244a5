import type { MemoryOperation, ParseOutcome, PolicyDecision } from "@finemem/spec";

// Shared by every outcome: a parsed operation needed no repair. One frozen array, not one per
// operation: a run keeps its decisions until the episode's end, and a 10 MB context has 170k of them.
const NO_REPAIRS: readonly string[] = Object.freeze([]);

/**
 * The decision of a policy that needs no model: every operation is its own well-formed "call", so
 * each has a `parsed` outcome and the format reward treats it like a clean model reply. The raw
 * output is the operations as JSON lines, which is what the run log shows; it is built on each read
 * and not kept (the step journal and the run log each read it once), since the episode keeps every
 * decision until it ends and a kept raw output would be a second copy of every stored sentence. No log-probability: the choice is
 * deterministic, not sampled. The operations are frozen in place (callers hand over fresh objects):
 * a store keeps a frozen operation in its log as given rather than copying it.
 */
export function deterministicDecision(operations: readonly MemoryOperation[]): PolicyDecision {
  for (const operation of operations) Object.freeze(operation);
  return {
    operations,
    parseOutcomes: operations.map(
      (_, index): ParseOutcome => ({
        fragment: index,
        status: "parsed" as const,
        operationIndex: index,
        repairs: NO_REPAIRS,
      }),
    ),
    get rawOutput(): string {
      return operations.map((operation) => JSON.stringify(operation)).join("\n");
    },
    actionLogprob: null,
  };
}
