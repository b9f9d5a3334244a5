import { normalizeAnswer } from "@finemem/benchmarks/python-ports";

export const DEFAULT_DUPLICATE_THRESHOLD = 0.8;

/** One question dropped as a near-duplicate of an earlier kept one. */
export interface NearDuplicate {
  /** Position of the dropped question in the input. */
  readonly index: number;
  /** Position of the kept question it repeats. */
  readonly of: number;
  readonly similarity: number;
}

export interface NearDuplicateResult<T> {
  readonly kept: readonly T[];
  readonly duplicates: readonly NearDuplicate[];
}

/**
 * Token-set Jaccard similarity of two questions after MemoryAgentBench's answer normalisation
 * (lower case, no punctuation, no articles), so "Who founded Acme?" and "who founded the acme"
 * count as the same question. Two questions that normalise to the same text are 1, even when empty.
 */
export function questionSimilarity(a: string, b: string): number {
  return jaccard(normalizeAnswer(a), normalizeAnswer(b));
}

/**
 * Drops every question whose similarity to an earlier kept question reaches `threshold`; the first of
 * a group is kept, so the order the generator wrote them in (usually the most salient first) decides.
 * Questions are compared with kept ones only: a chain a≈b≈c where a and c differ keeps a and c.
 */
export function removeNearDuplicates<T extends { readonly question: string }>(
  items: readonly T[],
  threshold = DEFAULT_DUPLICATE_THRESHOLD,
): NearDuplicateResult<T> {
  const kept: { item: T; index: number; normalized: string }[] = [];
  const duplicates: NearDuplicate[] = [];
  items.forEach((item, index) => {
    const normalized = normalizeAnswer(item.question);
    let best: { of: number; similarity: number } | undefined;
    for (const earlier of kept) {
      const similarity = jaccard(normalized, earlier.normalized);
      if (similarity >= threshold && (best === undefined || similarity > best.similarity))
        best = { of: earlier.index, similarity };
    }
    if (best === undefined) kept.push({ item, index, normalized });
    else duplicates.push({ index, ...best });
  });
  return { kept: kept.map((entry) => entry.item), duplicates };
}

function jaccard(a: string, b: string): number {
  if (a === b) return 1;
  const left = new Set(a.split(" ").filter((token) => token !== ""));
  const right = new Set(b.split(" ").filter((token) => token !== ""));
  if (left.size === 0 || right.size === 0) return 0;
  let shared = 0;
  for (const token of left) if (right.has(token)) shared++;
  return shared / (left.size + right.size - shared);
}
