import { type CallItem, failedItem, isPlainObject } from "./call-item.js";
import { operationTypeKey } from "./map-operation-object.js";
import type { RepairName } from "./repairs.js";

/**
 * Where a JSON value was found. In a `<tool_call>` block the model declared a call, so anything that is
 * not one is a failed fragment; in prose only values that look like calls are fragments, and any other
 * JSON (an example, a quoted record) is left alone.
 */
export type PayloadContext = "block" | "prose";

/** Keys whose value, when an array (or one object), lists calls: each element is its own fragment. */
const WRAPPER_KEYS = ["operations", "tool_calls"] as const;

/**
 * The first keys that make an unreadable object in prose count as a failed call rather than as prose:
 * a truncated `{"name": "memory_insert", ...` is a call the model was writing.
 */
export const CALL_LIKE_FIRST_KEYS: ReadonlySet<string> = new Set([
  "name",
  "function",
  "arguments",
  "parameters",
  "type",
  "operation",
  "op",
  "operations",
  "tool_calls",
  "id",
  "content",
  "memory_id",
  "memory_type",
  "new_content",
]);

/**
 * The call items a JSON value holds, or `undefined` when a value found in prose is not a call at all.
 * Accepted shapes: `{"name", "arguments"|"parameters"}`; OpenAI's `{"type": "function", "function":
 * {"name", "arguments"}}`; operation objects; arrays of these; and `{"operations": [...]}` or
 * `{"tool_calls": [...]}` wrappers. Every item carries `repairs` (those made while reading the JSON).
 */
export function classifyPayload(
  value: unknown,
  context: PayloadContext,
  toolNames: ReadonlySet<string>,
  repairs: readonly RepairName[],
): CallItem[] | undefined {
  if (isPlainObject(value)) {
    const call = callItemOf(value, context, toolNames, repairs);
    if (call !== undefined) return [call];
    for (const key of WRAPPER_KEYS) {
      if (!Object.hasOwn(value, key)) continue;
      const listed = value[key];
      if (Array.isArray(listed))
        return listed.map((element, index) => elementItem(element, `element ${index} of "${key}"`, toolNames, repairs));
      if (isPlainObject(listed)) return [elementItem(listed, `"${key}"`, toolNames, repairs)];
    }
    return context === "block"
      ? [failedItem("invalid_arguments", 'a <tool_call> block must hold {"name": <tool>, "arguments": {...}}')]
      : undefined;
  }
  if (Array.isArray(value)) {
    if (
      context === "prose" &&
      !value.some((element) => isPlainObject(element) && callItemOf(element, context, toolNames, repairs) !== undefined)
    )
      return undefined;
    return value.map((element, index) => elementItem(element, `element ${index} of the array`, toolNames, repairs));
  }
  return context === "block"
    ? [failedItem("invalid_arguments", 'a <tool_call> block must hold {"name": <tool>, "arguments": {...}}')]
    : undefined;
}

/** An element of a list of calls: a call, or a failed fragment. */
function elementItem(
  element: unknown,
  where: string,
  toolNames: ReadonlySet<string>,
  repairs: readonly RepairName[],
): CallItem {
  const call = isPlainObject(element) ? callItemOf(element, "block", toolNames, repairs) : undefined;
  return call ?? failedItem("invalid_arguments", `${where} is neither a tool call nor an operation`);
}

/**
 * The call an object is, if it is one. In prose, a `name` makes a call only next to `arguments` or
 * `parameters` or when it names a tool of the set, so that `{"name": "Ada", "age": 36}` stays prose.
 */
function callItemOf(
  object: Readonly<Record<string, unknown>>,
  context: PayloadContext,
  toolNames: ReadonlySet<string>,
  repairs: readonly RepairName[],
): CallItem | undefined {
  const envelope = object.function;
  if (Object.hasOwn(object, "function") && isPlainObject(envelope) && Object.hasOwn(envelope, "name")) {
    // OpenAI's shape, echoed in text: a JSON text as `arguments` is its normal form.
    return toolItem(envelope, true, repairs);
  }
  if (Object.hasOwn(object, "name")) {
    const name = object.name;
    const declared = Object.hasOwn(object, "arguments") || Object.hasOwn(object, "parameters");
    if (context === "block" || declared || (typeof name === "string" && toolNames.has(name)))
      return toolItem(object, false, repairs);
  }
  const typeKey = operationTypeKey(object);
  if (typeKey !== undefined) return { kind: "operation", object, typeKey, repairs };
  return undefined;
}

function toolItem(
  object: Readonly<Record<string, unknown>>,
  textIsNative: boolean,
  repairs: readonly RepairName[],
): CallItem {
  if (Object.hasOwn(object, "arguments"))
    return {
      kind: "tool",
      name: object.name,
      arguments: { present: true, value: object.arguments, textIsNative },
      repairs,
    };
  if (Object.hasOwn(object, "parameters")) {
    return {
      kind: "tool",
      name: object.name,
      arguments: { present: true, value: object.parameters, textIsNative },
      repairs: [...repairs, "parameters_key"],
    };
  }
  return { kind: "tool", name: object.name, arguments: { present: false }, repairs };
}
