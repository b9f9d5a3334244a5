import { type LanguageModelRequest, languageModelRequestValidator } from "@finemem/spec";

/**
 * Validates a request before it is mapped. The common shapes (plain messages without tool calls, numeric
 * sampling options, logprobs / returnTokenIds flags) are checked here by hand; anything else goes to the
 * spec's validator, which stays the one definition of a valid request and words every error.
 *
 * Why: at a hundred calls in flight the schema validator costs more than the rest of the backend
 * together (for an absent optional union such as `toolChoice` it builds, localises and discards an
 * issue on every call). The hand check accepts only what the schema accepts, which the oracle test
 * beside this file checks against the schema on generated requests.
 */
export function checkRequest(request: LanguageModelRequest): LanguageModelRequest {
  return acceptsWithoutSchema(request) ? request : languageModelRequestValidator.parse(request);
}

/** True when `request` has one of the common shapes and the schema would accept it as it is. */
export function acceptsWithoutSchema(request: unknown): boolean {
  if (!isPlainObject(request)) return false;
  let messagesSeen = false;
  for (const key in request) {
    const value = request[key];
    switch (key) {
      case "messages":
        if (!acceptsMessages(value)) return false;
        messagesSeen = true;
        break;
      case "sampling":
        if (!acceptsSampling(value)) return false;
        break;
      case "logprobs":
      case "returnTokenIds":
        if (typeof value !== "boolean") return false;
        break;
      default:
        return false;
    }
  }
  return messagesSeen;
}

function acceptsMessages(value: unknown): boolean {
  if (!Array.isArray(value) || value.length === 0) return false;
  for (let index = 0; index < value.length; index++) {
    const message: unknown = value[index];
    if (!isPlainObject(message)) return false;
    let keys = 0;
    for (const key in message) {
      keys++;
      if (key !== "role" && key !== "content") return false;
    }
    // Tool messages and assistant tool calls carry ids that only the schema checks.
    const role = message.role;
    if (keys !== 2 || (role !== "system" && role !== "user" && role !== "assistant")) return false;
    if (typeof message.content !== "string") return false;
  }
  return true;
}

function acceptsSampling(value: unknown): boolean {
  if (!isPlainObject(value)) return false;
  for (const key in value) {
    const given = value[key];
    if (typeof given !== "number") return false;
    switch (key) {
      case "temperature":
        if (!(given >= 0 && given <= 10)) return false;
        break;
      case "topP":
        if (!(given > 0 && given <= 1)) return false;
        break;
      case "topK":
      case "maxTokens":
        if (!(Number.isSafeInteger(given) && given >= 1)) return false;
        break;
      case "seed":
        if (!Number.isSafeInteger(given)) return false;
        break;
      // `stop` (an array with its own limits) and unknown keys are left to the schema.
      default:
        return false;
    }
  }
  return true;
}

/**
 * An object literal (or `Object.create(null)`): for such objects `for…in` sees exactly the own
 * enumerable keys, the keys a strict schema checks; class instances and arrays go to the schema.
 */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
