/**
 * Mem-α's BM25 tokenizer: lowercase, then every run of Unicode word characters. Python's `\w` is
 * Unicode-aware (letters, numbers and `_`, but not combining marks), whereas JS `\w` and `\b` are
 * ASCII-only and would split "Rogério" into "rog" and "rio"; the property classes below are the JS
 * spelling of Python's `\b\w+\b`.
 */
const WORD_RUN = /[\p{L}\p{N}_]+/gu;

/** Splits text into BM25 terms exactly as Mem-α's `MemoryProcessor._tokenize` does. */
export function tokenizeForBm25(text: string): string[] {
  return text.toLowerCase().match(WORD_RUN) ?? [];
}
