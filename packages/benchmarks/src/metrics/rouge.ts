/**
 * ROUGE-L and ROUGE-Lsum as Google's `rouge_score` computes them with `use_stemmer=True`, the scorer
 * behind MemoryAgentBench's `rougeL_*` / `rougeLsum_*` figures. Scores are bit-identical to the
 * original: the same tokens, the same LCS tie-breaking and the same float operation order.
 */
import { porterStem } from "./porter-stemmer.js";

/** Precision, recall and F-measure, as `rouge_score.scoring.Score`. */
export interface RougeScore {
  readonly precision: number;
  readonly recall: number;
  readonly fmeasure: number;
}

/** Both LCS-based ROUGE variants for one (target, prediction) pair. */
export interface RougeLScores {
  readonly rougeL: RougeScore;
  readonly rougeLsum: RougeScore;
}

const ZERO: RougeScore = { precision: 0, recall: 0, fmeasure: 0 };
const NON_ALPHANUMERIC = /[^a-z0-9]+/g;
const VALID_TOKEN = /^[a-z0-9]+$/;

/**
 * `rouge_score`'s default tokenizer: lowercase, every run outside [a-z0-9] becomes a space (so
 * "Rogério" is two tokens, "rog" and "rio"), tokens longer than three characters are Porter-stemmed.
 */
export function rougeTokenize(text: string): string[] {
  const tokens = text.toLowerCase().replace(NON_ALPHANUMERIC, " ").split(/\s+/);
  return tokens
    .map((token) => (token.length > 3 ? porterStem(token) : token))
    .filter((token) => VALID_TOKEN.test(token));
}

/** `rouge_score.scoring.fmeasure`: the harmonic mean, 0 when both are 0. */
export function rougeFmeasure(precision: number, recall: number): number {
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}

/** ROUGE-L and ROUGE-Lsum of `prediction` against `target` (argument order as `RougeScorer.score`). */
export function rougeLScores(target: string, prediction: string): RougeLScores {
  return { rougeL: rougeL(target, prediction), rougeLsum: rougeLsum(target, prediction) };
}

/** ROUGE-L: the longest common subsequence of the two token lists. */
export function rougeL(target: string, prediction: string): RougeScore {
  return scoreLcs(rougeTokenize(target), rougeTokenize(prediction));
}

/**
 * ROUGE-Lsum: summary-level LCS over the newline-separated sentences of each side (empty lines
 * dropped), counting each token at most as often as it occurs on both sides (ROUGE 1.5.5).
 */
export function rougeLsum(target: string, prediction: string): RougeScore {
  const sentences = (text: string) => text.split("\n").filter((sentence) => sentence.length > 0);
  return summaryLevelLcs(sentences(target).map(rougeTokenize), sentences(prediction).map(rougeTokenize));
}

function scoreLcs(target: readonly string[], prediction: readonly string[]): RougeScore {
  if (target.length === 0 || prediction.length === 0) return ZERO;
  const table = lcsTable(target, prediction);
  const length = table[target.length]![prediction.length]!;
  const precision = length / prediction.length;
  const recall = length / target.length;
  return { precision, recall, fmeasure: rougeFmeasure(precision, recall) };
}

function lcsTable(ref: readonly string[], can: readonly string[]): number[][] {
  const table = Array.from({ length: ref.length + 1 }, () => new Array<number>(can.length + 1).fill(0));
  for (let i = 1; i <= ref.length; i += 1) {
    const row = table[i]!;
    const previous = table[i - 1]!;
    for (let j = 1; j <= can.length; j += 1) {
      row[j] = ref[i - 1] === can[j - 1] ? previous[j - 1]! + 1 : Math.max(previous[j]!, row[j - 1]!);
    }
  }
  return table;
}

/** The indices into `ref` of one LCS, read back with `rouge_score`'s tie-breaking (which decides which tokens the union counts). */
function lcsIndices(ref: readonly string[], can: readonly string[]): number[] {
  const table = lcsTable(ref, can);
  const indices: number[] = [];
  let i = ref.length;
  let j = can.length;
  while (i > 0 && j > 0) {
    if (ref[i - 1] === can[j - 1]) {
      indices.push(i - 1);
      i -= 1;
      j -= 1;
    } else if (table[i]![j - 1]! > table[i - 1]![j]!) j -= 1;
    else i -= 1;
  }
  return indices.reverse();
}

function summaryLevelLcs(
  refSentences: readonly (readonly string[])[],
  canSentences: readonly (readonly string[])[],
): RougeScore {
  if (refSentences.length === 0 || canSentences.length === 0) return ZERO;
  const m = refSentences.reduce((total, sentence) => total + sentence.length, 0);
  const n = canSentences.reduce((total, sentence) => total + sentence.length, 0);
  if (m === 0 || n === 0) return ZERO;

  const refCounts = countTokens(refSentences);
  const canCounts = countTokens(canSentences);
  let hits = 0;
  for (const ref of refSentences) {
    const union = new Set<number>();
    for (const can of canSentences) for (const index of lcsIndices(ref, can)) union.add(index);
    for (const index of [...union].sort((a, b) => a - b)) {
      const token = ref[index]!;
      const inCandidate = canCounts.get(token) ?? 0;
      const inReference = refCounts.get(token) ?? 0;
      if (inCandidate > 0 && inReference > 0) {
        hits += 1;
        canCounts.set(token, inCandidate - 1);
        refCounts.set(token, inReference - 1);
      }
    }
  }
  const recall = hits / m;
  const precision = hits / n;
  return { precision, recall, fmeasure: rougeFmeasure(precision, recall) };
}

function countTokens(sentences: readonly (readonly string[])[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const sentence of sentences) for (const token of sentence) counts.set(token, (counts.get(token) ?? 0) + 1);
  return counts;
}
