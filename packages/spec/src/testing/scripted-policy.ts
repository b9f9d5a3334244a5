import { type CallOptions, SPECIFICATION_VERSION } from "../call-options.js";
import { throwIfAborted } from "../errors.js";
import type { MemoryLayout } from "../memory.js";
import type { MemoryOperation } from "../operation.js";
import { type MemoryPolicy, type PolicyDecision, type PolicyInput, policyDecisionValidator } from "../policy.js";

/** One scripted step: a list of operations, or a whole decision (to script parse failures too). */
export type ScriptedStep = readonly MemoryOperation[] | PolicyDecision;

export interface ScriptedPolicy extends MemoryPolicy {
  /** Every input received, in order. */
  readonly inputs: readonly PolicyInput[];
}

/**
 * A {@link MemoryPolicy} that replays a script, one entry per step. A plain operation list becomes a
 * decision in which every operation parsed, with an action log-probability of `log(1/2)` per
 * operation from `decisions` (a fixed, recognisable value). Running past the script is an error.
 */
export function createScriptedPolicy(
  script: readonly ScriptedStep[] | ((input: PolicyInput, stepIndex: number) => ScriptedStep),
  options: { policyId?: string; layout?: MemoryLayout } = {},
): ScriptedPolicy {
  const inputs: PolicyInput[] = [];
  return {
    specificationVersion: SPECIFICATION_VERSION,
    policyId: options.policyId ?? "scripted-policy",
    layout: options.layout ?? "flat",
    inputs,
    async decide(input: PolicyInput, callOptions?: CallOptions) {
      throwIfAborted(callOptions?.signal);
      const index = inputs.length;
      inputs.push(input);
      const entry = typeof script === "function" ? script(input, index) : script[index];
      if (entry === undefined) throw new Error(`scripted policy has no entry for step ${index + 1}`);
      if (!Array.isArray(entry)) return policyDecisionValidator.parse(entry);
      const operations = entry as readonly MemoryOperation[];
      return policyDecisionValidator.parse({
        operations,
        parseOutcomes: operations.map((_operation, operationIndex) => ({
          fragment: operationIndex,
          status: "parsed",
          operationIndex,
          repairs: [],
        })),
        rawOutput: JSON.stringify(operations),
        actionLogprob: { value: operations.length * Math.log(0.5), source: "decisions", count: operations.length },
      });
    },
  };
}
