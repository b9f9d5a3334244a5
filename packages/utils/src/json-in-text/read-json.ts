import { balancedJsonExtent, strictJsonExtent } from "./json-extent.js";
import { skipJsonWhitespace } from "./json-lexicon.js";
import { type JsonReadResult, readLenientJson } from "./lenient-json.js";

/**
 * How many characters the cheap bracket balancer may still scan for one text. Successful values never
 * overlap, so a budget of twice the text's length covers every well-formed reply; once broken values
 * have spent it, the exact recognizer (slower per character, but never scanning past the first error)
 * takes over and keeps the whole scan linear.
 */
export interface FastScanBudget {
  remaining: number;
}

export function fastScanBudget(text: string): FastScanBudget {
  return { remaining: 2 * text.length + 4096 };
}

/**
 * Reads the JSON value that starts at `start`: strict `JSON.parse` of the value's exact slice first
 * (fast, and what `parsed` means), the lenient reader when that fails. Never throws.
 */
export function readJsonAt(text: string, start: number, budget: FastScanBudget = fastScanBudget(text)): JsonReadResult {
  const first = text.charCodeAt(start);
  if (first === 0x7b || first === 0x5b) {
    const end = strictEnd(text, start, budget);
    if (end !== -1) {
      try {
        return { ok: true, value: JSON.parse(text.slice(start, end)) as unknown, end, repairs: [] };
      } catch {
        // Not strict JSON: the lenient reader finds its own end and says what it repaired.
      }
    }
  }
  return readLenientJson(text, start);
}

/** Where a strict value at `start` would end (-1: it is not strict), by the cheapest safe means. */
function strictEnd(text: string, start: number, budget: FastScanBudget): number {
  if (budget.remaining <= 0) return strictJsonExtent(text, start);
  const found = balancedJsonExtent(text, start);
  const end = found >= 0 ? found : -found - 1;
  budget.remaining -= end - start;
  return found >= 0 ? found : -1;
}

/**
 * Reads a text that should hold exactly one JSON value (a tool call's `arguments`), allowing
 * whitespace around it. Text after the value is malformed: the value is then not what the model sent.
 */
export function readJsonText(text: string): JsonReadResult {
  try {
    return { ok: true, value: JSON.parse(text) as unknown, end: text.length, repairs: [] };
  } catch {
    // Fall through to the lenient reader.
  }
  const start = skipJsonWhitespace(text, 0);
  if (start >= text.length)
    return { ok: false, reason: "truncated", message: "no JSON value: the text is empty", end: start };
  const result = readLenientJson(text, start);
  if (!result.ok) return result;
  const after = skipJsonWhitespace(text, result.end);
  if (after < text.length) {
    return {
      ok: false,
      reason: "malformed_json",
      message: `malformed JSON at character ${after}: unexpected text after the value`,
      end: after,
    };
  }
  return result;
}
