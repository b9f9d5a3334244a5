import { isId, type ParseFailureReason } from "@finemem/spec";
import { readJsonText, skipFenceOpening } from "@finemem/utils";
import { describeValue, isPlainObject, quoteForMessage } from "./call-item.js";
import type { RepairLog } from "./repairs.js";

/**
 * Thrown while mapping one fragment and caught by the resolver: a fragment fails at the first problem,
 * and throwing keeps the mapping code a straight line of checks.
 */
export class FragmentFailure {
  constructor(
    readonly reason: ParseFailureReason,
    readonly message: string,
  ) {}
}

export function fail(reason: ParseFailureReason, message: string): never {
  throw new FragmentFailure(reason, message);
}

/**
 * Turns found arguments into an object. A string is a JSON text to decode: normal for OpenAI's
 * `arguments`, the repair `double_encoded_arguments` elsewhere (and when the decoded text is itself a
 * string again). Absent or empty arguments are `{}` (repair `empty_arguments`).
 */
export function decodeArguments(value: unknown, textIsNative: boolean, repairs: RepairLog): Record<string, unknown> {
  if (value === undefined) {
    repairs.add("empty_arguments");
    return {};
  }
  let current: unknown = value;
  // At most two decodings: a text, then a text that the model encoded once more.
  for (let round = 0; round < 2 && typeof current === "string"; round++) {
    if (current.trim().length === 0) {
      repairs.add("empty_arguments");
      return {};
    }
    const native = textIsNative && round === 0;
    if (!native) repairs.add("double_encoded_arguments");
    current = decodeArgumentText(current, native, repairs);
  }
  if (!isPlainObject(current))
    fail("invalid_arguments", `the arguments must be a JSON object, got ${describeValue(current)}`);
  return current;
}

function decodeArgumentText(text: string, isWholeOutput: boolean, repairs: RepairLog): unknown {
  let body = text;
  const start = body.length - body.trimStart().length;
  const afterOpening = skipFenceOpening(body, start);
  if (afterOpening !== start) {
    repairs.add("code_fence");
    body = body.slice(afterOpening).trimEnd();
    if (body.endsWith("```")) body = body.slice(0, -3);
  }
  const result = readJsonText(body);
  if (!result.ok) {
    // Only the model's own arguments text can be cut by the end of its output; a text inside a
    // complete JSON value that does not parse is just malformed.
    const reason = result.reason === "truncated" && isWholeOutput ? "truncated" : "malformed_json";
    fail(reason, `arguments: ${result.message}`);
  }
  repairs.addAll(result.repairs);
  return result.value;
}

/** A required string argument; absent or not a string is `invalid_arguments`. */
export function requireString(args: Readonly<Record<string, unknown>>, key: string): string {
  if (!Object.hasOwn(args, key)) fail("invalid_arguments", `missing argument "${key}"`);
  const value = args[key];
  if (typeof value !== "string")
    fail("invalid_arguments", `argument "${key}" must be a string, got ${describeValue(value)}`);
  return value;
}

/** A content argument: a string with something other than whitespace in it. */
export function requireContent(args: Readonly<Record<string, unknown>>, key: string): string {
  const content = requireString(args, key);
  if (content.trim().length === 0) fail("empty_content", `argument "${key}" is empty or whitespace only`);
  return content;
}

/** An id argument: absent or blank is `missing_id`; not an id is `invalid_arguments`. */
export function requireId(args: Readonly<Record<string, unknown>>, key: string): string {
  if (!Object.hasOwn(args, key))
    fail("missing_id", `missing argument "${key}": the item to change must be named by its id`);
  const value = args[key];
  if (typeof value !== "string")
    fail("invalid_arguments", `argument "${key}" must be a string id, got ${describeValue(value)}`);
  if (value.trim().length === 0)
    fail("missing_id", `argument "${key}" is empty: the item to change must be named by its id`);
  if (!isId(value)) {
    fail(
      "invalid_arguments",
      `argument "${key}" is not an id: ${quoteForMessage(value)} (ids are letters, digits, '.', '_', ':' or '-', starting with a letter or digit)`,
    );
  }
  return value;
}

/** Records `extra_arguments_dropped` when `args` has keys outside `allowed`. */
export function dropExtraArguments(
  args: Readonly<Record<string, unknown>>,
  allowed: ReadonlySet<string>,
  repairs: RepairLog,
): void {
  for (const key of Object.keys(args)) {
    if (!allowed.has(key)) {
      repairs.add("extra_arguments_dropped");
      return;
    }
  }
}
