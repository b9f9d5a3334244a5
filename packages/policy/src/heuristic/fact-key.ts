import { tokenizeForBm25 } from "@finemem/memory";

/**
 * What a sentence is about, read without a model: its SUBJECT (the longest run of capitalised words,
 * e.g. "Dalmira Larkspire" or "Calvex Dynamics") and its RELATION words (the remaining content words,
 * lowercased: "job", "title", "jeweller"). Two sentences with the same subject whose relation words
 * overlap state the same kind of fact, so the later one replaces the earlier.
 */
export interface FactKey {
  /** Lowercased; `undefined` when the sentence names nothing. */
  readonly subject: string | undefined;
  /**
   * Distinct, in first-seen order. An array, not a set: a sentence has a handful of relation words,
   * and the heuristic keeps one key per stored fact, so a set's hash table per fact would be most of
   * the policy's memory on a large context (about 150 bytes a fact against 40).
   */
  readonly relation: readonly string[];
}

// Words that never tell two relations apart: articles, pronouns, auxiliaries and prepositions, plus
// the verbs and adverbs English uses to announce that something CHANGED ("became", "now",
// "recently"). The latter appear in restatements of any attribute, so counting them would pair a new
// CEO with the item about the best-selling product because both "became" something "recently".
const STOP_WORDS = new Set([
  "a",
  "an",
  "the",
  "this",
  "that",
  "these",
  "those",
  "of",
  "in",
  "on",
  "at",
  "to",
  "for",
  "from",
  "by",
  "with",
  "as",
  "into",
  "out",
  "over",
  "and",
  "or",
  "but",
  "is",
  "are",
  "was",
  "were",
  "be",
  "been",
  "being",
  "am",
  "has",
  "have",
  "had",
  "do",
  "does",
  "did",
  "s",
  "it",
  "its",
  "he",
  "she",
  "his",
  "her",
  "their",
  "they",
  "them",
  "we",
  "our",
  "you",
  "your",
  "i",
  "my",
  "me",
  "now",
  "recently",
  "just",
  "currently",
  "already",
  "still",
  "also",
  "again",
  "newly",
  "new",
  "today",
  "lately",
  "then",
  "became",
  "become",
  "becomes",
  "becoming",
  "changed",
  "change",
  "changes",
  "switched",
  "moved",
  "got",
  "gets",
  "took",
  "made",
]);

// Capitalised words that open sentences without naming anything.
const SENTENCE_OPENERS = new Set([
  "The",
  "A",
  "An",
  "This",
  "That",
  "These",
  "Those",
  "It",
  "He",
  "She",
  "They",
  "We",
  "I",
  "On",
  "In",
  "At",
  "After",
  "Before",
  "When",
  "Then",
  "There",
]);

const WORD = /[\p{L}\p{N}_][\p{L}\p{N}_'’-]*/gu;
const CAPITALISED = /^\p{Lu}/u;
const POSSESSIVE = /(?:'s|’s|'|’)$/u;

export function factKeyOf(sentence: string): FactKey {
  const words = [...sentence.matchAll(WORD)].map((match) => match[0]);
  const runs: string[][] = [];
  let current: string[] = [];
  words.forEach((word, index) => {
    const capitalised = CAPITALISED.test(word) && !(index === 0 && SENTENCE_OPENERS.has(word));
    if (capitalised) {
      const bare = word.replace(POSSESSIVE, "");
      current.push(bare);
      // A possessive ends the name: "Ada Lovelace's Analytical Engine" names two things.
      if (bare !== word) {
        runs.push(current);
        current = [];
      }
    } else if (current.length > 0) {
      runs.push(current);
      current = [];
    }
  });
  if (current.length > 0) runs.push(current);
  // The longest name is the subject: entities have full names, values are usually one word.
  const subjectRun = runs.reduce<string[] | undefined>(
    (best, run) => (best === undefined || run.length > best.length ? run : best),
    undefined,
  );
  const subjectTokens = new Set(tokenizeForBm25((subjectRun ?? []).join(" ")));
  const relation = [
    ...new Set(tokenizeForBm25(sentence).filter((token) => !STOP_WORDS.has(token) && !subjectTokens.has(token))),
  ];
  return { subject: subjectRun?.join(" ").toLowerCase(), relation };
}

/** How many relation words two keys share (0 when the subjects differ or either has none). */
export function relationOverlap(a: FactKey, b: FactKey): number {
  if (a.subject === undefined || a.subject !== b.subject) return 0;
  let shared = 0;
  for (const word of a.relation) if (b.relation.includes(word)) shared += 1;
  return shared;
}
