import type { Id, StepWeights } from "@finemem/spec";

/** One item of a question's evidence M_j and the share of the question's credit it carries. */
export interface EvidenceShare {
  readonly itemId: Id;
  /** The item's share of the question's credit; a question's shares sum to 1. */
  readonly share: number;
}

/**
 * One scored global question and its evidence. The paper's evidence is the retrieved set with equal
 * shares 1/|M_j|; other sources (cited ids, leave-one-out) choose other sets, or other shares.
 * An empty `items` list means the question has no evidence: its score counts in r_global and in the
 * unattributed share U, never in any step's N_t.
 */
export interface QuestionEvidence {
  readonly questionId: Id;
  /** s_j ∈ [0, 1], the question's score under its dataset metric. */
  readonly score: number;
  readonly items: readonly EvidenceShare[];
}

/** φ for every item the evidence names: item id → how its credit splits over steps. */
export type StepWeightLookup = ReadonlyMap<Id, StepWeights> | Readonly<Record<Id, StepWeights>>;

/** Equal shares over `itemIds` (duplicates kept once, first occurrence first), as the paper splits credit. */
export function equalShares(itemIds: readonly Id[]): EvidenceShare[] {
  const unique = [...new Set(itemIds)];
  return unique.map((itemId) => ({ itemId, share: 1 / unique.length }));
}

export function lookupStepWeights(lookup: StepWeightLookup, itemId: Id): StepWeights | undefined {
  if (lookup instanceof Map) return lookup.get(itemId);
  return Object.hasOwn(lookup, itemId) ? (lookup as Readonly<Record<Id, StepWeights>>)[itemId] : undefined;
}
