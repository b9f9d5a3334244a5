import type { MemoryOperation, ParseFailureReason } from "@finemem/spec";
import type { RepairName } from "./repairs.js";

/** A tool call's arguments as found: absent, or a value (an object, or a JSON text still to decode). */
export type FoundArguments =
  | { readonly present: false }
  | {
      readonly present: true;
      readonly value: unknown;
      /**
       * True where a JSON text is the normal form (OpenAI's `arguments`, the `function` envelope); a
       * string elsewhere means the model encoded the arguments twice.
       */
      readonly textIsNative: boolean;
    };

/**
 * One call-like fragment of a reply, before it is mapped to an operation: a tool call (name plus
 * arguments), an operation object (`{"type": "INSERT", ...}`), or a fragment that already failed (its
 * JSON could not be read). `repairs` are those applied while finding and reading it.
 */
export type CallItem =
  | {
      readonly kind: "tool";
      readonly name: unknown;
      readonly arguments: FoundArguments;
      readonly repairs: readonly RepairName[];
    }
  | {
      readonly kind: "operation";
      readonly object: Readonly<Record<string, unknown>>;
      /** The key that holds the operation type: `type`, `operation` or `op`. */
      readonly typeKey: string;
      readonly repairs: readonly RepairName[];
    }
  | { readonly kind: "failed"; readonly reason: ParseFailureReason; readonly message: string };

/** What one fragment became: an operation (with the repairs it needed), or a failure. */
export type FragmentResult =
  | { readonly ok: true; readonly operation: MemoryOperation; readonly repairs: readonly RepairName[] }
  | { readonly ok: false; readonly reason: ParseFailureReason; readonly message: string };

/** The longest failure message a ParseOutcome may carry. */
export const MAX_MESSAGE_CHARS = 2000;

export function failedItem(reason: ParseFailureReason, message: string): CallItem {
  return { kind: "failed", reason, message: clipMessage(message) };
}

export function clipMessage(message: string): string {
  return message.length <= MAX_MESSAGE_CHARS ? message : `${message.slice(0, MAX_MESSAGE_CHARS - 1)}…`;
}

/** A short, safe rendering of a value the model wrote, for failure messages. */
export function quoteForMessage(value: unknown, maxChars = 80): string {
  let text: string;
  try {
    text = typeof value === "string" ? JSON.stringify(value) : describeValue(value);
  } catch {
    text = describeValue(value);
  }
  return text.length <= maxChars ? text : `${text.slice(0, maxChars - 1)}…`;
}

/** "a string", "a number", "null", "an array", "an object"… */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  switch (typeof value) {
    case "string":
      return "a string";
    case "number":
      return "a number";
    case "boolean":
      return "a boolean";
    case "object":
      return "an object";
    default:
      return typeof value;
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
