/**
 * The lexical pieces of JSON that the strict recognizer, the lenient reader and the scanners that find
 * JSON in text (the manager reply parser, the chunk-QA parser) all read, defined once so that they
 * agree on what a number, a bare key or whitespace is.
 */

/** A JSON number (sticky: set `lastIndex` before `exec`). */
export const JSON_NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** The four hex digits of a `\u` escape. */
export const HEX4 = /^[0-9A-Fa-f]{4}$/;

/** An unquoted object key as models write them (sticky: set `lastIndex` before `exec`). */
const BARE_KEY = /[A-Za-z_$][\w$-]*/y;

/** The unquoted object key (an identifier, `$` and `-` allowed) starting at `at`, or undefined. */
export function matchBareKey(text: string, at: number): string | undefined {
  BARE_KEY.lastIndex = at;
  return BARE_KEY.exec(text)?.[0];
}

/** Space, tab, line feed or carriage return: the only whitespace JSON allows between tokens. */
export function isJsonWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

/** The first index in `from`..`limit` that is not JSON whitespace (`limit` when there is none). */
export function skipJsonWhitespace(text: string, from: number, limit = text.length): number {
  let index = from;
  while (index < limit && isJsonWhitespace(text.charCodeAt(index))) index++;
  return index;
}
