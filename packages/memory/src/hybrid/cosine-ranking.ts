/**
 * Ranks candidate vectors by cosine similarity to a query vector: best first, ties by smaller key,
 * at most `limit`. Norms are computed rather than assumed, since an embedder need not
 * normalise; a zero vector has similarity 0 to everything (rather than NaN, which would not sort).
 */
export function rankByCosine(
  query: Float32Array,
  candidates: readonly { readonly key: number; readonly vector: Float32Array }[],
  limit: number,
): number[] {
  const queryNorm = norm(query);
  const scored = candidates.map(({ key, vector }) => {
    const denominator = queryNorm * norm(vector);
    return { key, similarity: denominator === 0 ? 0 : dot(query, vector) / denominator };
  });
  scored.sort((a, b) => b.similarity - a.similarity || a.key - b.key);
  return scored.slice(0, limit).map((entry) => entry.key);
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let index = 0; index < a.length; index++) sum += a[index]! * b[index]!;
  return sum;
}

function norm(vector: Float32Array): number {
  return Math.sqrt(dot(vector, vector));
}
