import { contentTerms } from "@finemem/utils";

/**
 * What a statement in a conversation is about, read without a model:
 * - its SUBJECTS: "speaker" when it says I / me, "my <word>" for each thing of the speaker's it names
 *   ("my dog", "my sister"), and each capitalised name that does not open the sentence ("Anna",
 *   "Leeds"); two statements can only be about the same fact if they share one;
 * - its TERMS: its content words (`contentTerms`), names and values included.
 */
export interface StatementKey {
  readonly subjects: ReadonlySet<string>;
  readonly terms: ReadonlySet<string>;
}

const FIRST_PERSON = /(?:^|[^\p{L}'’])(?:i|i['’]m|i['’]ve|i['’]d|i['’]ll|me|myself)(?=$|[^\p{L}'’])/iu;
const MY_THING = /(?:^|[^\p{L}])my\s+(\p{L}+)/giu;
const NAME = /[\p{Lu}][\p{L}'’-]*/gu;

export function statementKey(sentence: string): StatementKey {
  const subjects = new Set<string>();
  if (FIRST_PERSON.test(sentence)) subjects.add("speaker");
  for (const match of sentence.matchAll(MY_THING)) subjects.add(`my ${match[1]!.toLowerCase()}`);
  for (const match of sentence.matchAll(NAME)) {
    if (match.index === 0) continue; // English capitalises the first word of every sentence
    const word = match[0].replace(/['’]s$/u, "");
    if (word === "I" || /^I['’]/u.test(word)) continue;
    subjects.add(word.toLowerCase());
  }
  return { subjects, terms: new Set(contentTerms(sentence)) };
}

/**
 * How strongly `restated` restates the fact of `stored` (0: not at all): they share a subject and a
 * content word, and `stored` has few words `restated` lacks (its old value: one word, or up to half of
 * its words for a value of several words such as "with oat milk"). The score is the number of shared
 * words, so the closest statement wins.
 */
export function restatementScore(stored: StatementKey, restated: StatementKey): number {
  let sharesSubject = false;
  for (const subject of stored.subjects) if (restated.subjects.has(subject)) sharesSubject = true;
  if (!sharesSubject) return 0;
  let shared = 0;
  for (const term of stored.terms) if (restated.terms.has(term)) shared++;
  const missing = stored.terms.size - shared;
  if (shared === 0 || missing > Math.max(1, Math.floor(stored.terms.size / 2))) return 0;
  return shared;
}
