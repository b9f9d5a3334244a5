import { type MemoryOperation, memoryOperationValidator, type ParseOutcome, type ToolCall } from "@finemem/spec";
import { type ToolSetId, toolSetOf } from "../tools/tool-sets.js";
import { FragmentFailure } from "./call-arguments.js";
import { type CallItem, clipMessage, type FragmentResult, failedItem } from "./call-item.js";
import { mapOperationObject } from "./map-operation-object.js";
import { mapToolCall, toolNamesOf } from "./map-tool-call.js";
import { RepairLog } from "./repairs.js";
import { scanText } from "./scan-text.js";

/** The default cap on the reply text read: 256 Ki characters, far above any memory manager's reply. */
export const DEFAULT_MAX_INPUT_CHARS = 262_144;

export interface ParseReplyOptions {
  /** The tool vocabulary the model was given (`flat` or `memalpha`). */
  readonly toolSet: ToolSetId;
  /** Characters of `text` read at most; the rest is ignored (`inputCapped`). Default 262_144. */
  readonly maxInputChars?: number;
  /**
   * Told of a failure of the reader itself (a bug of ours, reported as an `internal_error` outcome).
   * Default: a process warning (`FineMemParserWarning`), so the bug is seen without stopping the run.
   */
  readonly onInternalError?: (error: unknown) => void;
}

export interface ParsedReply {
  /** The operations, in the order their fragments appear (tool calls first, then the text). */
  readonly operations: readonly MemoryOperation[];
  /** One outcome per call-like fragment, in fragment order; one `empty_reply` when there is none. */
  readonly parseOutcomes: readonly ParseOutcome[];
  /** True when the text was cut at `maxInputChars`. */
  readonly inputCapped: boolean;
}

/**
 * Reads a memory manager's reply — OpenAI `tool_calls`, `<tool_call>` blocks, Qwen-Agent
 * `✿FUNCTION✿` blocks, or JSON calls and operation objects in prose — into operations, with one
 * outcome per call-like fragment: `parsed`, `repaired` (with the repairs' names) or `failed` (with a
 * reason). Fragments are numbered from 0: `toolCalls` first, then the text's fragments by position; an
 * array or `{"operations": [...]}` contributes one fragment per element.
 *
 * Never throws for any reply: whatever the model wrote becomes outcomes. It throws a `TypeError` only
 * for invalid options (a programming error). Runs in time linear in the reply (text beyond
 * `maxInputChars` is not read; a JSON value cut by the cap is `truncated`).
 */
export function parseManagerReply(
  reply: { readonly text: string; readonly toolCalls?: readonly ToolCall[] },
  options: ParseReplyOptions,
): ParsedReply {
  const toolSet = toolSetOf(options.toolSet).id;
  const maxInputChars = options.maxInputChars ?? DEFAULT_MAX_INPUT_CHARS;
  if (!(Number.isInteger(maxInputChars) && maxInputChars >= 0) && maxInputChars !== Number.POSITIVE_INFINITY) {
    throw new TypeError(`maxInputChars must be a non-negative integer, got ${String(maxInputChars)}`);
  }
  const fullText = typeof reply.text === "string" ? reply.text : "";
  const inputCapped = fullText.length > maxInputChars;
  const text = inputCapped ? fullText.slice(0, maxInputChars) : fullText;
  try {
    return { ...collectOutcomes(findFragments(text, reply.toolCalls, toolSet), toolSet), inputCapped };
  } catch (error) {
    // Unreachable by design; a parser bug must still not take down a rollout, nor be charged to the
    // model as malformed output: it is its own outcome, which the format reward leaves out.
    const message = clipMessage(
      `internal parser error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    (options.onInternalError ?? warnOfInternalError)(error);
    return { operations: [], parseOutcomes: [{ fragment: 0, status: "internal_error", message }], inputCapped };
  }
}

function warnOfInternalError(error: unknown): void {
  process.emitWarning(
    `the manager reply parser failed; the step's reply is recorded as an internal_error outcome: ${String(error)}`,
    { type: "FineMemParserWarning" },
  );
}

/** Every call-like fragment of the reply, in fragment order. */
function findFragments(text: string, toolCalls: readonly ToolCall[] | undefined, toolSet: ToolSetId): CallItem[] {
  const items: CallItem[] = [];
  if (Array.isArray(toolCalls)) {
    for (const call of toolCalls as readonly unknown[]) items.push(toolCallItem(call));
  }
  for (const item of scanText(text, toolNamesOf(toolSet))) items.push(item);
  return items;
}

/** One OpenAI tool call: its `arguments` is a JSON text, the normal form there. */
function toolCallItem(call: unknown): CallItem {
  if (typeof call !== "object" || call === null)
    return failedItem("invalid_arguments", "a tool call must be an object");
  const { name, arguments: args } = call as { name?: unknown; arguments?: unknown };
  return {
    kind: "tool",
    name,
    arguments: args === undefined ? { present: false } : { present: true, value: args, textIsNative: true },
    repairs: [],
  };
}

function collectOutcomes(
  items: readonly CallItem[],
  toolSet: ToolSetId,
): { operations: MemoryOperation[]; parseOutcomes: ParseOutcome[] } {
  if (items.length === 0) {
    return {
      operations: [],
      parseOutcomes: [
        { fragment: 0, status: "failed", reason: "empty_reply", message: "the reply holds no tool call or operation" },
      ],
    };
  }
  const operations: MemoryOperation[] = [];
  const parseOutcomes: ParseOutcome[] = items.map((item, fragment): ParseOutcome => {
    const result = resolve(item, toolSet);
    if (!result.ok) return { fragment, status: "failed", reason: result.reason, message: clipMessage(result.message) };
    operations.push(result.operation);
    const repairs = [...result.repairs];
    return {
      fragment,
      status: repairs.length === 0 ? "parsed" : "repaired",
      operationIndex: operations.length - 1,
      repairs,
    };
  });
  return { operations, parseOutcomes };
}

/** Maps one fragment to an operation that passes the spec's validator, or says why it cannot. */
function resolve(item: CallItem, toolSet: ToolSetId): FragmentResult {
  if (item.kind === "failed") return { ok: false, reason: item.reason, message: item.message };
  const repairs = new RepairLog();
  repairs.addAll(item.repairs);
  let operation: MemoryOperation;
  try {
    operation =
      item.kind === "tool"
        ? mapToolCall(item.name, item.arguments, toolSet, repairs)
        : mapOperationObject(item.object, item.typeKey, toolSet, repairs);
  } catch (error) {
    if (error instanceof FragmentFailure) return { ok: false, reason: error.reason, message: error.message };
    throw error;
  }
  // The mapping checks what the spec checks; the validator is the last word all the same.
  const validated = memoryOperationValidator.validate(operation);
  if (!validated.ok) {
    return {
      ok: false,
      reason: validated.error.code === "empty_content" ? "empty_content" : "invalid_arguments",
      message: validated.error.message,
    };
  }
  return { ok: true, operation, repairs: repairs.names };
}
