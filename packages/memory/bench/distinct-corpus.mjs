// Deterministic corpus of distinct memory-item-like documents, for BM25 benches at up to millions
// of items. The shared reference generator repeats after 6,573 documents, so it cannot measure
// scale; this one draws words from a Zipf-like vocabulary and embeds nothing artificial, and it
// checks distinctness as it goes (a set of 32-bit-pair hashes, cheap at 1M).
// Usage as a CLI: node distinct-corpus.mjs 100000 [queries] > corpus.json -> {"docs": [...], "queries": [...]}
// In process: import { generateDistinctCorpus } from "./distinct-corpus.mjs".

import { createSeededRandom } from "@finemem/utils";

const VOCABULARY_SIZE = 50_000;
const ZIPF_EXPONENT = 1.07; // English word frequencies are close to 1/rank
const MIN_WORDS = 10;
const MAX_WORDS = 40;

// Pronounceable, distinct words: the rank written in a base-15 consonant/vowel alphabet.
function makeVocabulary(size) {
  const consonants = "bcdfghklmnprstv";
  const vowels = "aeiou";
  const words = new Array(size);
  for (let rank = 0; rank < size; rank++) {
    let word = "";
    let n = rank;
    do {
      word += consonants[n % consonants.length] + vowels[Math.floor(n / consonants.length) % vowels.length];
      n = Math.floor(n / (consonants.length * vowels.length));
    } while (n > 0);
    words[rank] = word;
  }
  return words;
}

// Cumulative Zipf weights, so a draw is one binary search.
function makeZipfSampler(size, exponent, random) {
  const cumulative = new Float64Array(size);
  let total = 0;
  for (let rank = 0; rank < size; rank++) {
    total += 1 / (rank + 1) ** exponent;
    cumulative[rank] = total;
  }
  return () => {
    const target = random() * total;
    let low = 0;
    let high = size - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (cumulative[middle] < target) low = middle + 1;
      else high = middle;
    }
    return low;
  };
}

// FNV-1a in two lanes: a 53-bit-ish key, enough that a false "duplicate" at 1M is negligible.
function hashKey(text) {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return (a >>> 0) * 2097152 + ((b >>> 0) & 0x1fffff);
}

/**
 * `count` distinct documents of 10–40 words and `queryCount` queries (3–6 words) from the same
 * distribution. Same seed, same corpus. Throws if a duplicate slips through (it is redrawn first).
 */
export function generateDistinctCorpus(count, queryCount = 200, seed = 26) {
  if (!Number.isInteger(count) || count < 0) throw new TypeError(`count must be a non-negative integer, got ${count}`);
  // The project's one seeded generator, so a seed means the same draws here as everywhere else.
  const source = createSeededRandom(seed);
  const random = () => source.next();
  const vocabulary = makeVocabulary(VOCABULARY_SIZE);
  const drawRank = makeZipfSampler(VOCABULARY_SIZE, ZIPF_EXPONENT, random);
  const sentence = (minWords, maxWords) => {
    const length = minWords + Math.floor(random() * (maxWords - minWords + 1));
    const words = new Array(length);
    for (let i = 0; i < length; i++) words[i] = vocabulary[drawRank()];
    return words.join(" ");
  };
  const seen = new Set();
  const docs = new Array(count);
  let redraws = 0;
  for (let i = 0; i < count; i++) {
    let doc = sentence(MIN_WORDS, MAX_WORDS);
    while (seen.has(hashKey(doc))) {
      if (++redraws > 1000) throw new Error("distinct-corpus: too many duplicate draws; raise VOCABULARY_SIZE");
      doc = sentence(MIN_WORDS, MAX_WORDS);
    }
    seen.add(hashKey(doc));
    docs[i] = doc;
  }
  const queries = Array.from({ length: queryCount }, () => sentence(3, 6));
  return { docs, queries };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const count = Number(process.argv[2] ?? 100_000);
  const queryCount = Number(process.argv[3] ?? 200);
  process.stdout.write(JSON.stringify(generateDistinctCorpus(count, queryCount)));
}
