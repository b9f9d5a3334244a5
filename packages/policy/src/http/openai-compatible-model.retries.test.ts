import type { LanguageModelRequest } from "@finemem/spec";
import { createSeededRandom } from "@finemem/utils";
import { describe, expect, it } from "vitest";
import { createManualClock } from "../testing/manual-clock.js";
import { chatCompletion, type OpenAIReplayServer } from "../testing/openai-replay-server.js";
import { rejection, useReplayServers } from "../testing/test-support/replay-server-fixture.js";
import {
  MalformedResponseError,
  ModelHttpError,
  ModelNetworkError,
  ModelTimeoutError,
  UnsupportedOptionError,
} from "./errors.js";
import type { OpenAICompatibleModelOptions } from "./model-options.js";
import { createOpenAICompatibleModel, type OpenAICompatibleModel } from "./openai-compatible-model.js";

// Real HTTP against the replay server; every wait and timeout runs on a manual clock, so the tests
// assert exact delays and never sleep. A test awaits `whenTimerPending` (the real I/O resolves on the
// real event loop) before it advances the clock.

const serve = useReplayServers();

const request: LanguageModelRequest = { messages: [{ role: "user", content: "Where does Maya live?" }] };
const ok = () => ({ body: chatCompletion({ content: "Lyon", usage: { promptTokens: 10, completionTokens: 2 } }) });
const rateLimited = (retryAfter: string) => ({
  status: 429,
  headers: { "retry-after": retryAfter },
  body: { error: { message: "rate limited" } },
});
const serverError = (status = 500) => ({ status, body: { error: { message: `upstream failed with ${status}` } } });

/** The project's seeded random source, so that jittered delays are known in advance. */
const seeded = (seed: number) => {
  const random = createSeededRandom(seed);
  return () => random.next();
};

function modelFor(
  server: OpenAIReplayServer,
  clock = createManualClock(),
  options: Partial<OpenAICompatibleModelOptions> = {},
): OpenAICompatibleModel {
  return createOpenAICompatibleModel({ baseURL: server.baseURL, model: "m", clock, random: () => 0.5, ...options });
}

describe("retries on a fake clock", () => {
  it("429 with Retry-After: 3 waits exactly 3000 ms, sending nothing before", async () => {
    const clock = createManualClock();
    const server = await serve([rateLimited("3"), ok()]);
    const model = modelFor(server, clock);
    const pending = model.generate(request);

    await clock.whenTimerPending((timer) => timer.delayMs === 3000);
    expect(server.requests).toHaveLength(1);
    clock.advance(2999);
    // The wait is still pending, 1 ms away: the retry cannot have been sent.
    expect(clock.nextTimerDelay()).toBe(1);
    expect(server.requests).toHaveLength(1);
    clock.advance(1);

    await expect(pending).resolves.toMatchObject({ text: "Lyon" });
    expect(server.requests).toHaveLength(2);
    expect(model.ledger.snapshot().total).toMatchObject({ calls: 1, failedCalls: 0, attempts: 2, retries: 1 });
  });

  it("Retry-After as an HTTP date is read relative to the injected clock", async () => {
    const clock = createManualClock(Date.parse("Tue, 16 Sep 2025 12:00:00 GMT"));
    const server = await serve([rateLimited("Tue, 16 Sep 2025 12:00:05 GMT"), ok()]);
    const pending = modelFor(server, clock).generate(request);
    await clock.whenTimerPending((timer) => timer.delayMs === 5000);
    clock.advance(4999);
    expect(server.requests).toHaveLength(1);
    clock.advance(1);
    await expect(pending).resolves.toMatchObject({ text: "Lyon" });
  });

  it("a Retry-After longer than maxRetryAfterMs fails at once, saying so", async () => {
    const server = await serve([rateLimited("600"), ok()]);
    const error = await rejection(
      modelFor(server, createManualClock(), { retry: { maxRetryAfterMs: 60_000 } }).generate(request),
    );
    expect(error).toBeInstanceOf(ModelHttpError);
    expect(error).toMatchObject({ code: "model_http", status: 429, attempts: 1, retryAfterMs: 600_000 });
    expect((error as Error).message).toMatch(/Retry-After: 600.*maxRetryAfterMs/);
    expect(server.requests).toHaveLength(1);
  });

  it("500 then success: the delay is the seeded full-jitter draw, within [0, initialDelayMs]", async () => {
    const clock = createManualClock();
    const expectedDelay = seeded(42)() * 500;
    expect(expectedDelay).toBeGreaterThanOrEqual(0);
    expect(expectedDelay).toBeLessThanOrEqual(500);
    const server = await serve([serverError(500), ok()]);
    const pending = modelFor(server, clock, { random: seeded(42) }).generate(request);
    await clock.whenTimerPending((timer) => timer.delayMs === expectedDelay);
    expect(server.requests).toHaveLength(1);
    clock.advance(expectedDelay);
    await expect(pending).resolves.toMatchObject({ text: "Lyon" });
    expect(server.requests).toHaveLength(2);
  });

  it("backs off exponentially across 503, 502 and 504", async () => {
    const clock = createManualClock();
    const server = await serve([serverError(503), serverError(502), serverError(504), ok()]);
    const model = modelFor(server, clock, { retry: { initialDelayMs: 100, multiplier: 2 } });
    const pending = model.generate(request);
    for (const [index, delay] of [50, 100, 200].entries()) {
      await clock.whenTimerPending((timer) => timer.delayMs === delay);
      expect(server.requests).toHaveLength(index + 1);
      clock.advance(delay);
    }
    await expect(pending).resolves.toMatchObject({ text: "Lyon" });
    expect(model.ledger.snapshot().total).toMatchObject({ calls: 1, attempts: 4, retries: 3, failedCalls: 0 });
  });

  it("a hanging attempt times out after timeoutMs on the clock, then the retry succeeds", async () => {
    const clock = createManualClock();
    const server = await serve([{ hang: true }, ok()]);
    const pending = modelFor(server, clock, { timeoutMs: 1000, retry: { initialDelayMs: 100 } }).generate(request);
    await server.waitForRequests(1);
    await clock.whenTimerPending((timer) => timer.delayMs === 1000);
    clock.advance(999);
    expect(server.requests).toHaveLength(1);
    clock.advance(1);
    await clock.whenTimerPending((timer) => timer.delayMs === 50);
    clock.advance(50);
    await expect(pending).resolves.toMatchObject({ text: "Lyon" });
    expect(server.requests).toHaveLength(2);
  });

  it("a dropped connection is a network error, retried", async () => {
    const clock = createManualClock();
    const server = await serve([{ destroy: true }, ok()]);
    const pending = modelFor(server, clock).generate(request);
    await clock.whenTimerPending((timer) => timer.delayMs === 250);
    clock.advance(250);
    await expect(pending).resolves.toMatchObject({ text: "Lyon" });
    expect(server.requests).toHaveLength(2);
  });
});

describe("final errors once the budget is spent", () => {
  it("500s: ModelHttpError with attempts = maxRetries + 1 and the ledger counts", async () => {
    const clock = createManualClock();
    const server = await serve([serverError(), serverError(), serverError()]);
    const model = modelFor(server, clock, { retry: { maxRetries: 2, initialDelayMs: 100 } });
    const pending = rejection(model.generate(request));
    for (const delay of [50, 100]) {
      await clock.whenTimerPending((timer) => timer.delayMs === delay);
      clock.advance(delay);
    }
    const error = await pending;
    expect(error).toBeInstanceOf(ModelHttpError);
    expect(error).toMatchObject({ code: "model_http", status: 500, attempts: 3 });
    expect((error as ModelHttpError).bodyExcerpt).toContain("upstream failed with 500");
    expect(server.requests).toHaveLength(3);
    expect(clock.pendingTimers()).toBe(0);
    expect(model.ledger.snapshot().total).toEqual({
      calls: 0,
      failedCalls: 1,
      attempts: 3,
      retries: 2,
      promptTokens: 0,
      completionTokens: 0,
      costUsd: 0,
      callsWithoutUsage: 0,
    });
  });

  it("timeouts: ModelTimeoutError with the attempts", async () => {
    const clock = createManualClock();
    const server = await serve([{ hang: true }, { hang: true }]);
    const model = modelFor(server, clock, { timeoutMs: 1000, retry: { maxRetries: 1, initialDelayMs: 100 } });
    const pending = rejection(model.generate(request));
    await server.waitForRequests(1);
    clock.advance(1000);
    await clock.whenTimerPending((timer) => timer.delayMs === 50);
    clock.advance(50);
    await server.waitForRequests(2);
    await clock.whenTimerPending((timer) => timer.delayMs === 1000);
    clock.advance(1000);
    const error = await pending;
    expect(error).toBeInstanceOf(ModelTimeoutError);
    expect(error).toMatchObject({ code: "model_timeout", attempts: 2, timeoutMs: 1000 });
    expect(model.ledger.snapshot().total).toMatchObject({ failedCalls: 1, attempts: 2, retries: 1 });
  });

  it("network drops: ModelNetworkError with the attempts and the cause", async () => {
    const clock = createManualClock();
    const server = await serve([{ destroy: true }, { destroy: true }]);
    const pending = rejection(modelFor(server, clock, { retry: { maxRetries: 1 } }).generate(request));
    await clock.whenTimerPending((timer) => timer.delayMs === 250);
    clock.advance(250);
    const error = await pending;
    expect(error).toBeInstanceOf(ModelNetworkError);
    expect(error).toMatchObject({ code: "model_network", attempts: 2 });
    expect((error as Error).cause).toBeDefined();
  });

  it.each([400, 401, 404, 422])("HTTP %i fails at once, without retry", async (status) => {
    const clock = createManualClock();
    const server = await serve([{ status, body: { error: { message: "bad request: unknown field" } } }, ok()]);
    const model = modelFor(server, clock);
    const error = await rejection(model.generate(request));
    expect(error).toMatchObject({ code: "model_http", status, attempts: 1 });
    expect((error as Error).message).toContain("bad request: unknown field");
    expect(server.requests).toHaveLength(1);
    expect(clock.pendingTimers()).toBe(0);
    expect(model.ledger.snapshot().total).toMatchObject({ attempts: 1, retries: 0, failedCalls: 1 });
  });

  it("a 404 from a base URL without /v1 hints at the missing /v1; one with /v1 does not", async () => {
    const server = await serve([
      { status: 404, body: "Not Found" },
      { status: 404, body: "Not Found" },
    ]);
    const root = server.baseURL.replace(/\/v1\/?$/, "");
    const withoutV1 = await rejection(modelFor(server, createManualClock(), { baseURL: root }).generate(request));
    expect((withoutV1 as Error).message).toContain(`baseURL ends without /v1: try ${root}/v1`);
    const withV1 = await rejection(modelFor(server).generate(request));
    expect((withV1 as Error).message).not.toContain("without /v1");
  });

  it("bounds the body excerpt of a huge error page", async () => {
    const server = await serve([{ status: 400, body: "x".repeat(50_000) }]);
    const error = (await rejection(modelFor(server).generate(request))) as ModelHttpError;
    expect(error.bodyExcerpt.length).toBeLessThan(1100);
    expect(error.bodyExcerpt).toMatch(/49000 more characters/);
  });
});

describe("malformed responses and refused options", () => {
  it("a 200 body that is not JSON fails at once with MalformedResponseError", async () => {
    const server = await serve(
      ['{"id": "chatcmpl-1", "choices": [', ok()].map((body) => (typeof body === "string" ? { body } : body)),
    );
    const model = modelFor(server);
    const error = await rejection(model.generate(request));
    expect(error).toBeInstanceOf(MalformedResponseError);
    expect(error).toMatchObject({ code: "malformed_response", path: [] });
    expect(server.requests).toHaveLength(1);
    expect(model.ledger.snapshot().total).toMatchObject({ attempts: 1, failedCalls: 1, calls: 0 });
  });

  it("a wrong field type names the path; the tokens it reports are still accounted", async () => {
    const body = chatCompletion({
      toolCalls: [
        { name: "memory_insert", arguments: { content: "a" } },
        { name: "memory_insert", arguments: "{}" },
      ],
      usage: { promptTokens: 30, completionTokens: 12 },
    });
    (body.choices as { message: { tool_calls: { function: Record<string, unknown> }[] } }[])[0]!.message
      .tool_calls[1]!.function.arguments = { content: "b" };
    const server = await serve([{ body }]);
    const model = modelFor(server, createManualClock(), {
      pricing: { promptUsdPerMillion: 1, completionUsdPerMillion: 1 },
    });
    const error = await rejection(model.generate(request));
    expect(error).toMatchObject({
      code: "malformed_response",
      path: ["choices", 0, "message", "tool_calls", 1, "function", "arguments"],
    });
    expect(model.ledger.snapshot().total).toMatchObject({
      failedCalls: 1,
      promptTokens: 30,
      completionTokens: 12,
      costUsd: 42 / 1e6,
    });
  });

  it("token ids requested but absent: MalformedResponseError naming the path and the server versions", async () => {
    const server = await serve([{ body: chatCompletion() }]);
    const model = modelFor(server, createManualClock(), { engine: "vllm" });
    const error = await rejection(model.generate({ ...request, returnTokenIds: true }));
    expect(error).toMatchObject({ code: "malformed_response", path: ["prompt_token_ids"] });
    expect((error as Error).message).toMatch(/v0\.10\.2/);
    expect(server.requests[0]!.body).toMatchObject({ return_token_ids: true });
  });

  it("topK on a generic engine: UnsupportedOptionError before any request", async () => {
    const server = await serve([ok()]);
    const model = modelFor(server);
    const error = await rejection(model.generate({ ...request, sampling: { topK: 20 } }));
    expect(error).toBeInstanceOf(UnsupportedOptionError);
    expect(error).toMatchObject({ code: "unsupported_option", path: ["sampling", "topK"] });
    expect(server.requests).toHaveLength(0);
    expect(model.ledger.snapshot().total.attempts).toBe(0);
  });

  it("an invalid request is refused by the spec validator before any request", async () => {
    const server = await serve([ok()]);
    const error = await rejection(modelFor(server).generate({ messages: [] }));
    expect(error).toMatchObject({ code: "out_of_range", path: ["messages"] });
    expect(server.requests).toHaveLength(0);
  });
});
