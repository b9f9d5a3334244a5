/**
 * A deterministic, rule-based sentence splitter for long benchmark contexts.
 *
 * MemoryAgentBench chunks with NLTK's Punkt, a trained model this project cannot ship. These rules
 * cover what its contexts contain: prose, numbered fact lists ("12. The capital of X is Y."),
 * initials ("Ursula K. Le Guin"), abbreviations ("Apple Inc. is", "Washington, D.C.."), dialogue
 * turns on their own lines, and CJK punctuation. Every character of the input that is not whitespace
 * between sentences ends up in exactly one sentence, in order.
 *
 * Chunking packs these sentences into chunks, and the heuristic policy and the extractive reader read
 * chunks and memory items as these sentences: one splitter, so that a "fact" is the same unit
 * everywhere.
 */

/** One sentence and where it sits in the text (`text === source.slice(start, end)`). */
export interface SentenceSpan {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

// Words after which a period does not end a sentence. Lowercased, without the period.
const ABBREVIATIONS = new Set([
  "mr",
  "mrs",
  "ms",
  "dr",
  "prof",
  "sr",
  "jr",
  "st",
  "mt",
  "ft",
  "rev",
  "gen",
  "col",
  "lt",
  "sgt",
  "capt",
  "cmdr",
  "gov",
  "sen",
  "rep",
  "pres",
  "hon",
  "inc",
  "ltd",
  "co",
  "corp",
  "bros",
  "dept",
  "univ",
  "assn",
  "vs",
  "etc",
  "approx",
  "no",
  "nos",
  "vol",
  "vols",
  "pp",
  "fig",
  "figs",
  "ch",
  "sec",
  "ed",
  "eds",
  "est",
  "ave",
  "blvd",
  "rd",
  "jan",
  "feb",
  "mar",
  "apr",
  "jun",
  "jul",
  "aug",
  "sep",
  "sept",
  "oct",
  "nov",
  "dec",
  "cf",
  "al",
  "viz",
]);

const TERMINATORS = new Set([".", "!", "?", "。", "！", "？", "…"]);
const CLOSERS = new Set(['"', "'", ")", "]", "}", "»", "”", "’", "」", "』", "》", "）"]);
const CJK_TERMINATORS = new Set(["。", "！", "？"]);
const WORD_CHAR = /[\p{L}\p{N}_]/u;
const LOWERCASE = /\p{Ll}/u;
const WHITESPACE = /\s/u;
const LIST_MARKER = /^(?:\d{1,4}[.)]|[-*•])\s/u;

/** Splits `text` into sentences; see the module comment for the rules. */
export function splitSentences(text: string): SentenceSpan[] {
  const spans: SentenceSpan[] = [];
  let sentenceStart = skipWhitespace(text, 0);
  let i = sentenceStart;
  const push = (end: number) => {
    let trimmedEnd = end;
    while (trimmedEnd > sentenceStart && WHITESPACE.test(text[trimmedEnd - 1]!)) trimmedEnd--;
    if (trimmedEnd > sentenceStart)
      spans.push({ text: text.slice(sentenceStart, trimmedEnd), start: sentenceStart, end: trimmedEnd });
    sentenceStart = skipWhitespace(text, end);
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === "\n") {
      if (lineBreakEndsSentence(text, sentenceStart, i)) {
        push(i);
        i = sentenceStart;
        continue;
      }
      i++;
      continue;
    }
    if (!TERMINATORS.has(ch)) {
      i++;
      continue;
    }
    // A run of terminators, then closing quotes or brackets: "Really?!" or 'He said "no."'
    let end = i;
    while (end < text.length && TERMINATORS.has(text[end]!)) end++;
    while (end < text.length && CLOSERS.has(text[end]!)) end++;
    if (end >= text.length) break;
    const cjk = CJK_TERMINATORS.has(ch);
    if (!cjk && !WHITESPACE.test(text[end]!)) {
      i = end;
      continue;
    }
    if (!cjk && periodIsNotABoundary(text, sentenceStart, i, end)) {
      i = end;
      continue;
    }
    push(end);
    i = Math.max(end, sentenceStart);
  }
  push(text.length);
  return spans;
}

function skipWhitespace(text: string, from: number): number {
  let i = from;
  while (i < text.length && WHITESPACE.test(text[i]!)) i++;
  return i;
}

/**
 * A line break ends a sentence when a blank line follows (a paragraph), when the next line starts a
 * list item, or when the line itself ended in terminal punctuation. A bare wrap inside prose does not.
 */
function lineBreakEndsSentence(text: string, sentenceStart: number, newline: number): boolean {
  if (newline <= sentenceStart) return false;
  let next = newline + 1;
  while (next < text.length && text[next] !== "\n" && WHITESPACE.test(text[next]!)) next++;
  if (next >= text.length || text[next] === "\n") return true;
  if (LIST_MARKER.test(text.slice(next, next + 6))) return true;
  let last = newline - 1;
  while (last > sentenceStart && WHITESPACE.test(text[last]!)) last--;
  const lastChar = text[last]!;
  return TERMINATORS.has(lastChar) || CLOSERS.has(lastChar) || lastChar === ":";
}

/** Decides whether a terminator run at `at..end` (followed by whitespace) is not a sentence end. */
function periodIsNotABoundary(text: string, sentenceStart: number, at: number, end: number): boolean {
  if (text[at] !== "." || (end - at > 1 && text.slice(at, end).replace(/[^.!?…]/gu, "").length > 1)) {
    // "?", "!", "..." and "?!" always end a sentence when followed by space (an ellipsis mid-sentence
    // followed by a lowercase word is handled below).
    return nextWordIsLowercase(text, end);
  }
  // The word right before the period, including inner periods ("D.C", "e.g", "U.S").
  let wordStart = at;
  while (wordStart > sentenceStart && (WORD_CHAR.test(text[wordStart - 1]!) || text[wordStart - 1] === "."))
    wordStart--;
  const word = text.slice(wordStart, at);
  if (word === "") return false;
  // "12." opening a numbered line is a list marker, not a sentence.
  if (/^\d+$/u.test(word) && lineStartsAt(text, wordStart)) return true;
  // An initial: a single capital letter ("Ursula K. Le Guin").
  if (/^\p{Lu}$/u.test(word)) return true;
  // Dotted abbreviations ("U.S", "e.g", "D.C") and known ones ("Inc", "Dr").
  if (word.includes(".") && /^(?:[\p{L}]{1,2}\.)+[\p{L}]{1,2}$/u.test(word))
    return !nextStartsNewSentenceAfterAbbreviation(text, end);
  if (ABBREVIATIONS.has(word.toLowerCase())) return !nextStartsNewSentenceAfterAbbreviation(text, end);
  return nextWordIsLowercase(text, end);
}

function lineStartsAt(text: string, index: number): boolean {
  let i = index - 1;
  while (i >= 0 && text[i] !== "\n" && WHITESPACE.test(text[i]!)) i--;
  return i < 0 || text[i] === "\n";
}

function nextWordIsLowercase(text: string, from: number): boolean {
  const next = skipWhitespace(text, from);
  return next < text.length && LOWERCASE.test(text[next]!);
}

// After an abbreviation a sentence still ends at a line break or a paragraph; elsewhere it goes on
// ("Apple Inc. is", "Dr. Smith").
function nextStartsNewSentenceAfterAbbreviation(text: string, from: number): boolean {
  for (let i = from; i < text.length && WHITESPACE.test(text[i]!); i++) if (text[i] === "\n") return true;
  return false;
}
