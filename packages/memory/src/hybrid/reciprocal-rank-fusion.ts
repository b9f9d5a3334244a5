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
 * With `weights`, ranking i adds `weights[i] / (k + rank)`: a weight above 1 lets that ranker's
 * choices win the close calls plain RRF leaves to chance (ranks 1 and 3 against 2 and 1).
 *
 * Keys are integers and smaller keys win ties (the retriever passes view positions, so the earlier
 * item does, as in BM25). Rankings must not list a key twice.
 */
export function reciprocalRankFusion(
  rankings: readonly (readonly number[])[],
  k: number,
  weights?: readonly number[],
): FusedHit[] {
  const scores = new Map<number, number>();
  rankings.forEach((ranking, which) => {
    // Weighted RRF: a ranking's contributions are scaled by its weight (default 1, the plain method).
    const weight = weights?.[which] ?? 1;
    ranking.forEach((key, index) => {
      scores.set(key, (scores.get(key) ?? 0) + weight / (k + index + 1));
    });
  });
  return [...scores].map(([key, score]) => ({ key, score })).sort((a, b) => b.score - a.score || a.key - b.key);
}
