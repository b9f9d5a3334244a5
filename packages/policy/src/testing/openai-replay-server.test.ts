import { describe, expect, it } from "vitest";
import { chatCompletion, type OpenAIReplayServer, startOpenAIReplayServer } from "./openai-replay-server.js";
import { useReplayServers } from "./test-support/replay-server-fixture.js";

const serve = useReplayServers();

const post = (server: OpenAIReplayServer, body: unknown, init: RequestInit = {}) =>
  fetch(`${server.baseURL}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    ...init,
  });

describe("startOpenAIReplayServer", () => {
  it("listens on 127.0.0.1, answers entries in order and records each request", async () => {
    const server = await serve([
      { body: { n: 1 } },
      { status: 429, headers: { "retry-after": "3" }, body: "raw text" },
    ]);
    expect(server.baseURL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);

    const first = await post(
      server,
      { model: "m" },
      { headers: { "content-type": "application/json", "x-session-id": "s1" } },
    );
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ n: 1 });
    const second = await post(server, { model: "m2" });
    expect(second.status).toBe(429);
    expect(second.headers.get("retry-after")).toBe("3");
    expect(await second.text()).toBe("raw text");

    expect(server.requests).toHaveLength(2);
    expect(server.requests[0]).toMatchObject({ method: "POST", path: "/v1/chat/completions", body: { model: "m" } });
    expect(server.requests[0]!.headers["x-session-id"]).toBe("s1");
  });

  it("answers 500 with a clear message once the script runs out", async () => {
    const server = await serve([]);
    const response = await post(server, {});
    expect(response.status).toBe(500);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(
      /script has 0 entries and request #1 has none/,
    );
  });

  it("a function script sees the body and the index", async () => {
    const server = await serve((body, index) => ({ body: { echo: body, index } }));
    await post(server, { a: 1 });
    const response = await post(server, { a: 2 });
    expect(await response.json()).toEqual({ echo: { a: 2 }, index: 1 });
  });

  it("answers 404 for anything but POST /v1/chat/completions, without consuming the script", async () => {
    const server = await serve([{ body: { ok: true } }]);
    const models = await fetch(`${server.baseURL}/models`);
    expect(models.status).toBe(404);
    expect(await (await post(server, {})).json()).toEqual({ ok: true });
  });

  it("destroy drops the connection: the client sees a network error", async () => {
    const server = await serve([{ destroy: true }]);
    await expect(post(server, {})).rejects.toThrow(/fetch failed/);
  });

  it("hang never answers, and close() still returns promptly", async () => {
    const server = await startOpenAIReplayServer([{ hang: true }]);
    const pending = post(server, {}).catch((error: unknown) => error);
    await server.waitForRequests(1);
    expect(server.inFlight()).toBe(1);
    await server.close();
    expect(await pending).toBeInstanceOf(Error);
  });

  it("waitFor holds an answer until released, and inFlight counts held requests", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const server = await serve(() => ({ waitFor: held, body: chatCompletion() }));
    const answers = [post(server, {}), post(server, {})];
    await server.waitForRequests(2);
    expect(server.inFlight()).toBe(2);
    release();
    await Promise.all(answers);
    expect(server.maxInFlight()).toBe(2);
  });
});

describe("chatCompletion", () => {
  it("builds a vLLM-shaped body", () => {
    const body = chatCompletion({
      toolCalls: [{ name: "memory_insert", arguments: { content: "Maya lives in Lyon" } }],
      logprobs: [-0.1, -0.2],
      tokenIds: [11, 12],
      promptTokenIds: [1, 2, 3],
      model: "Qwen/Qwen3-8B",
    });
    expect(body).toMatchObject({
      object: "chat.completion",
      model: "Qwen/Qwen3-8B",
      usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
      prompt_token_ids: [1, 2, 3],
    });
    const choice = (
      body.choices as {
        message: { content: unknown; tool_calls: unknown[] };
        logprobs: { content: { logprob: number }[] };
      }[]
    )[0]!;
    expect(choice).toMatchObject({ index: 0, finish_reason: "tool_calls", token_ids: [11, 12] });
    expect(choice.message.content).toBeNull();
    expect(choice.message.tool_calls[0]).toMatchObject({
      type: "function",
      function: { name: "memory_insert", arguments: '{"content":"Maya lives in Lyon"}' },
    });
    expect(choice.logprobs.content.map((entry: { logprob: number }) => entry.logprob)).toEqual([-0.1, -0.2]);
  });

  it("defaults to a short text answer, and usage null leaves usage out", () => {
    const body = chatCompletion({ usage: null });
    expect((body.choices as unknown[])[0]).toMatchObject({
      message: { content: "OK", tool_calls: [] },
      finish_reason: "stop",
      logprobs: null,
    });
    expect(body).not.toHaveProperty("usage");
    expect(body).not.toHaveProperty("prompt_token_ids");
  });
});
