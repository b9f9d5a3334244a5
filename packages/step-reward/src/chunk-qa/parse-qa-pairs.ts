import { normalizeAnswer } from "@finemem/benchmarks/python-ports";
import { fastScanBudget, fencedBlocks, readJsonAt, readJsonText } from "@finemem/utils";

/** A question with its short answer, as the generator wrote it (trimmed). */
export interface QaPair {
  readonly question: string;
  readonly answer: string;
}

/**
 * Why a reply held no readable list of pairs:
 * - `empty_reply`: nothing after the thinking, or only whitespace;
 * - `no_json`: no JSON object or array anywhere;
 * - `invalid_json`: brackets were there but no JSON was read from them, even with the reader's repairs (and no whole pair could be salvaged);
 * - `wrong_shape`: JSON parsed, but holds no list of question-answer objects.
 */
export type QaReplyProblemKind = "empty_reply" | "no_json" | "invalid_json" | "wrong_shape";

export interface QaReplyProblem {
  readonly kind: QaReplyProblemKind;
  readonly message: string;
}

/**
 * Why one entry of a readable list was dropped. `unusable_answer` is an answer with nothing left
 * after MemoryAgentBench's normalisation ("the", "!") or "unknown": the substring metric would mark
 * any reply correct against it, so it could never tell remembering from forgetting.
 */
export type DroppedPairReason =
  | "not_a_pair"
  | "empty_question"
  | "empty_answer"
  | "question_too_long"
  | "answer_too_long"
  | "unusable_answer";

export interface DroppedPair {
  /** 0-based position in the reply's list. */
  readonly index: number;
  readonly reason: DroppedPairReason;
}

export interface ParsedQaPairs {
  readonly pairs: readonly QaPair[];
  readonly dropped: readonly DroppedPair[];
  /** null when a list was read (even an empty one, or one whose every entry was dropped). */
  readonly problem: QaReplyProblem | null;
  /** True when no whole JSON value parsed and the pairs were picked out one object at a time (a reply cut off mid-list). */
  readonly salvaged: boolean;
}

export interface ParseQaPairsOptions {
  /** Longest question kept, in UTF-16 units. Default 300. */
  readonly maxQuestionChars?: number;
  /** Longest answer kept, in UTF-16 units. Default 100: answers are meant to be short spans. */
  readonly maxAnswerChars?: number;
}

export const DEFAULT_MAX_QUESTION_CHARS = 300;
export const DEFAULT_MAX_ANSWER_CHARS = 100;

// Trying every bracket of a long garbage reply would be quadratic; real replies open their JSON early.
const MAX_JSON_STARTS = 200;

/**
 * Reads the generator's reply: `{"pairs": [...]}`, a bare array of pairs, pair objects one after another, inside
 * code fences or prose, after a `</think>`. Values are read by `@finemem/utils`' JSON-in-text reader
 * (the same one that reads manager replies): strict JSON first, then the lenient reader, which repairs
 * what small models get wrong (trailing commas, single quotes, unquoted keys, Python literals, raw
 * newlines in strings, stray escapes). Never throws: a reply with no readable list gives no pairs and
 * a typed problem, which the builder turns into a retry.
 */
export function parseQaPairs(reply: string, options: ParseQaPairsOptions = {}): ParsedQaPairs {
  const limits = {
    question: options.maxQuestionChars ?? DEFAULT_MAX_QUESTION_CHARS,
    answer: options.maxAnswerChars ?? DEFAULT_MAX_ANSWER_CHARS,
  };
  const thinkEnd = reply.lastIndexOf("</think>");
  const text = (thinkEnd === -1 ? reply : reply.slice(thinkEnd + "</think>".length)).trim();
  if (text === "") return failed("empty_reply", "the reply has no text after its thinking");
  // A reply cut off by the token limit while still thinking holds no answer, whatever it mused about.
  if (thinkEnd === -1 && text.startsWith("<think>"))
    return failed("empty_reply", "the reply ends inside its thinking (raise maxTokens?)");

  let sawJson = false;
  let sawBrackets = false;
  for (const candidate of [...fencedBlocks(text), text]) {
    const found = findPairList(candidate);
    sawJson ||= found.sawJson;
    sawBrackets ||= found.sawBrackets;
    if (found.list !== undefined) return { ...checkPairs(found.list, limits), problem: null, salvaged: false };
  }

  const salvaged = salvagePairObjects(text);
  if (salvaged.length > 0) return { ...checkPairs(salvaged, limits), problem: null, salvaged: true };
  if (sawJson) return failed("wrong_shape", 'the JSON holds no list of {"question", "answer"} objects');
  if (sawBrackets) return failed("invalid_json", "the reply's JSON does not parse");
  return failed("no_json", "the reply holds no JSON");
}

function failed(kind: QaReplyProblemKind, message: string): ParsedQaPairs {
  return { pairs: [], dropped: [], problem: { kind, message }, salvaged: false };
}

/** The first JSON value in `text` (whole, or opening at a bracket) that holds a list of pairs. */
function findPairList(text: string): { list?: readonly unknown[]; sawJson: boolean; sawBrackets: boolean } {
  let sawJson = false;
  const whole = readJsonText(text.trim());
  if (whole.ok) {
    sawJson = true;
    const list = pairListOf(whole.value, 0) ?? (isPairLike(whole.value) ? [whole.value] : undefined);
    if (list !== undefined) return { list, sawJson, sawBrackets: false };
  }
  let sawBrackets = false;
  let starts = 0;
  const budget = fastScanBudget(text);
  for (let i = 0; i < text.length && starts < MAX_JSON_STARTS; i++) {
    if (text[i] !== "{" && text[i] !== "[") continue;
    sawBrackets = true;
    starts++;
    const parsed = readJsonAt(text, i, budget);
    if (!parsed.ok) continue;
    sawJson = true;
    const list = pairListOf(parsed.value, 0);
    if (list !== undefined) return { list, sawJson, sawBrackets };
  }
  return { sawJson, sawBrackets };
}

/**
 * The list of pairs a parsed value holds: `{"pairs": [...]}` (any key case), a bare array, or the first
 * array of pair-like objects under another key (one level of wrapping). A lone pair object is not a
 * list here: found by bracket scanning it is usually the first entry of a list cut off later, which
 * salvaging reads whole.
 */
function pairListOf(value: unknown, depth: number): readonly unknown[] | undefined {
  if (Array.isArray(value)) return value.length === 0 || value.some(isPairLike) ? value : undefined;
  if (!isRecord(value)) return undefined;
  const pairs = fieldOf(value, "pairs");
  if (Array.isArray(pairs)) return pairs;
  if (depth > 0) return undefined;
  for (const inner of Object.values(value)) {
    const list = pairListOf(inner, depth + 1);
    if (list !== undefined && list.length > 0) return list;
  }
  return undefined;
}

/** Every balanced object in `text` that is itself a pair, for replies cut off before their list closed. */
function salvagePairObjects(text: string): unknown[] {
  const pairs: unknown[] = [];
  let starts = 0;
  const budget = fastScanBudget(text);
  for (let i = 0; i < text.length && starts < MAX_JSON_STARTS; i++) {
    if (text[i] !== "{") continue;
    starts++;
    const parsed = readJsonAt(text, i, budget);
    if (parsed.ok && isPairLike(parsed.value)) {
      pairs.push(parsed.value);
      i = parsed.end - 1;
    }
  }
  return pairs;
}

function checkPairs(
  list: readonly unknown[],
  limits: { question: number; answer: number },
): { pairs: QaPair[]; dropped: DroppedPair[] } {
  const pairs: QaPair[] = [];
  const dropped: DroppedPair[] = [];
  list.forEach((entry, index) => {
    const checked = checkPair(entry, limits);
    if (typeof checked === "string") dropped.push({ index, reason: checked });
    else pairs.push(checked);
  });
  return { pairs, dropped };
}

function checkPair(entry: unknown, limits: { question: number; answer: number }): QaPair | DroppedPairReason {
  if (!isRecord(entry)) return "not_a_pair";
  const question = textOf(fieldOf(entry, "question"));
  const answer = textOf(fieldOf(entry, "answer"));
  if (question === undefined || question === "") return "empty_question";
  if (answer === undefined || answer === "") return "empty_answer";
  if (question.length > limits.question) return "question_too_long";
  if (answer.length > limits.answer) return "answer_too_long";
  if (isUnusableAnswer(answer)) return "unusable_answer";
  return { question, answer };
}

function isUnusableAnswer(answer: string): boolean {
  const normalized = normalizeAnswer(answer);
  return normalized === "" || normalized === "unknown";
}

/** A string field trimmed; numbers and booleans as written ("answer": 1987 is a fine answer). */
function textOf(value: unknown): string | undefined {
  if (typeof value === "string") return value.trim();
  if ((typeof value === "number" && Number.isFinite(value)) || typeof value === "boolean") return String(value);
  return undefined;
}

function isPairLike(value: unknown): boolean {
  return isRecord(value) && fieldOf(value, "question") !== undefined && fieldOf(value, "answer") !== undefined;
}

function fieldOf(record: Readonly<Record<string, unknown>>, name: string): unknown {
  if (Object.hasOwn(record, name)) return record[name];
  const key = Object.keys(record).find((candidate) => candidate.toLowerCase() === name);
  return key === undefined ? undefined : record[key];
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
