import { HEX4, isJsonWhitespace, JSON_NUMBER } from "./json-lexicon.js";
import { MAX_JSON_DEPTH } from "./lenient-json.js";

// What the recognizer expects next: plain numeric constants rather than an enum, so that each state
// is a small integer literal in the hot loop (no enum object to look up).
/** Any value. */
const EXPECT_VALUE = 0;
/** A value or `]` (just after `[`). */
const EXPECT_VALUE_OR_END = 1;
/** A key or `}` (just after `{`). */
const EXPECT_KEY_OR_END = 2;
/** A key (after a `,` in an object). */
const EXPECT_KEY = 3;
const EXPECT_COLON = 4;
/** `,` or the container's closing bracket. */
const EXPECT_SEPARATOR = 5;

const OBJECT = 1;
const ARRAY = 2;
/** A run of string characters that need no attention: no quote, backslash or control character. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: U+0000-U+001F are the control characters that strict JSON forbids unescaped in a string, so the run must stop at them
const PLAIN_RUN = /[^"\\\u0000-\u001f]*/y;

/**
 * Where the strict JSON object or array that starts at `start` (a `{` or `[`) ends: the index after its
 * closing bracket, or -1 as soon as the text stops being strict JSON (or ends, or nests deeper than
 * the lenient reader goes).
 *
 * A recognizer, not a parser: it builds nothing, so that the exact slice can go to the native
 * `JSON.parse` (fast, and the arbiter of "strict") before the lenient reader is tried. It stops at the
 * first character `JSON.parse` would reject, so a failed attempt costs no more than the lenient reader
 * spends on the same text: scanning stays linear even when every `{` of a reply starts a broken value.
 */
export function strictJsonExtent(text: string, start: number): number {
  const stack: number[] = [];
  const length = text.length;
  let expect = EXPECT_VALUE;
  let index = start;
  while (index < length) {
    const code = text.charCodeAt(index);
    if (isJsonWhitespace(code)) {
      index++;
      continue;
    }
    switch (expect) {
      case EXPECT_VALUE_OR_END:
        if (code === 0x5d) {
          stack.pop();
          index++;
          if (stack.length === 0) return index;
          expect = EXPECT_SEPARATOR;
          continue;
        }
        expect = EXPECT_VALUE;
        continue;
      case EXPECT_VALUE:
        if (code === 0x7b || code === 0x5b) {
          if (stack.length >= MAX_JSON_DEPTH) return -1;
          stack.push(code === 0x7b ? OBJECT : ARRAY);
          expect = code === 0x7b ? EXPECT_KEY_OR_END : EXPECT_VALUE_OR_END;
          index++;
          continue;
        }
        index = scalarEnd(text, index, code);
        if (index === -1) return -1;
        expect = EXPECT_SEPARATOR;
        continue;
      case EXPECT_KEY_OR_END:
        if (code === 0x7d) {
          stack.pop();
          index++;
          if (stack.length === 0) return index;
          expect = EXPECT_SEPARATOR;
          continue;
        }
        expect = EXPECT_KEY;
        continue;
      case EXPECT_KEY:
        if (code !== 0x22) return -1;
        index = stringEnd(text, index + 1);
        if (index === -1) return -1;
        expect = EXPECT_COLON;
        continue;
      case EXPECT_COLON:
        if (code !== 0x3a) return -1;
        index++;
        expect = EXPECT_VALUE;
        continue;
      case EXPECT_SEPARATOR: {
        const container = stack[stack.length - 1];
        if (code === 0x2c) {
          index++;
          expect = container === OBJECT ? EXPECT_KEY : EXPECT_VALUE;
          continue;
        }
        if ((container === OBJECT && code === 0x7d) || (container === ARRAY && code === 0x5d)) {
          stack.pop();
          index++;
          if (stack.length === 0) return index;
          continue;
        }
        return -1;
      }
    }
  }
  return -1;
}

/** The end of a string, number or literal at `index`, or -1. */
function scalarEnd(text: string, index: number, code: number): number {
  if (code === 0x22) return stringEnd(text, index + 1);
  if (code === 0x2d || (code >= 0x30 && code <= 0x39)) {
    JSON_NUMBER.lastIndex = index;
    const match = JSON_NUMBER.exec(text);
    return match === null ? -1 : index + match[0].length;
  }
  for (const literal of ["true", "false", "null"]) {
    if (text.startsWith(literal, index)) return index + literal.length;
  }
  return -1;
}

/** The index after the `"` closing a string whose content starts at `from`, or -1 if not strict. */
function stringEnd(text: string, from: number): number {
  let index = from;
  for (;;) {
    PLAIN_RUN.lastIndex = index;
    index += PLAIN_RUN.exec(text)![0].length;
    if (index >= text.length) return -1;
    const code = text.charCodeAt(index);
    if (code === 0x22) return index + 1;
    if (code !== 0x5c) return -1;
    const escaped = text[index + 1];
    if (escaped === "u") {
      if (!HEX4.test(text.slice(index + 2, index + 6))) return -1;
      index += 6;
    } else if (escaped !== undefined && '"\\/bfnrt'.includes(escaped)) {
      index += 2;
    } else {
      return -1;
    }
  }
}

/**
 * The cheap version of {@link strictJsonExtent}: balances brackets outside double-quoted strings,
 * jumping over strings with `indexOf`, without checking the grammar. Returns the index after the
 * closing bracket; when there is none (or a single quote outside a string makes the text non-strict),
 * returns `-(stop + 1)` where `stop` is where it gave up, so the caller can charge what it scanned.
 *
 * Cheaper per character than the recognizer, but a broken value can send it to the end of the text
 * where the lenient reader would stop at once: callers give it a budget (see `readJsonAt`).
 */
export function balancedJsonExtent(text: string, start: number): number {
  let depth = 0;
  for (let index = start; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 0x22) {
      const close = closingQuote(text, index + 1);
      if (close === -1) return -(text.length + 1);
      index = close;
    } else if (code === 0x7b || code === 0x5b) {
      // Deeper than the lenient reader goes is refused the same way on every path.
      if (++depth > MAX_JSON_DEPTH) return -(index + 1);
    } else if (code === 0x7d || code === 0x5d) {
      depth--;
      if (depth <= 0) return index + 1;
    } else if (code === 0x27) {
      return -(index + 1);
    }
  }
  return -(text.length + 1);
}

/** The index of the unescaped `"` that closes a string whose content starts at `from`, or -1. */
function closingQuote(text: string, from: number): number {
  let searchFrom = from;
  for (;;) {
    const quote = text.indexOf('"', searchFrom);
    if (quote === -1) return -1;
    // The quote is escaped when an odd number of backslashes precede it (within this string).
    let backslashes = 0;
    for (let back = quote - 1; back >= from && text.charCodeAt(back) === 0x5c; back--) backslashes++;
    if (backslashes % 2 === 0) return quote;
    searchFrom = quote + 1;
  }
}
