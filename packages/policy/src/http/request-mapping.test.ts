import type { LanguageModelRequest } from "@finemem/spec";
import { describe, expect, it } from "vitest";
import { UnsupportedOptionError } from "./errors.js";
import { toChatCompletionBody } from "./request-mapping.js";
import { SERVING_ENGINES, type ServingEngine } from "./serving-engine.js";

const base: LanguageModelRequest = { messages: [{ role: "user", content: "hi" }] };

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

describe("toChatCompletionBody", () => {
  it("maps every message role, tools, tool choice and sampling field", () => {
    const body = toChatCompletionBody(
      {
        messages: [
          { role: "system", content: "You manage memory." },
          { role: "user", content: "Maya moved to Lyon." },
          {
            role: "assistant",
            content: "",
            toolCalls: [{ id: "call_1", name: "memory_insert", arguments: '{"content":"Maya lives in Lyon"}' }],
          },
          { role: "tool", toolCallId: "call_1", content: "inserted m4" },
          { role: "assistant", content: "Done.", toolCalls: [] },
        ],
        tools: [
          {
            name: "memory_insert",
            description: "Insert a fact.",
            parameters: { type: "object", properties: { content: { type: "string" } } },
          },
        ],
        toolChoice: { name: "memory_insert" },
        sampling: { temperature: 0.7, topP: 0.9, topK: 20, maxTokens: 256, seed: 7, stop: ["</s>"] },
        logprobs: true,
        returnTokenIds: true,
      },
      { model: "Qwen/Qwen3-4B", engine: "vllm" },
    );
    expect(body).toEqual({
      model: "Qwen/Qwen3-4B",
      messages: [
        { role: "system", content: "You manage memory." },
        { role: "user", content: "Maya moved to Lyon." },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            {
              id: "call_1",
              type: "function",
              function: { name: "memory_insert", arguments: '{"content":"Maya lives in Lyon"}' },
            },
          ],
        },
        { role: "tool", tool_call_id: "call_1", content: "inserted m4" },
        { role: "assistant", content: "Done." },
      ],
      tools: [
        {
          type: "function",
          function: {
            name: "memory_insert",
            description: "Insert a fact.",
            parameters: { type: "object", properties: { content: { type: "string" } } },
          },
        },
      ],
      tool_choice: { type: "function", function: { name: "memory_insert" } },
      temperature: 0.7,
      top_p: 0.9,
      top_k: 20,
      max_tokens: 256,
      seed: 7,
      stop: ["</s>"],
      logprobs: true,
      return_token_ids: true,
    });
  });

  it("sends string tool choices as they are and leaves unset fields out", () => {
    for (const toolChoice of ["auto", "none", "required"] as const) {
      expect(toChatCompletionBody({ ...base, toolChoice }, { model: "m", engine: "generic" })).toEqual({
        model: "m",
        messages: [{ role: "user", content: "hi" }],
        tool_choice: toolChoice,
      });
    }
  });

  it.each(SERVING_ENGINES.map((engine) => [engine]))(
    "topK on engine %s: sent only where the engine reads top_k",
    (engine: ServingEngine) => {
      const request = { ...base, sampling: { topK: 40 } };
      if (engine === "vllm" || engine === "sglang" || engine === "llama-cpp") {
        expect(toChatCompletionBody(request, { model: "m", engine })).toMatchObject({ top_k: 40 });
        return;
      }
      const error = thrown(() => toChatCompletionBody(request, { model: "m", engine }));
      expect(error).toBeInstanceOf(UnsupportedOptionError);
      expect(error).toMatchObject({ code: "unsupported_option", path: ["sampling", "topK"] });
      expect((error as Error).message).toContain(`engine "${engine}"`);
    },
  );

  it.each(SERVING_ENGINES.map((engine) => [engine]))(
    "returnTokenIds on engine %s: only vLLM and SGLang",
    (engine: ServingEngine) => {
      const request = { ...base, returnTokenIds: true };
      if (engine === "vllm" || engine === "sglang") {
        expect(toChatCompletionBody(request, { model: "m", engine })).toMatchObject({ return_token_ids: true });
        return;
      }
      expect(thrown(() => toChatCompletionBody(request, { model: "m", engine }))).toMatchObject({
        code: "unsupported_option",
        path: ["returnTokenIds"],
      });
    },
  );

  it("extraBody supplies defaults that the request's own fields override", () => {
    const body = toChatCompletionBody(
      { ...base, sampling: { temperature: 0 } },
      { model: "m", engine: "vllm", extraBody: { temperature: 1, chat_template_kwargs: { enable_thinking: false } } },
    );
    expect(body).toMatchObject({ temperature: 0, chat_template_kwargs: { enable_thinking: false } });
  });
});
