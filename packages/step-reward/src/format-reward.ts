import type { OperationResult, PolicyDecision, RejectionReason } from "@finemem/spec";
import { StepRewardError } from "./step-reward-error.js";

export interface FormatRewardOptions {
  /** An explicit SKIP counts as a successful call (default true; unconfirmed in the paper, Mem-α has no SKIP). */
  readonly skipSucceeds?: boolean;
}

/** r_format(t) and what it was made of. */
export interface FormatReward {
  /**
   * Successful calls / calls; 0 for a step with no call; `null` when every call met an internal
   * parser error (nothing the policy can be judged on).
   */
  readonly score: number | null;
  /** Calls counted: every parse outcome but internal errors. */
  readonly calls: number;
  readonly succeeded: number;
  /** Calls whose text did not parse or validate. */
  readonly parseFailures: number;
  /** Parsed calls the store rejected, by reason (`duplicate_insert` is Mem-α's exact-duplicate INSERT). */
  readonly rejected: Readonly<Partial<Record<RejectionReason, number>>>;
  /** SKIPs not counted as successes (only under `skipSucceeds: false`). */
  readonly skipsNotCounted: number;
  /** Fragments our reader failed on (a parser bug): counted neither for nor against the policy. */
  readonly internalErrors: number;
}

/**
 * The format reward: the share of the step's calls that parsed, validated and executed (docs/method.md §5).
 * A call is one parse outcome of the decision (one tool call, one `<tool_call>` block, one JSON
 * object); it succeeds when it became an operation that the store applied. A step with no call scores
 * 0. An `internal_error` outcome (the reader failed, not the model) is left out of the calls; a step
 * whose only calls are internal errors scores `null`, so the total lacks the format term rather than
 * charging the policy for our bug. A decision with operations but no parse outcomes (a policy with no
 * text to parse) counts each operation as one parsed call.
 *
 * @param results the store's results for `decision.operations`, in the same order
 * @throws {StepRewardError} `inconsistent_results` when results and operations do not line up
 */
export function formatReward(
  decision: Pick<PolicyDecision, "operations" | "parseOutcomes">,
  results: readonly OperationResult[],
  options: FormatRewardOptions = {},
): FormatReward {
  if (results.length !== decision.operations.length) {
    throw new StepRewardError(
      "inconsistent_results",
      `one result per operation: ${decision.operations.length} operations, ${results.length} results`,
      ["results"],
    );
  }
  const skipSucceeds = options.skipSucceeds ?? true;
  const outcomes =
    decision.parseOutcomes.length === 0
      ? decision.operations.map((_, index) => ({
          fragment: index,
          status: "parsed" as const,
          operationIndex: index,
          repairs: [],
        }))
      : decision.parseOutcomes;
  let succeeded = 0;
  let parseFailures = 0;
  let skipsNotCounted = 0;
  let internalErrors = 0;
  const rejected: Partial<Record<RejectionReason, number>> = {};
  outcomes.forEach((outcome, index) => {
    if (outcome.status === "internal_error") {
      internalErrors++;
      return;
    }
    if (outcome.status === "failed") {
      parseFailures++;
      return;
    }
    const result = results[outcome.operationIndex];
    if (result === undefined) {
      throw new StepRewardError(
        "inconsistent_results",
        `parse outcome ${index} points at operation ${outcome.operationIndex}, past the ${results.length} results`,
        ["parseOutcomes", index, "operationIndex"],
      );
    }
    if (result.status === "rejected") {
      rejected[result.reason] = (rejected[result.reason] ?? 0) + 1;
      return;
    }
    if (!skipSucceeds && decision.operations[outcome.operationIndex]!.type === "SKIP") {
      skipsNotCounted++;
      return;
    }
    succeeded++;
  });
  const calls = outcomes.length - internalErrors;
  const score = calls > 0 ? succeeded / calls : internalErrors > 0 ? null : 0;
  return { score, calls, succeeded, parseFailures, rejected, skipsNotCounted, internalErrors };
}
