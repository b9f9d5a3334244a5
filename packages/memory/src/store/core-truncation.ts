import type { TokenCounter } from "@finemem/spec";

/** Appended to a core paragraph that was cut to fit its token cap, so readers know text is missing. */
export const TRUNCATION_MARKER = " [truncated]";

/**
 * The longest prefix of `text` (cut at a code point, trailing space dropped) that, with
 * {@link TRUNCATION_MARKER} appended, fits in `cap` tokens. Works with any token counter by binary
 * search over prefixes, so it needs no decoder.
 */
export function truncateToTokens(text: string, cap: number, counter: TokenCounter): string {
  if (counter.count(text) <= cap) return text;
  const codePoints = Array.from(text);
  let low = 0;
  let high = codePoints.length;
  // Invariant: a prefix of `low` code points fits, one of `high` does not (or is the whole text).
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    const candidate = codePoints.slice(0, middle).join("").trimEnd() + TRUNCATION_MARKER;
    if (counter.count(candidate) <= cap) low = middle;
    else high = middle - 1;
  }
  return codePoints.slice(0, low).join("").trimEnd() + TRUNCATION_MARKER;
}
