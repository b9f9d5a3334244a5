/** One fused result: the key the rankings used and its reciprocal-rank-fusion score. */
export interface FusedHit {
  readonly key: number;
  readonly score: number;
}

/**
 * Reciprocal rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009): each ranking adds `1 / (k + rank)`
 * (rank 1-based) to every key it lists. Only ranks are used, never the rankers' scores, so BM25 scores
 * and cosine similarities need no common scale. A key absent from a ranking gets nothing from it.
 *
 * Keys are integers and smaller keys win ties (the retriever passes view positions, so the earlier
 * item does, as in BM25). Rankings must not list a key twice.
 */
export function reciprocalRankFusion(rankings: readonly (readonly number[])[], k: number): FusedHit[] {
  const scores = new Map<number, number>();
  for (const ranking of rankings) {
    ranking.forEach((key, index) => scores.set(key, (scores.get(key) ?? 0) + 1 / (k + index + 1)));
  }
  return [...scores].map(([key, score]) => ({ key, score })).sort((a, b) => b.score - a.score || a.key - b.key);
}
