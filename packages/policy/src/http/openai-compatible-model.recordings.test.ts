import { readFileSync } from "node:fs";
import type { LanguageModelRequest } from "@finemem/spec";
import { describe, expect, it } from "vitest";
import { useReplayServers } from "../testing/test-support/replay-server-fixture.js";
import { createOpenAICompatibleModel } from "./openai-compatible-model.js";

// Real HTTP against the replay server, replaying the hand-written recordings of each server's shape.

const recording = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`./__recordings__/${name}.json`, import.meta.url), "utf8")) as Record<
    string,
    unknown
  >;

const serve = useReplayServers();

const managerRequest: LanguageModelRequest = {
  messages: [
    { role: "system", content: "You manage a long-term memory. Call one tool per fact worth keeping." },
    { role: "user", content: "Memory:\n[m3] Alice works as a nurse." },
    { role: "assistant", content: "", toolCalls: [{ id: "call_0", name: "memory_skip", arguments: "{}" }] },
    { role: "tool", toolCallId: "call_0", content: "skipped" },
    {
      role: "user",
      content: "New chunk:\nAlice: my sister Maya moved to Lyon in 2021, and I switched to night shifts at Lyon Sud.",
    },
  ],
  tools: [
    {
      name: "memory_insert",
      description: "Insert a new fact.",
      parameters: { type: "object", properties: { content: { type: "string" } }, required: ["content"] },
    },
    {
      name: "memory_update",
      description: "Rewrite an existing item.",
      parameters: {
        type: "object",
        properties: { memory_id: { type: "string" }, new_content: { type: "string" } },
        required: ["memory_id", "new_content"],
      },
    },
  ],
  toolChoice: "required",
  sampling: { temperature: 1, topP: 0.95, topK: 20, maxTokens: 512, seed: 1234, stop: ["<|endoftext|>"] },
  logprobs: true,
  returnTokenIds: true,
  headers: { "X-Session-Id": "episode-7" },
};

describe("OpenAI-compatible model on recorded responses", () => {
  it("vLLM: sends the full request as documented and maps tool calls, log-probabilities, token ids and usage", async () => {
    const body = recording("vllm-hermes-tool-calls-token-ids");
    const server = await serve([{ body }]);
    const model = createOpenAICompatibleModel({
      baseURL: server.baseURL,
      model: "Qwen/Qwen3-4B-Instruct-2507",
      engine: "vllm",
      apiKey: "sk-local",
      headers: { "x-team": "memory", "x-session-id": "overridden-by-request" },
      extraBody: { chat_template_kwargs: { enable_thinking: false } },
      role: "manager",
      pricing: { promptUsdPerMillion: 0.1, completionUsdPerMillion: 0.4 },
    });
    expect(model).toMatchObject({
      provider: "openai-compatible",
      modelId: "Qwen/Qwen3-4B-Instruct-2507",
      specificationVersion: "v1",
      engine: "vllm",
      role: "manager",
    });

    const response = await model.generate(managerRequest);

    expect(server.requests).toHaveLength(1);
    const sent = server.requests[0]!;
    expect(sent.method).toBe("POST");
    expect(sent.path).toBe("/v1/chat/completions");
    expect(sent.headers).toMatchObject({
      authorization: "Bearer sk-local",
      "content-type": "application/json",
      "x-team": "memory",
      "x-session-id": "episode-7",
    });
    expect(sent.body).toEqual({
      chat_template_kwargs: { enable_thinking: false },
      model: "Qwen/Qwen3-4B-Instruct-2507",
      messages: [
        { role: "system", content: "You manage a long-term memory. Call one tool per fact worth keeping." },
        { role: "user", content: "Memory:\n[m3] Alice works as a nurse." },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "call_0", type: "function", function: { name: "memory_skip", arguments: "{}" } }],
        },
        { role: "tool", tool_call_id: "call_0", content: "skipped" },
        {
          role: "user",
          content:
            "New chunk:\nAlice: my sister Maya moved to Lyon in 2021, and I switched to night shifts at Lyon Sud.",
        },
      ],
      tools: [
        {
          type: "function",
          function: {
            name: "memory_insert",
            description: "Insert a new fact.",
            parameters: { type: "object", properties: { content: { type: "string" } }, required: ["content"] },
          },
        },
        {
          type: "function",
          function: {
            name: "memory_update",
            description: "Rewrite an existing item.",
            parameters: {
              type: "object",
              properties: { memory_id: { type: "string" }, new_content: { type: "string" } },
              required: ["memory_id", "new_content"],
            },
          },
        },
      ],
      tool_choice: "required",
      temperature: 1,
      top_p: 0.95,
      top_k: 20,
      max_tokens: 512,
      seed: 1234,
      stop: ["<|endoftext|>"],
      logprobs: true,
      return_token_ids: true,
    });

    const choice = (body.choices as { token_ids: unknown }[])[0]!;
    expect(response.text).toBe("");
    expect(response.finishReason).toBe("tool_calls");
    expect(response.modelId).toBe("Qwen/Qwen3-4B-Instruct-2507");
    expect(response.toolCalls.map((call) => call.name)).toEqual(["memory_insert", "memory_update"]);
    expect(JSON.parse(response.toolCalls[1]!.arguments)).toEqual({
      memory_id: "m3",
      new_content: "Alice works as a night-shift nurse at Lyon Sud hospital.",
    });
    expect(response.usage).toEqual({ promptTokens: 87, completionTokens: 85 });
    expect(response.promptTokenIds).toEqual(body.prompt_token_ids);
    expect(response.responseTokenIds).toEqual(choice.token_ids);
    expect(response.responseLogprobs).toHaveLength(85);
    expect(response.responseLogprobs?.[0]).toBe(0);
    // vLLM's default --logprobs-mode is raw_logprobs: the body cannot say so, the engine default does.
    expect(response.logprobDistribution).toBe("raw");

    expect(model.ledger.snapshot().roles.manager).toEqual({
      calls: 1,
      failedCalls: 0,
      attempts: 1,
      retries: 0,
      promptTokens: 87,
      completionTokens: 85,
      costUsd: (87 * 0.1 + 85 * 0.4) / 1e6,
      callsWithoutUsage: 0,
    });
  });

  it("llama.cpp: text with log-probabilities, top_k sent", async () => {
    const server = await serve([{ body: recording("llama-cpp-text-logprobs") }]);
    const model = createOpenAICompatibleModel({
      baseURL: server.baseURL,
      model: "Qwen3-4B-Instruct-2507-Q4_K_M",
      engine: "llama-cpp",
    });
    const response = await model.generate({
      messages: [{ role: "user", content: "Where does Maya live?" }],
      sampling: { topK: 40 },
      logprobs: true,
    });
    expect(server.requests[0]!.body).toMatchObject({ top_k: 40, logprobs: true });
    expect(server.requests[0]!.headers.authorization).toBeUndefined();
    expect(response).toMatchObject({
      text: "Maya, Alice's sister, has lived in Lyon since 2021.",
      finishReason: "stop",
      usage: { promptTokens: 87, completionTokens: 15 },
    });
    expect(response.responseLogprobs).toHaveLength(14);
    expect(response).not.toHaveProperty("logprobDistribution");
  });

  it("Ollama: a tool call next to empty content, with a function tool choice", async () => {
    const server = await serve([{ body: recording("ollama-tool-call") }]);
    const model = createOpenAICompatibleModel({
      baseURL: server.baseURL,
      model: "qwen3:4b",
      engine: "ollama",
      apiKey: "ollama",
    });
    const response = await model.generate({
      messages: [{ role: "user", content: "Forget item m7." }],
      tools: [
        {
          name: "memory_delete",
          description: "Delete an item.",
          parameters: { type: "object", properties: { memory_id: { type: "string" } } },
        },
      ],
      toolChoice: { name: "memory_delete" },
    });
    expect(server.requests[0]!.body).toMatchObject({
      model: "qwen3:4b",
      tool_choice: { type: "function", function: { name: "memory_delete" } },
    });
    expect(response).toEqual({
      text: "",
      toolCalls: [{ id: "call_5n1cu6xq", name: "memory_delete", arguments: '{"memory_id":"m7"}' }],
      finishReason: "tool_calls",
      usage: { promptTokens: 412, completionTokens: 24 },
      modelId: "qwen3:4b",
    });
  });

  it("OpenAI: a text answer; a generic engine sends only standard fields", async () => {
    const server = await serve([{ body: recording("openai-text") }]);
    const model = createOpenAICompatibleModel({
      baseURL: `${server.baseURL}/`,
      model: "gpt-4.1-mini",
      apiKey: "sk-test",
      role: "reasoner",
    });
    const response = await model.generate({
      messages: [{ role: "user", content: "Where does Maya live?" }],
      sampling: { temperature: 0, maxTokens: 64 },
    });
    expect(server.requests[0]!.body).toEqual({
      model: "gpt-4.1-mini",
      messages: [{ role: "user", content: "Where does Maya live?" }],
      temperature: 0,
      max_tokens: 64,
    });
    expect(response).toEqual({
      text: "Maya lives in Lyon; she moved there in 2021.",
      toolCalls: [],
      finishReason: "stop",
      usage: { promptTokens: 96, completionTokens: 14 },
      modelId: "gpt-4.1-mini-2025-04-14",
    });
    expect(model.ledger.snapshot().roles.reasoner).toMatchObject({
      calls: 1,
      promptTokens: 96,
      completionTokens: 14,
      costUsd: 0,
    });
  });
});
