import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { chatCompletion } from "../testing/openai-replay-server.js";
import { MalformedResponseError } from "./errors.js";
import { mapChatCompletion, parseJsonBody, type ResponseExpectations, readReportedUsage } from "./response-mapping.js";

const recording = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`./__recordings__/${name}.json`, import.meta.url), "utf8")) as Record<
    string,
    unknown
  >;

const plain: ResponseExpectations = { logprobs: false, returnTokenIds: false };

/** The MalformedResponseError that mapping `body` throws. */
function malformed(body: unknown, expect_: ResponseExpectations = plain): MalformedResponseError {
  try {
    mapChatCompletion(body, expect_);
  } catch (error) {
    if (error instanceof MalformedResponseError) return error;
    throw error;
  }
  throw new Error("expected a MalformedResponseError");
}

/** The fields of the recorded vLLM body that the edits below reach into, to write wrong values on purpose. */
interface EditableBody {
  model: unknown;
  prompt_token_ids: unknown;
  usage: Record<string, unknown>;
  choices: {
    token_ids: unknown[];
    logprobs: { content: Record<string, unknown>[] };
    message: { tool_calls: { id?: unknown; function: Record<string, unknown> }[] };
  }[];
}

/** A deep copy of `body` changed by `edit`. */
function edited(body: Record<string, unknown>, edit: (copy: EditableBody) => void): Record<string, unknown> {
  const copy = structuredClone(body);
  edit(copy as unknown as EditableBody);
  return copy;
}

describe("mapChatCompletion on the recorded bodies", () => {
  it("vLLM with hermes tool calls, log-probabilities and token ids", () => {
    const body = recording("vllm-hermes-tool-calls-token-ids");
    const { response, usageReported } = mapChatCompletion(body, { logprobs: true, returnTokenIds: true });
    const choice = (body.choices as { token_ids: unknown; logprobs: { content: { logprob: number }[] } }[])[0]!;
    expect(usageReported).toBe(true);
    expect(response.text).toBe("");
    expect(response.finishReason).toBe("tool_calls");
    expect(response.modelId).toBe("Qwen/Qwen3-4B-Instruct-2507");
    expect(response.toolCalls).toEqual([
      {
        id: "chatcmpl-tool-4f0c2a9e1b7d4c3a8e6f5d2b1a0c9e8f",
        name: "memory_insert",
        arguments: '{"content": "Alice\'s sister Maya moved to Lyon in 2021."}',
      },
      {
        id: "chatcmpl-tool-7a1e3c5b9d2f4e6a8c0b1d3f5e7a9c2b",
        name: "memory_update",
        arguments: '{"memory_id": "m3", "new_content": "Alice works as a night-shift nurse at Lyon Sud hospital."}',
      },
    ]);
    expect(response.usage).toEqual({ promptTokens: 87, completionTokens: 85 });
    expect(response.promptTokenIds).toEqual(body.prompt_token_ids);
    expect(response.promptTokenIds).toHaveLength(87);
    expect(response.responseTokenIds).toEqual(choice.token_ids);
    expect(response.responseTokenIds?.at(-1)).toBe(151645);
    // The float32 artefact 2.4e-7 is clamped to 0; the others are kept as they are.
    expect(response.responseLogprobs?.[0]).toBe(0);
    expect(response.responseLogprobs?.slice(1)).toEqual(
      choice.logprobs.content.slice(1).map((entry: { logprob: number }) => entry.logprob),
    );
  });

  it("llama.cpp text with log-probabilities (entries carrying an extra id)", () => {
    const { response } = mapChatCompletion(recording("llama-cpp-text-logprobs"), {
      logprobs: true,
      returnTokenIds: false,
    });
    expect(response).toMatchObject({
      text: "Maya, Alice's sister, has lived in Lyon since 2021.",
      toolCalls: [],
      finishReason: "stop",
      usage: { promptTokens: 87, completionTokens: 15 },
      modelId: "Qwen3-4B-Instruct-2507-Q4_K_M.gguf",
    });
    expect(response.responseLogprobs).toHaveLength(14);
    expect(response.responseTokenIds).toBeUndefined();
  });

  it("Ollama: empty content next to a tool call", () => {
    const { response } = mapChatCompletion(recording("ollama-tool-call"), plain);
    expect(response).toEqual({
      text: "",
      toolCalls: [{ id: "call_5n1cu6xq", name: "memory_delete", arguments: '{"memory_id":"m7"}' }],
      finishReason: "tool_calls",
      usage: { promptTokens: 412, completionTokens: 24 },
      modelId: "qwen3:4b",
    });
  });

  it("OpenAI: text with detailed usage objects", () => {
    const { response } = mapChatCompletion(recording("openai-text"), plain);
    expect(response).toEqual({
      text: "Maya lives in Lyon; she moved there in 2021.",
      toolCalls: [],
      finishReason: "stop",
      usage: { promptTokens: 96, completionTokens: 14 },
      modelId: "gpt-4.1-mini-2025-04-14",
    });
  });
});

describe("mapChatCompletion field rules", () => {
  it.each([
    ["stop", "stop"],
    ["length", "length"],
    ["tool_calls", "tool_calls"],
    ["content_filter", "content_filter"],
    ["function_call", "tool_calls"],
    ["eos", "other"],
    [null, "other"],
  ])("finish_reason %s → %s", (wire, mapped) => {
    expect(mapChatCompletion(chatCompletion({ finishReason: wire }), plain).response.finishReason).toBe(mapped);
  });

  it("a body without usage reports zeros and says so", () => {
    const mapped = mapChatCompletion(chatCompletion({ usage: null }), plain);
    expect(mapped.usageReported).toBe(false);
    expect(mapped.response.usage).toEqual({ promptTokens: 0, completionTokens: 0 });
  });

  it("accepts SGLang's per-choice prompt_token_ids and output_ids", () => {
    const body = chatCompletion({ logprobs: [-0.1, -0.2] });
    const choice = (body.choices as Record<string, unknown>[])[0]!;
    choice.prompt_token_ids = [1, 2, 3];
    choice.output_ids = [7, 8];
    const { response } = mapChatCompletion(body, { logprobs: true, returnTokenIds: true });
    expect(response).toMatchObject({
      promptTokenIds: [1, 2, 3],
      responseTokenIds: [7, 8],
      responseLogprobs: [-0.1, -0.2],
    });
  });

  it.each([
    ["a body that is not an object", [], [], /expected a JSON object, got an array/],
    ["no choices", { id: "x" }, ["choices"], /expected an array of choices/],
    ["an empty choices array", { choices: [] }, ["choices"], /at least one choice/],
    ["a 200 carrying an error object", { error: { message: "model overloaded" } }, ["error"], /model overloaded/],
    ["a message that is a string", { choices: [{ message: "hi" }] }, ["choices", 0, "message"], /message object/],
    [
      "content that is a number",
      { choices: [{ message: { content: 42 } }] },
      ["choices", 0, "message", "content"],
      /string or null, got number 42/,
    ],
  ])("%s", (_name, body, path, message) => {
    const error = malformed(body);
    expect(error.path).toEqual(path);
    expect(error.message).toMatch(message);
  });

  it.each([
    [
      "a tool call without an id",
      (b: EditableBody) => delete b.choices[0]!.message.tool_calls[1]!.id,
      ["choices", 0, "message", "tool_calls", 1, "id"],
    ],
    [
      "a tool call without a name",
      (b: EditableBody) => (b.choices[0]!.message.tool_calls[0]!.function.name = ""),
      ["choices", 0, "message", "tool_calls", 0, "function", "name"],
    ],
    [
      "arguments given as an object",
      (b: EditableBody) => (b.choices[0]!.message.tool_calls[1]!.function.arguments = { content: "x" }),
      ["choices", 0, "message", "tool_calls", 1, "function", "arguments"],
    ],
    [
      "a tool call id with a space (spec id shape)",
      (b: EditableBody) => (b.choices[0]!.message.tool_calls[0]!.id = "call 1"),
      ["choices", 0, "message", "tool_calls", 0, "id"],
    ],
    ["prompt_tokens as a string", (b: EditableBody) => (b.usage.prompt_tokens = "87"), ["usage", "prompt_tokens"]],
    [
      "negative completion_tokens",
      (b: EditableBody) => (b.usage.completion_tokens = -1),
      ["usage", "completion_tokens"],
    ],
    ["model as a number", (b: EditableBody) => (b.model = 4), ["model"]],
    [
      "a positive log-probability",
      (b: EditableBody) => (b.choices[0]!.logprobs.content[3]!.logprob = 0.5),
      ["choices", 0, "logprobs", "content", 3, "logprob"],
    ],
    [
      "a token id that is not an integer",
      (b: EditableBody) => (b.choices[0]!.token_ids[2] = 1.5),
      ["choices", 0, "token_ids", 2],
    ],
    [
      "prompt token ids that are not an array",
      (b: EditableBody) => (b.prompt_token_ids = "1 2 3"),
      ["prompt_token_ids"],
    ],
    [
      "one token id too many",
      (b: EditableBody) => b.choices[0]!.token_ids.push(5),
      ["choices", 0, "logprobs", "content"],
    ],
  ])("%s → MalformedResponseError at the field", (_name, edit, path) => {
    const error = malformed(edited(recording("vllm-hermes-tool-calls-token-ids"), edit));
    expect(error).toMatchObject({ code: "malformed_response", path });
  });

  it("names the missing token ids and the server versions that return them", () => {
    const noPromptIds = malformed(chatCompletion({ tokenIds: [1] }), { logprobs: false, returnTokenIds: true });
    expect(noPromptIds.path).toEqual(["prompt_token_ids"]);
    expect(noPromptIds.message).toMatch(/vLLM returns them from v0\.10\.2/);
    const noResponseIds = malformed(chatCompletion({ promptTokenIds: [1] }), { logprobs: false, returnTokenIds: true });
    expect(noResponseIds.path).toEqual(["choices", 0, "token_ids"]);
  });

  it("refuses a response without the log-probabilities the request asked for", () => {
    expect(malformed(chatCompletion(), { logprobs: true, returnTokenIds: false }).path).toEqual([
      "choices",
      0,
      "logprobs",
    ]);
  });
});

describe("parseJsonBody and readReportedUsage", () => {
  it("a body that is not JSON, or empty, is malformed at the root with an excerpt", () => {
    for (const text of ['{"choices": [', "", "<html>Bad Gateway</html>"]) {
      let error: unknown;
      try {
        parseJsonBody(text);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(MalformedResponseError);
      expect(error).toMatchObject({ path: [], bodyExcerpt: text });
    }
  });

  it("reads well-formed usage from an otherwise unusable body", () => {
    expect(readReportedUsage({ choices: "x", usage: { prompt_tokens: 3, completion_tokens: 4 } })).toEqual({
      promptTokens: 3,
      completionTokens: 4,
    });
    expect(readReportedUsage({ usage: { prompt_tokens: "3", completion_tokens: 4 } })).toBeUndefined();
    expect(readReportedUsage(undefined)).toBeUndefined();
  });
});
