import type { CallOptions, Id, MemoryStore, Namespace, ProvenancePolicy, StepWeights } from "@finemem/spec";
import { mapWithConcurrency } from "@finemem/utils";
import type { QuestionEvidence } from "./question-evidence.js";

export interface CollectStepWeightsOptions extends CallOptions {
  /** Store calls in flight at once (a database-backed store answers each over the wire). Default 8. */
  readonly concurrency?: number;
}

/**
 * φ of every item the evidence names, read from the store under `policy`. Call it on the memory the
 * questions were answered from (M_T, right after answering). An item the store never held is left out
 * of the map, so the attributor reports it (`unknown_evidence_item`, or U); a deleted item keeps the φ
 * of the versions before its DELETE, as the store computes it.
 */
export async function collectStepWeights(
  store: MemoryStore,
  namespace: Namespace,
  questions: readonly QuestionEvidence[],
  policy: ProvenancePolicy,
  options: CollectStepWeightsOptions = {},
): Promise<Map<Id, StepWeights>> {
  const itemIds = [...new Set(questions.flatMap((question) => question.items.map((item) => item.itemId)))];
  const callOptions = options.signal === undefined ? {} : { signal: options.signal };
  const found = await mapWithConcurrency(
    itemIds,
    options.concurrency ?? 8,
    async (itemId) => {
      const weights = await store.provenance(namespace, itemId, policy, callOptions);
      if (Object.keys(weights).length > 0) return weights;
      // `{}` means "no step" for a known item but also "unknown id": the history tells them apart.
      const history = await store.history(namespace, itemId, callOptions);
      return history.length === 0 ? undefined : weights;
    },
    options.signal,
  );
  const weights = new Map<Id, StepWeights>();
  itemIds.forEach((itemId, index) => {
    const value = found[index];
    if (value !== undefined) weights.set(itemId, value);
  });
  return weights;
}
