import {
  type FastScanBudget,
  fastScanBudget,
  isFenced,
  matchBareKey,
  readJsonAt,
  skipFenceClosing,
  skipFenceOpening,
  skipJsonWhitespace,
} from "@finemem/utils";
import { type CallItem, failedItem } from "./call-item.js";
import { CALL_LIKE_FIRST_KEYS, classifyPayload } from "./classify-payload.js";
import { NextOccurrence } from "./next-occurrence.js";
import type { RepairName } from "./repairs.js";

const OPEN_TAG = "<tool_call>";
const CLOSE_TAG = "</tool_call>";
const FUNCTION_MARK = "✿FUNCTION✿";
const ARGS_MARK = "✿ARGS✿";
const RESULT_MARK = "✿RESULT✿";
const RETURN_MARK = "✿RETURN✿";

/**
 * Finds the call-like fragments in a reply's text, in order: `<tool_call>` blocks (Hermes and Qwen
 * templates), Qwen-Agent's `✿FUNCTION✿`/`✿ARGS✿` blocks, and JSON in prose that looks like a call.
 *
 * One left-to-right pass. Each block or JSON value is read JSON-aware (by `@finemem/utils`' JSON-in-text
 * reader: the strict slice first, then the lenient reader), so content that quotes
 * `</tool_call>` or `✿FUNCTION✿` stays content, and scanning resumes after what was read: the whole pass
 * is linear in the text (no backtracking regular expressions; the searches for the next tag remember
 * their answers).
 */
export function scanText(text: string, toolNames: ReadonlySet<string>): CallItem[] {
  return new TextScanner(text, toolNames).run();
}

class TextScanner {
  readonly #items: CallItem[] = [];
  readonly #openTags: NextOccurrence;
  readonly #closeTags: NextOccurrence;
  readonly #functionMarks: NextOccurrence;
  readonly #returnMarks: NextOccurrence;
  readonly #budget: FastScanBudget;

  constructor(
    private readonly text: string,
    private readonly toolNames: ReadonlySet<string>,
  ) {
    this.#openTags = new NextOccurrence(text, OPEN_TAG);
    this.#closeTags = new NextOccurrence(text, CLOSE_TAG);
    this.#functionMarks = new NextOccurrence(text, FUNCTION_MARK);
    this.#returnMarks = new NextOccurrence(text, RETURN_MARK);
    this.#budget = fastScanBudget(text);
  }

  run(): CallItem[] {
    const { text } = this;
    const starts = /<tool_call>|✿FUNCTION✿|[{[]/g;
    let position = 0;
    while (position < text.length) {
      starts.lastIndex = position;
      const match = starts.exec(text);
      if (match === null) break;
      const at = match.index;
      const next =
        match[0] === OPEN_TAG ? this.block(at) : match[0] === FUNCTION_MARK ? this.qwenAgent(at) : this.prose(at);
      position = Math.max(next, at + 1);
    }
    return this.#items;
  }

  /** A `<tool_call>` block at `at`; returns where scanning goes on. */
  private block(at: number): number {
    const { text } = this;
    const contentStart = at + OPEN_TAG.length;
    const afterSpace = skipJsonWhitespace(text, contentStart);
    const jsonAt = skipFenceOpening(text, afterSpace);
    const fenced = jsonAt !== afterSpace;
    if (jsonAt >= text.length) {
      this.fail("truncated", "the reply ends inside a <tool_call> block, before its JSON");
      return text.length;
    }
    const first = text[jsonAt];
    if (first !== "{" && first !== "[") {
      this.fail(
        "malformed_json",
        `a <tool_call> block must hold a JSON object, found ${JSON.stringify(text.slice(jsonAt, jsonAt + 20))}`,
      );
      return this.afterBrokenBlock(contentStart, jsonAt);
    }
    const result = readJsonAt(text, jsonAt, this.#budget);
    if (!result.ok) {
      const close = this.#closeTags.find(contentStart);
      if (result.reason === "truncated" && close !== -1) {
        // The block was closed: its JSON did not run into the end of the output, it never ended.
        this.fail(
          "malformed_json",
          `the JSON of a <tool_call> block does not end before ${CLOSE_TAG} (an unclosed string or bracket)`,
        );
        return this.afterBrokenBlock(contentStart, close);
      }
      this.fail(result.reason, result.message);
      return result.reason === "truncated" ? text.length : this.afterBrokenBlock(contentStart, result.end);
    }
    const afterJson = fenced ? skipFenceClosing(text, result.end) : result.end;
    const closeAt = skipJsonWhitespace(text, afterJson);
    const closedHere = text.startsWith(CLOSE_TAG, closeAt);
    // Text between the JSON and a later </tool_call> (a second call, a remark) does not make the block
    // unclosed: scanning goes on right after the JSON and reads it like prose.
    const closed = closedHere || this.closesBeforeNextBlock(afterJson);
    const repairs: RepairName[] = [
      ...(fenced ? (["code_fence"] as const) : []),
      ...result.repairs,
      ...(closed ? [] : (["unclosed_tag"] as const)),
    ];
    this.push(classifyPayload(result.value, "block", this.toolNames, repairs));
    return closedHere ? closeAt + CLOSE_TAG.length : afterJson;
  }

  /** True when a `</tool_call>` comes after `from` and before the next `<tool_call>`. */
  private closesBeforeNextBlock(from: number): boolean {
    const close = this.#closeTags.find(from);
    if (close === -1) return false;
    const nextOpen = this.#openTags.find(from);
    return nextOpen === -1 || close < nextOpen;
  }

  /**
   * Where to go on after a block whose JSON could not be read: after its `</tool_call>` when one comes
   * before the next `<tool_call>`; otherwise where reading stopped, but never past the next block.
   */
  private afterBrokenBlock(contentStart: number, stoppedAt: number): number {
    const close = this.#closeTags.find(contentStart);
    const nextOpen = this.#openTags.find(contentStart);
    if (close !== -1 && (nextOpen === -1 || close < nextOpen)) return close + CLOSE_TAG.length;
    const resume = Math.max(stoppedAt, contentStart);
    return nextOpen === -1 ? resume : Math.min(resume, nextOpen);
  }

  /** A Qwen-Agent block: `✿FUNCTION✿: name`, then `✿ARGS✿: {json}`, then optional result lines. */
  private qwenAgent(at: number): number {
    const { text } = this;
    let position = skipColon(text, at + FUNCTION_MARK.length);
    const nameStart = position;
    while (position < text.length) {
      const char = text[position];
      if (char === "\n" || char === "\r" || char === "✿") break;
      position++;
    }
    const name = text.slice(nameStart, position).trim();
    const nameEnd = position;
    const argsAt = skipJsonWhitespace(text, nameEnd);
    if (!text.startsWith(ARGS_MARK, argsAt)) {
      if (argsAt >= text.length) {
        this.fail("truncated", `the reply ends after ✿FUNCTION✿: ${name.slice(0, 80)}, before its ✿ARGS✿`);
        return text.length;
      }
      this.fail("malformed_json", `✿FUNCTION✿: ${name.slice(0, 80)} is not followed by ✿ARGS✿`);
      return nameEnd;
    }
    const valueAt = skipJsonWhitespace(text, skipColon(text, argsAt + ARGS_MARK.length));
    const jsonAt = skipFenceOpening(text, valueAt);
    const fenced = jsonAt !== valueAt;
    if (jsonAt >= text.length) {
      this.fail("truncated", "the reply ends after ✿ARGS✿, before its JSON");
      return text.length;
    }
    if (!"{[\"'".includes(text[jsonAt]!)) {
      this.fail(
        "malformed_json",
        `✿ARGS✿ must be followed by a JSON object, found ${JSON.stringify(text.slice(jsonAt, jsonAt + 20))}`,
      );
      return jsonAt;
    }
    const result = readJsonAt(text, jsonAt, this.#budget);
    if (!result.ok) {
      this.fail(result.reason, result.message);
      return this.beforeNextTag(at, result.reason === "truncated" ? text.length : Math.max(result.end, jsonAt + 1));
    }
    const repairs: RepairName[] = [...(fenced ? (["code_fence"] as const) : []), ...result.repairs];
    this.#items.push({
      kind: "tool",
      name,
      arguments: { present: true, value: result.value, textIsNative: false },
      repairs,
    });
    return this.skipResultLines(fenced ? skipFenceClosing(text, result.end) : result.end);
  }

  /**
   * Qwen-Agent writes the tool's output after a call (`✿RESULT✿: ...`) and then the model's answer
   * (`✿RETURN✿: ...`). A result is not the model's writing, so it is skipped up to the next
   * `✿RETURN✿` or `✿FUNCTION✿`; the answer after `✿RETURN✿` is prose like any other.
   */
  private skipResultLines(from: number): number {
    const { text } = this;
    let position = skipJsonWhitespace(text, from);
    if (text.startsWith(RESULT_MARK, position)) {
      const ends = [this.#returnMarks.find(position), this.#functionMarks.find(position)].filter(
        (index) => index !== -1,
      );
      position = ends.length === 0 ? text.length : Math.min(...ends);
    } else if (!text.startsWith(RETURN_MARK, position)) {
      return from;
    }
    return text.startsWith(RETURN_MARK, position) ? skipColon(text, position + RETURN_MARK.length) : position;
  }

  /** JSON in prose at `at` (a `{` or `[`): a fragment only when it looks like a call. */
  private prose(at: number): number {
    const { text } = this;
    const firstKey = candidateKey(text, at);
    if (firstKey === undefined) return at + 1;
    const result = readJsonAt(text, at, this.#budget);
    if (result.ok) {
      const repairs: readonly RepairName[] = isFenced(text, at, result.end)
        ? ["code_fence", ...result.repairs]
        : result.repairs;
      const items = classifyPayload(result.value, "prose", this.toolNames, repairs);
      if (items !== undefined) this.push(items);
      return result.end;
    }
    if (CALL_LIKE_FIRST_KEYS.has(firstKey)) this.fail(result.reason, result.message);
    return this.beforeNextTag(at, Math.max(result.end, at + 1));
  }

  /** `resume`, or the next `<tool_call>` or `✿FUNCTION✿` after `at` when that comes first. */
  private beforeNextTag(at: number, resume: number): number {
    let next = resume;
    const open = this.#openTags.find(at + 1);
    if (open !== -1 && open < next) next = open;
    const mark = this.#functionMarks.find(at + 1);
    if (mark !== -1 && mark < next) next = mark;
    return next;
  }

  private push(items: readonly CallItem[] | undefined): void {
    if (items !== undefined) for (const item of items) this.#items.push(item);
  }

  private fail(reason: "truncated" | "malformed_json", message: string): void {
    this.#items.push(failedItem(reason, message));
  }
}

/**
 * The first key of what looks like a JSON object at `at` — a `{` (or a `[` then a `{`), optional
 * whitespace, a key in double or single quotes or a bare identifier, optional whitespace, `:` — or
 * undefined. Prose such as `{like this}` or `[1, 2]` is not a candidate. Each check reads only up to the
 * next quote of its kind or the end of an identifier, so checking every brace stays linear.
 */
export function candidateKey(text: string, at: number): string | undefined {
  let position = at;
  if (text[position] === "[") {
    position = skipJsonWhitespace(text, position + 1);
    if (text[position] !== "{") return undefined;
  }
  position = skipJsonWhitespace(text, position + 1);
  const quote = text[position];
  let key: string;
  if (quote === '"' || quote === "'") {
    let index = position + 1;
    for (;;) {
      if (index >= text.length) return undefined;
      const char = text[index];
      if (char === quote) break;
      if (char === "\n") return undefined;
      index += char === "\\" ? 2 : 1;
    }
    key = text.slice(position + 1, index);
    position = index + 1;
  } else {
    const bare = matchBareKey(text, position);
    if (bare === undefined) return undefined;
    key = bare;
    position += key.length;
  }
  position = skipJsonWhitespace(text, position);
  return text[position] === ":" ? key : undefined;
}

/** Skips spaces and tabs, then one optional `:`, then spaces and tabs. */
function skipColon(text: string, from: number): number {
  let position = from;
  while (text[position] === " " || text[position] === "\t") position++;
  if (text[position] === ":") position++;
  while (text[position] === " " || text[position] === "\t") position++;
  return position;
}
