import {
  type FinishReason,
  type LanguageModelResponse,
  languageModelResponseValidator,
  type PathSegment,
  type ToolCall,
} from "@finemem/spec";
import { MalformedResponseError } from "./errors.js";

/** What the request asked for, so that a response missing it is refused rather than accepted short. */
export interface ResponseExpectations {
  readonly logprobs: boolean;
  readonly returnTokenIds: boolean;
}

export interface MappedCompletion {
  readonly response: LanguageModelResponse;
  /** False when the body had no `usage`: the response then reports 0 tokens. */
  readonly usageReported: boolean;
}

/**
 * Servers compute log-probabilities in float32, so a near-certain token can come back as a tiny
 * positive number such as 2e-7. Those are clamped to 0; anything larger is a broken server.
 */
const LOGPROB_TOLERANCE = 1e-4;

const TOKEN_IDS_HELP =
  "servers that ignore return_token_ids answer without them: vLLM returns them from v0.10.2 on, " +
  "SGLang from the release that added return_token_ids to chat completions (per choice)";

// The body paths of the fields read on every call, built once (errors copy the path they are given).
const CHOICE_PATH: readonly PathSegment[] = Object.freeze(["choices", 0]);
const MESSAGE_PATH: readonly PathSegment[] = Object.freeze(["choices", 0, "message"]);
const CONTENT_PATH: readonly PathSegment[] = Object.freeze(["choices", 0, "message", "content"]);
const TOOL_CALLS_PATH: readonly PathSegment[] = Object.freeze(["choices", 0, "message", "tool_calls"]);
const FINISH_REASON_PATH: readonly PathSegment[] = Object.freeze(["choices", 0, "finish_reason"]);
const LOGPROBS_PATH: readonly PathSegment[] = Object.freeze(["choices", 0, "logprobs"]);
const PROMPT_IDS_PATH: readonly PathSegment[] = Object.freeze(["prompt_token_ids"]);
const CHOICE_PROMPT_IDS_PATH: readonly PathSegment[] = Object.freeze(["choices", 0, "prompt_token_ids"]);
const TOKEN_IDS_PATH: readonly PathSegment[] = Object.freeze(["choices", 0, "token_ids"]);
const OUTPUT_IDS_PATH: readonly PathSegment[] = Object.freeze(["choices", 0, "output_ids"]);

/** Parses the body text; a body that is not JSON is a {@link MalformedResponseError} at the root. */
export function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    const what = text.trim() === "" ? "the body is empty" : "the body is not JSON";
    throw new MalformedResponseError([], `${what}; expected a chat.completion JSON object`, { body: text, cause });
  }
}

/**
 * Maps a parsed chat-completion body to a {@link LanguageModelResponse}, checking every field it reads
 * by hand so that the error names the field of the body (e.g. choices[0].message.tool_calls[1].function.arguments).
 */
export function mapChatCompletion(json: unknown, expect: ResponseExpectations, bodyText?: string): MappedCompletion {
  const fail = (path: readonly PathSegment[], message: string): never => {
    throw new MalformedResponseError(path, message, bodyText === undefined ? {} : { body: bodyText });
  };
  if (!isRecord(json)) return fail([], `expected a JSON object, got ${describe(json)}`);
  if (json.choices === undefined && isRecord(json.error)) {
    // Some proxies answer 200 with an error object instead of an HTTP error status.
    return fail(
      ["error"],
      `the server answered 200 with an error instead of a completion: ${String(json.error.message ?? JSON.stringify(json.error))}`,
    );
  }
  if (!Array.isArray(json.choices))
    return fail(["choices"], `expected an array of choices, got ${describe(json.choices)}`);
  if (json.choices.length === 0) return fail(["choices"], "expected at least one choice, got an empty array");
  const choice: unknown = json.choices[0];
  if (!isRecord(choice)) return fail(CHOICE_PATH, `expected a choice object, got ${describe(choice)}`);
  const message = choice.message;
  if (!isRecord(message)) return fail(MESSAGE_PATH, `expected a message object, got ${describe(message)}`);

  const content = message.content;
  if (content !== null && content !== undefined && typeof content !== "string") {
    fail(CONTENT_PATH, `expected a string or null, got ${describe(content)}`);
  }
  // null (usual next to tool calls) and a missing field both mean no text.
  const text = typeof content === "string" ? content : "";
  const toolCalls = mapToolCalls(message.tool_calls, TOOL_CALLS_PATH, fail);
  const finishReason = mapFinishReason(choice.finish_reason, FINISH_REASON_PATH, fail);

  let usageReported = false;
  let usage = { promptTokens: 0, completionTokens: 0 };
  if (json.usage !== undefined && json.usage !== null) {
    usage = mapUsage(json.usage, fail);
    usageReported = true;
  }

  if (json.model !== undefined && json.model !== null && typeof json.model !== "string") {
    fail(["model"], `expected the model name as a string, got ${describe(json.model)}`);
  }

  const logprobs = mapLogprobs(choice.logprobs, LOGPROBS_PATH, fail);
  if (expect.logprobs && logprobs === undefined) {
    fail(
      LOGPROBS_PATH,
      "log-probabilities were requested (logprobs: true) but the choice has none; expected logprobs.content with one entry per token",
    );
  }

  // vLLM puts the prompt ids at the top level; SGLang puts them on each choice and may name the
  // completion ids output_ids.
  const promptIds = firstPresent(
    PROMPT_IDS_PATH,
    json.prompt_token_ids,
    CHOICE_PROMPT_IDS_PATH,
    choice.prompt_token_ids,
  );
  const responseIds = firstPresent(TOKEN_IDS_PATH, choice.token_ids, OUTPUT_IDS_PATH, choice.output_ids);
  const promptTokenIds = promptIds === undefined ? undefined : mapTokenIds(promptIds.value, promptIds.path, fail);
  const responseTokenIds =
    responseIds === undefined ? undefined : mapTokenIds(responseIds.value, responseIds.path, fail);
  if (expect.returnTokenIds) {
    if (promptTokenIds === undefined)
      fail(
        PROMPT_IDS_PATH,
        `prompt token ids were requested (return_token_ids: true) but are missing; ${TOKEN_IDS_HELP}`,
      );
    if (responseTokenIds === undefined)
      fail(
        TOKEN_IDS_PATH,
        `completion token ids were requested (return_token_ids: true) but are missing; ${TOKEN_IDS_HELP}`,
      );
  }

  const response: LanguageModelResponse = {
    text,
    toolCalls,
    finishReason,
    usage,
    ...(typeof json.model === "string" ? { modelId: json.model } : {}),
    ...(promptTokenIds === undefined ? {} : { promptTokenIds }),
    ...(responseTokenIds === undefined ? {} : { responseTokenIds }),
    ...(logprobs === undefined ? {} : { responseLogprobs: logprobs }),
  };
  // The spec's validator is the last word (it checks, e.g., the shape of tool-call ids and one
  // log-probability per token id); its paths are translated back to the body's field names.
  const checked = languageModelResponseValidator.validate(response);
  if (!checked.ok) {
    const paths = {
      promptIds: promptIds?.path ?? PROMPT_IDS_PATH,
      responseIds: responseIds?.path ?? TOKEN_IDS_PATH,
    };
    const issue = checked.error.issues[0];
    throw new MalformedResponseError(toBodyPath(checked.error.path, paths), issue?.message ?? checked.error.message, {
      ...(bodyText === undefined ? {} : { body: bodyText }),
      cause: checked.error,
    });
  }
  return { response: checked.value, usageReported };
}

/**
 * The token counts of a body that could not be used, when its `usage` itself is well formed: a
 * malformed completion has still been generated and billed, and the ledger should say so.
 */
export function readReportedUsage(json: unknown): { promptTokens: number; completionTokens: number } | undefined {
  if (!isRecord(json) || !isRecord(json.usage)) return undefined;
  const { prompt_tokens: prompt, completion_tokens: completion } = json.usage;
  if (!isCount(prompt) || !isCount(completion)) return undefined;
  return { promptTokens: prompt, completionTokens: completion };
}

type Fail = (path: readonly PathSegment[], message: string) => never;

function mapToolCalls(value: unknown, path: readonly PathSegment[], fail: Fail): ToolCall[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) return fail(path, `expected an array of tool calls, got ${describe(value)}`);
  return value.map((call: unknown, index) => {
    const at = [...path, index];
    if (!isRecord(call)) return fail(at, `expected a tool call object, got ${describe(call)}`);
    if (typeof call.id !== "string" || call.id === "")
      return fail([...at, "id"], `expected a non-empty string id, got ${describe(call.id)}`);
    const fn = call.function;
    if (!isRecord(fn))
      return fail([...at, "function"], `expected a function object with name and arguments, got ${describe(fn)}`);
    if (typeof fn.name !== "string" || fn.name === "")
      return fail([...at, "function", "name"], `expected a non-empty string, got ${describe(fn.name)}`);
    if (typeof fn.arguments !== "string") {
      return fail(
        [...at, "function", "arguments"],
        `expected the arguments as a JSON-encoded string, got ${describe(fn.arguments)}`,
      );
    }
    return { id: call.id, name: fn.name, arguments: fn.arguments };
  });
}

function mapFinishReason(value: unknown, path: readonly PathSegment[], fail: Fail): FinishReason {
  if (value === null || value === undefined) return "other";
  if (typeof value !== "string") return fail(path, `expected a string or null, got ${describe(value)}`);
  switch (value) {
    case "stop":
    case "length":
    case "tool_calls":
    case "content_filter":
      return value;
    // The legacy single-function spelling of the same thing.
    case "function_call":
      return "tool_calls";
    default:
      return "other";
  }
}

function mapUsage(value: unknown, fail: Fail): { promptTokens: number; completionTokens: number } {
  if (!isRecord(value)) return fail(["usage"], `expected a usage object or null, got ${describe(value)}`);
  const prompt = value.prompt_tokens;
  const completion = value.completion_tokens;
  if (!isCount(prompt)) return fail(["usage", "prompt_tokens"], `expected an integer ≥ 0, got ${describe(prompt)}`);
  if (!isCount(completion))
    return fail(["usage", "completion_tokens"], `expected an integer ≥ 0, got ${describe(completion)}`);
  return { promptTokens: prompt, completionTokens: completion };
}

function mapLogprobs(value: unknown, path: readonly PathSegment[], fail: Fail): number[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) return fail(path, `expected a logprobs object or null, got ${describe(value)}`);
  const content = value.content;
  if (content === undefined || content === null) return undefined;
  if (!Array.isArray(content))
    return fail([...path, "content"], `expected an array of token log-probabilities, got ${describe(content)}`);
  return content.map((entry: unknown, index) => {
    const at = [...path, "content", index];
    if (!isRecord(entry)) return fail(at, `expected a token object with a logprob, got ${describe(entry)}`);
    const logprob = entry.logprob;
    if (typeof logprob !== "number" || !Number.isFinite(logprob))
      return fail([...at, "logprob"], `expected a finite number, got ${describe(logprob)}`);
    if (logprob > LOGPROB_TOLERANCE) return fail([...at, "logprob"], `expected a log-probability ≤ 0, got ${logprob}`);
    return Math.min(0, logprob);
  });
}

function mapTokenIds(value: unknown, path: readonly PathSegment[], fail: Fail): number[] {
  if (!Array.isArray(value)) return fail(path, `expected an array of token ids, got ${describe(value)}`);
  value.forEach((id: unknown, index) => {
    if (!isCount(id)) fail([...path, index], `expected a token id (an integer ≥ 0), got ${describe(id)}`);
  });
  return value as number[];
}

/** The first of two fields that is present (neither undefined nor null), with its path. */
function firstPresent(
  firstPath: readonly PathSegment[],
  first: unknown,
  secondPath: readonly PathSegment[],
  second: unknown,
): { path: readonly PathSegment[]; value: unknown } | undefined {
  if (first !== undefined && first !== null) return { path: firstPath, value: first };
  if (second !== undefined && second !== null) return { path: secondPath, value: second };
  return undefined;
}

function toBodyPath(
  path: readonly PathSegment[],
  tokenPaths: { promptIds: readonly PathSegment[]; responseIds: readonly PathSegment[] },
): PathSegment[] {
  const [head, index, field] = path;
  const message = ["choices", 0, "message"];
  switch (head) {
    case "text":
      return [...message, "content"];
    case "toolCalls":
      if (typeof index !== "number") return [...message, "tool_calls"];
      if (field === "id") return [...message, "tool_calls", index, "id"];
      if (field === "name" || field === "arguments") return [...message, "tool_calls", index, "function", field];
      return [...message, "tool_calls", index];
    case "finishReason":
      return ["choices", 0, "finish_reason"];
    case "usage":
      if (index === "promptTokens") return ["usage", "prompt_tokens"];
      if (index === "completionTokens") return ["usage", "completion_tokens"];
      return ["usage"];
    case "modelId":
      return ["model"];
    case "promptTokenIds":
      return [...tokenPaths.promptIds, ...path.slice(1)];
    case "responseTokenIds":
      return [...tokenPaths.responseIds, ...path.slice(1)];
    case "responseLogprobs":
      return typeof index === "number"
        ? ["choices", 0, "logprobs", "content", index, "logprob"]
        : ["choices", 0, "logprobs", "content"];
    default:
      return [];
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0;
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing (the field is missing)";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string")
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}
