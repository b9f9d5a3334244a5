import type { ToolCall } from "@finemem/spec";
import { parseManagerReply } from "../parser/parse-manager-reply.js";
import { operationToToolCall, type ToolSetId } from "../tools/tool-sets.js";

/**
 * A grammar-constrained reply (`{"operations":[...]}`) as the tool set's tool calls, the form a server
 * with a tool parser returns, so a memory policy reads it the same in either call style. Returns
 * `undefined` when the reply is not a complete list of operations (a reply cut off by maxTokens), which
 * the caller then returns as text for the parser to report.
 */
export function operationsToToolCalls(text: string, toolSet: ToolSetId): ToolCall[] | undefined {
  const parsed = parseManagerReply({ text }, { toolSet });
  if (parsed.operations.length === 0 || parsed.parseOutcomes.some((outcome) => outcome.status === "failed"))
    return undefined;
  const calls: ToolCall[] = [];
  for (const [index, operation] of parsed.operations.entries()) {
    const call = operationToToolCall(operation, toolSet);
    if (call === undefined) return undefined;
    calls.push({ id: `call_${index}`, name: call.name, arguments: JSON.stringify(call.arguments) });
  }
  return calls;
}
