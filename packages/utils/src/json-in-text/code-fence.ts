/**
 * Markdown code fences (```json … ```) that models put around JSON even when told not to. Readers look
 * through them: the manager reply parser skips a fence around a value it reads (and records the repair
 * `code_fence`), the chunk-QA parser reads each fence's body before the rest of the reply.
 */

import { isJsonWhitespace, skipJsonWhitespace } from "./json-lexicon.js";

const FENCE = "```";
const LANGUAGE = /[A-Za-z0-9_+.-]*/y;
/** How far back to look for a fence's opening line before a JSON value (whitespace included). */
const LOOK_BEHIND = 64;

/**
 * When a fence opens at `at` (``` plus an optional language tag), the index after it and the whitespace
 * that follows; otherwise `at`.
 */
export function skipFenceOpening(text: string, at: number): number {
  if (!text.startsWith(FENCE, at)) return at;
  LANGUAGE.lastIndex = at + FENCE.length;
  const language = LANGUAGE.exec(text);
  return skipJsonWhitespace(text, at + FENCE.length + (language?.[0].length ?? 0));
}

/** When a fence closes at `at` (after optional whitespace), the index after it; otherwise `at`. */
export function skipFenceClosing(text: string, at: number): number {
  const fence = skipJsonWhitespace(text, at);
  return text.startsWith(FENCE, fence) ? fence + FENCE.length : at;
}

/**
 * True when the JSON value spanning `start`..`end` of prose sits inside a fence: ``` (with an optional
 * language tag) just before it and ``` just after it, whitespace aside.
 */
export function isFenced(text: string, start: number, end: number): boolean {
  let before = start;
  const stop = Math.max(0, start - LOOK_BEHIND);
  while (before > stop && isJsonWhitespace(text.charCodeAt(before - 1))) before--;
  while (before > stop && isLanguageChar(text.charCodeAt(before - 1))) before--;
  if (before < FENCE.length || !text.startsWith(FENCE, before - FENCE.length)) return false;
  return skipFenceClosing(text, end) !== end;
}

function isLanguageChar(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a) ||
    code === 0x5f ||
    code === 0x2b ||
    code === 0x2e ||
    code === 0x2d
  );
}

/**
 * The body of every Markdown code fence, in order: after ``` and its info string (up to a line break
 * or a backtick) and the line break, up to the next ``` (an unclosed final fence runs to the end).
 * Blank bodies are left out. Linear: each fence is found with one search.
 */
export function fencedBlocks(text: string): string[] {
  const blocks: string[] = [];
  let open = text.indexOf(FENCE);
  while (open !== -1) {
    let bodyStart = open + FENCE.length;
    while (bodyStart < text.length && text[bodyStart] !== "\n" && text[bodyStart] !== "`") bodyStart++;
    if (text[bodyStart] === "\n") bodyStart++;
    const close = text.indexOf(FENCE, bodyStart);
    const body = text.slice(bodyStart, close === -1 ? text.length : close);
    if (body.trim() !== "") blocks.push(body);
    if (close === -1) break;
    open = text.indexOf(FENCE, close + FENCE.length);
  }
  return blocks;
}
