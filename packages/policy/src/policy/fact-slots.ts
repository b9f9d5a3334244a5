/**
 * A fact the memory will hold after a step of a rule-based policy: an item already stored, or one the
 * step inserts. The heuristic and the conversational policy both match each new sentence to a slot and
 * rewrite it, so that one step never writes two versions of a fact.
 */
export interface FactSlot<Key> {
  readonly target:
    | { readonly kind: "stored"; readonly id: string }
    | { readonly kind: "inserted"; readonly index: number };
  key: Key;
  /** When the slot last changed: later wins ties, as the most recent statement of a fact should. */
  recency: number;
}

/** The slot with the highest positive score (0 or less: no match); ties go to the most recently written. */
export function bestScoringSlot<Slot extends { readonly recency: number }>(
  slots: readonly Slot[],
  scoreOf: (slot: Slot) => number,
): Slot | undefined {
  let best: Slot | undefined;
  let bestScore = 0;
  for (const slot of slots) {
    const score = scoreOf(slot);
    if (score > bestScore || (score > 0 && score === bestScore && best !== undefined && slot.recency > best.recency)) {
      best = slot;
      bestScore = score;
    }
  }
  return best;
}
