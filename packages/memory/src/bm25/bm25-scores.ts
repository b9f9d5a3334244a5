import { BM25_OKAPI_DEFAULTS, type Bm25Parameters } from "./bm25-index.js";
import { logOfHalfInteger } from "./precise-log.js";

/**
 * rank_bm25's `BM25Okapi(corpus).get_scores(query)` computed from scratch: one score per document of
 * `corpus` (each a token list from `tokenizeForBm25`), in corpus order. A straight transcription with
 * dictionaries and no index, kept as the reference the incremental {@link Bm25Index} is checked
 * against, and for callers that rank a one-off list of texts. An empty corpus gives `[]` (rank_bm25
 * divides by zero there).
 */
export function bm25Scores(
  corpus: readonly (readonly string[])[],
  query: readonly string[],
  parameters: Partial<Bm25Parameters> = {},
): number[] {
  const { k1, b, epsilon } = { ...BM25_OKAPI_DEFAULTS, ...parameters };
  if (corpus.length === 0) return [];
  const documentFrequency = new Map<string, number>(); // insertion order = first appearance
  const termFrequencies = corpus.map((document) => {
    const frequencies = new Map<string, number>();
    for (const token of document) frequencies.set(token, (frequencies.get(token) ?? 0) + 1);
    for (const token of frequencies.keys()) documentFrequency.set(token, (documentFrequency.get(token) ?? 0) + 1);
    return frequencies;
  });
  let totalLength = 0;
  for (const document of corpus) totalLength += document.length;
  const averageLength = totalLength / corpus.length;

  const idf = new Map<string, number>();
  let idfSum = 0;
  const negative: string[] = [];
  for (const [token, frequency] of documentFrequency) {
    const value = logOfHalfInteger(corpus.length - frequency) - logOfHalfInteger(frequency);
    idf.set(token, value);
    idfSum += value;
    if (value < 0) negative.push(token);
  }
  const floor = epsilon * (idf.size === 0 ? 0 : idfSum / idf.size);
  for (const token of negative) idf.set(token, floor);

  const scores = corpus.map(() => 0);
  for (const token of query) {
    const weight = idf.get(token) ?? 0;
    // A zero weight adds 0 to every score. Skipping it also keeps a corpus of empty documents
    // (average length 0, where rank_bm25 raises) at all-zero scores instead of NaN.
    if (weight === 0) continue;
    corpus.forEach((document, index) => {
      const tf = termFrequencies[index]!.get(token) ?? 0;
      scores[index]! += weight * ((tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * document.length) / averageLength)));
    });
  }
  return scores;
}
