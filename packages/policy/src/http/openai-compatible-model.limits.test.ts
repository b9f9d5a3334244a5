import { AbortedError, type LanguageModelRequest } from "@finemem/spec";
import { describe, expect, it } from "vitest";
import { createManualClock } from "../testing/manual-clock.js";
import { chatCompletion } from "../testing/openai-replay-server.js";
import { rejection, useReplayServers } from "../testing/test-support/replay-server-fixture.js";
import { SpendingCapError } from "./errors.js";
import { createOpenAICompatibleModel } from "./openai-compatible-model.js";
import { createUsageLedger } from "./usage-ledger.js";

// Spending caps, concurrency, cancellation and shared accounting, over real HTTP on a manual clock.

const serve = useReplayServers();

const ask = (content: string): LanguageModelRequest => ({ messages: [{ role: "user", content }] });
const answer = (promptTokens: number, completionTokens: number) => ({
  body: chatCompletion({ usage: { promptTokens, completionTokens } }),
});
const pricing = { promptUsdPerMillion: 1, completionUsdPerMillion: 2 };

/** A promise to hold responses back with, and the function that lets them go. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe("spending caps", () => {
  it("once cost reaches spendingCapUsd, the next call throws SpendingCapError and sends nothing", async () => {
    const server = await serve(() => answer(1000, 200));
    const ledger = createUsageLedger({ spendingCapUsd: 0.001 });
    const model = createOpenAICompatibleModel({
      baseURL: server.baseURL,
      model: "m",
      clock: createManualClock(),
      ledger,
      pricing,
      role: "manager",
    });

    await model.generate(ask("first"));
    expect(ledger.snapshot().total.costUsd).toBeCloseTo(0.0014, 12);
    const error = await rejection(model.generate(ask("second")));
    expect(error).toBeInstanceOf(SpendingCapError);
    expect(error).toMatchObject({ code: "spending_cap", cap: "spendingCapUsd", limit: 0.001, role: "manager" });
    expect((error as Error).message).toMatch(/\$0\.0014 spent of the \$0\.001 spendingCapUsd.*"manager"/);
    expect(server.requests).toHaveLength(1);
    expect(ledger.snapshot().roles.manager).toMatchObject({ calls: 1, failedCalls: 0, attempts: 1 });
  });

  it("tokenCap stops calls the same way", async () => {
    const server = await serve(() => answer(80, 30));
    const model = createOpenAICompatibleModel({
      baseURL: server.baseURL,
      model: "m",
      ledger: createUsageLedger({ tokenCap: 100 }),
    });
    await model.generate(ask("first"));
    await expect(model.generate(ask("second"))).rejects.toMatchObject({
      code: "spending_cap",
      cap: "tokenCap",
      spent: 110,
      limit: 100,
    });
    expect(server.requests).toHaveLength(1);
  });

  it("calls in flight when the cap is crossed complete and are recorded; only new calls are refused", async () => {
    const held = gate();
    const server = await serve(() => ({ ...answer(1000, 0), waitFor: held.promise }));
    // Each answer costs $0.001: the first to finish crosses the cap while the other is still in flight.
    const ledger = createUsageLedger({ spendingCapUsd: 0.0005 });
    const model = createOpenAICompatibleModel({ baseURL: server.baseURL, model: "m", ledger, pricing, concurrency: 2 });
    const inFlight = [model.generate(ask("a")), model.generate(ask("b"))];
    // Queued behind the two in flight: it passed the first cap check and meets the second when it leaves the queue.
    const queued = rejection(model.generate(ask("c")));
    await server.waitForRequests(2);
    held.open();
    await Promise.all(inFlight);
    expect(await queued).toBeInstanceOf(SpendingCapError);
    expect(server.requests).toHaveLength(2);
    expect(ledger.snapshot().total).toMatchObject({ calls: 2, failedCalls: 0, attempts: 2, promptTokens: 2000 });
    expect(ledger.snapshot().total.costUsd).toBeCloseTo(0.002, 12);
  });
});

describe("concurrency", () => {
  it("with concurrency 2, five calls never have more than 2 requests at the server, served in call order", async () => {
    const held = gate();
    const server = await serve((body) => ({
      waitFor: held.promise,
      body: chatCompletion({ content: (body as { messages: { content: string }[] }).messages[0]!.content }),
    }));
    // Counts requests on the client side too: fetches start within microtasks of generate(), so by the
    // time two requests have reached the server, any call the limiter failed to hold back has started.
    let started = 0;
    let open = 0;
    let maxOpen = 0;
    const countingFetch: typeof fetch = async (input, init) => {
      started++;
      maxOpen = Math.max(maxOpen, ++open);
      try {
        return await fetch(input, init);
      } finally {
        open--;
      }
    };
    const model = createOpenAICompatibleModel({
      baseURL: server.baseURL,
      model: "m",
      concurrency: 2,
      fetch: countingFetch,
    });
    const calls = [0, 1, 2, 3, 4].map((index) => model.generate(ask(`call ${index}`)));
    await server.waitForRequests(2);
    expect(started).toBe(2);
    expect(server.inFlight()).toBe(2);
    held.open();
    const responses = await Promise.all(calls);
    expect(responses.map((response) => response.text)).toEqual(["call 0", "call 1", "call 2", "call 3", "call 4"]);
    expect(started).toBe(5);
    expect(maxOpen).toBe(2);
    expect(server.maxInFlight()).toBeLessThanOrEqual(2);
    expect(
      server.requests.map((received) => (received.body as { messages: { content: unknown }[] }).messages[0]!.content),
    ).toEqual(["call 0", "call 1", "call 2", "call 3", "call 4"]);
  });
});

describe("cancellation", () => {
  it("abort while queued: AbortedError, nothing sent for that call, nothing recorded", async () => {
    const held = gate();
    const server = await serve(() => ({ ...answer(1, 1), waitFor: held.promise }));
    const model = createOpenAICompatibleModel({ baseURL: server.baseURL, model: "m", concurrency: 1 });
    const first = model.generate(ask("first"));
    const controller = new AbortController();
    const queued = rejection(model.generate(ask("queued"), { signal: controller.signal }));
    await server.waitForRequests(1);
    controller.abort(new Error("user cancelled"));
    expect(await queued).toBeInstanceOf(AbortedError);
    held.open();
    await first;
    expect(server.requests).toHaveLength(1);
    expect(model.ledger.snapshot().total).toMatchObject({ calls: 1, failedCalls: 0, attempts: 1 });
  });

  it("abort while waiting for a retry: AbortedError, the wait is cancelled", async () => {
    const clock = createManualClock();
    const server = await serve([{ status: 503, body: "overloaded" }, answer(1, 1)]);
    const model = createOpenAICompatibleModel({ baseURL: server.baseURL, model: "m", clock, random: () => 0.5 });
    const controller = new AbortController();
    const pending = rejection(model.generate(ask("x"), { signal: controller.signal }));
    await clock.whenTimerPending((timer) => timer.delayMs === 250);
    controller.abort();
    expect(await pending).toBeInstanceOf(AbortedError);
    expect(clock.pendingTimers()).toBe(0);
    expect(server.requests).toHaveLength(1);
    expect(model.ledger.snapshot().total).toMatchObject({ attempts: 1, failedCalls: 1, calls: 0 });
  });

  it("abort in flight: AbortedError, the request and its timeout are cancelled", async () => {
    const clock = createManualClock();
    const server = await serve([{ hang: true }]);
    const model = createOpenAICompatibleModel({ baseURL: server.baseURL, model: "m", clock });
    const controller = new AbortController();
    const pending = rejection(model.generate(ask("x"), { signal: controller.signal }));
    await server.waitForRequests(1);
    controller.abort();
    const error = await pending;
    expect(error).toBeInstanceOf(AbortedError);
    expect(clock.pendingTimers()).toBe(0);
    expect(model.ledger.snapshot().total).toMatchObject({ attempts: 1, failedCalls: 1 });
  });

  it("an already aborted signal sends nothing", async () => {
    const server = await serve([answer(1, 1)]);
    const model = createOpenAICompatibleModel({ baseURL: server.baseURL, model: "m" });
    await expect(model.generate(ask("x"), { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortedError);
    expect(server.requests).toHaveLength(0);
  });
});

describe("shared ledger", () => {
  it("a manager and a reasoner sharing one ledger are accounted separately, and together in the total", async () => {
    const server = await serve((body) =>
      (body as { model?: unknown }).model === "manager-model" ? answer(100, 10) : answer(2000, 500),
    );
    const ledger = createUsageLedger();
    const manager = createOpenAICompatibleModel({
      baseURL: server.baseURL,
      model: "manager-model",
      role: "manager",
      ledger,
      pricing: { promptUsdPerMillion: 0.1, completionUsdPerMillion: 0.4 },
    });
    const reasoner = createOpenAICompatibleModel({
      baseURL: server.baseURL,
      model: "reasoner-model",
      role: "reasoner",
      ledger,
      pricing: { promptUsdPerMillion: 1, completionUsdPerMillion: 4 },
    });
    expect(manager.ledger).toBe(reasoner.ledger);
    await Promise.all([manager.generate(ask("1")), manager.generate(ask("2")), reasoner.generate(ask("3"))]);

    const snapshot = ledger.snapshot();
    expect(snapshot.roles.manager).toMatchObject({ calls: 2, attempts: 2, promptTokens: 200, completionTokens: 20 });
    expect(snapshot.roles.manager!.costUsd).toBeCloseTo((200 * 0.1 + 20 * 0.4) / 1e6, 15);
    expect(snapshot.roles.reasoner).toMatchObject({ calls: 1, attempts: 1, promptTokens: 2000, completionTokens: 500 });
    expect(snapshot.roles.reasoner!.costUsd).toBeCloseTo((2000 * 1 + 500 * 4) / 1e6, 15);
    expect(snapshot.total).toMatchObject({ calls: 3, attempts: 3, promptTokens: 2200, completionTokens: 520 });
  });

  it("a response without usage counts as a call without usage", async () => {
    const server = await serve([{ body: chatCompletion({ usage: null }) }]);
    const model = createOpenAICompatibleModel({ baseURL: server.baseURL, model: "m" });
    await expect(model.generate(ask("x"))).resolves.toMatchObject({ usage: { promptTokens: 0, completionTokens: 0 } });
    expect(model.ledger.snapshot().roles.default).toMatchObject({ calls: 1, callsWithoutUsage: 1, promptTokens: 0 });
  });
});
