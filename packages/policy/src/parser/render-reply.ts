import type { MemoryOperation, ToolCall } from "@finemem/spec";
import { operationToToolCall, type RenderedToolCall, type ToolSetId } from "../tools/tool-sets.js";

/**
 * How a reply carries its calls:
 * - `openai-tool-calls`: the API's `tool_calls` (ids `call_0`, `call_1`…), the prose as the text;
 * - `tool-call-tags`: Hermes/Qwen `<tool_call>\n{"name": ..., "arguments": {...}}\n</tool_call>` blocks;
 * - `qwen-agent`: Qwen-Agent's `✿FUNCTION✿: name\n✿ARGS✿: {...}` blocks;
 * - `bare-json`: one JSON object per call in the prose.
 */
export type ReplyFormat = "openai-tool-calls" | "tool-call-tags" | "qwen-agent" | "bare-json";

export interface RenderOptions {
  readonly toolSet: ToolSetId;
  readonly format: ReplyFormat;
  /** `prose[i]` goes before call i and `prose[n]` after the last; missing entries are empty. */
  readonly prose?: readonly string[];
  /**
   * For `bare-json` only: `tool-call` (default) writes `{"name": ..., "arguments": {...}}`;
   * `operation` writes the operation object, e.g. `{"type":"INSERT","content":...}` (with `memoryType`
   * in `memalpha`, and an INSERT's `timestamp`).
   */
  readonly bareJsonStyle?: "tool-call" | "operation";
}

export interface RenderedReply {
  readonly text: string;
  readonly toolCalls: ToolCall[];
}

/**
 * Writes operations as a model would in `format`: the parser's round-trip tests, the parser
 * benchmark, and fake models use it. Calls come from `operationToToolCall`, so an operation the tool
 * set cannot express (SKIP in `memalpha`, a typed operation in `flat` or the reverse) is a `TypeError`;
 * like the tools, the call styles do not carry an INSERT's `timestamp`. The non-empty pieces (prose
 * and calls) are joined with newlines.
 */
export function renderOperations(operations: readonly MemoryOperation[], options: RenderOptions): RenderedReply {
  const calls = operations.map((operation, index) => {
    const call = operationToToolCall(operation, options.toolSet);
    if (call === undefined)
      throw new TypeError(
        `operation ${index} (${operation.type}) cannot be expressed with the ${options.toolSet} tools`,
      );
    return call;
  });
  const prose = options.prose ?? [];
  const proseAt = (index: number): string => prose[index] ?? "";
  if (options.format === "openai-tool-calls") {
    const text = joinPieces(Array.from({ length: calls.length + 1 }, (_, index) => proseAt(index)));
    const toolCalls = calls.map(
      (call, index): ToolCall => ({ id: `call_${index}`, name: call.name, arguments: JSON.stringify(call.arguments) }),
    );
    return { text, toolCalls };
  }
  const pieces: string[] = [];
  calls.forEach((call, index) => {
    pieces.push(proseAt(index), renderCall(call, operations[index]!, options));
  });
  pieces.push(proseAt(calls.length));
  return { text: joinPieces(pieces), toolCalls: [] };
}

function renderCall(call: RenderedToolCall, operation: MemoryOperation, options: RenderOptions): string {
  switch (options.format) {
    case "tool-call-tags":
      return `<tool_call>\n${JSON.stringify({ name: call.name, arguments: call.arguments })}\n</tool_call>`;
    case "qwen-agent":
      return `✿FUNCTION✿: ${call.name}\n✿ARGS✿: ${JSON.stringify(call.arguments)}`;
    default:
      return options.bareJsonStyle === "operation"
        ? JSON.stringify(operation)
        : JSON.stringify({ name: call.name, arguments: call.arguments });
  }
}

function joinPieces(pieces: readonly string[]): string {
  return pieces.filter((piece) => piece.length > 0).join("\n");
}
