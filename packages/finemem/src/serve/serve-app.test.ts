// finemem serve over real HTTP on loopback: a whole episode, every bad request with its 4xx while the
// server keeps serving, the concurrency limit, a graceful shutdown that finishes the step in flight,
// and the OpenAPI document (validated by openapi-spec-validator, the Python reference, and matched to
// the routes).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateSyntheticBenchmark } from "@finemem/benchmarks";
import { createExtractiveReader } from "@finemem/policy";
import type { Reasoner } from "@finemem/spec";
import { checkService, probePython, pythonPath } from "@finemem/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEpisodeEngine } from "./episode-engine.js";
import { createInMemoryEpisodeRepository } from "./episode-repository.js";
import { createServeApp } from "./serve-app.js";
import { type RunningServer, startServer } from "./start-server.js";
import { scriptedOutput } from "./test-support/scripted-client.js";

const python = await checkService("python", () => probePython(["openapi_spec_validator"]));
const TOKEN = "secret-token";
const [instance] = generateSyntheticBenchmark({
  seed: "serve-http",
  instanceCount: 1,
  chunkCount: 3,
  questionsPerChunk: 2,
});

/** A reader that waits for `gate` before answering: a step held in flight. */
function gatedReasoner(base: Reasoner) {
  let open: () => void = () => {};
  let gate = Promise.resolve();
  return {
    reasoner: {
      ...base,
      answer: async (...args: Parameters<Reasoner["answer"]>) => {
        await gate;
        return base.answer(...args);
      },
    },
    hold() {
      gate = new Promise((resolve) => (open = resolve));
    },
    release: () => open(),
  };
}

async function start(overrides: { maxInFlight?: number; maxBodyBytes?: number; reasoner?: Reasoner } = {}) {
  const engine = createEpisodeEngine({
    repository: createInMemoryEpisodeRepository(),
    reasoner: overrides.reasoner ?? createExtractiveReader(),
  });
  const serveApp = createServeApp({
    engine,
    token: TOKEN,
    instanceById: (id) => (id === instance!.instanceId ? instance : undefined),
    ...(overrides.maxInFlight === undefined ? {} : { maxInFlight: overrides.maxInFlight }),
    ...(overrides.maxBodyBytes === undefined ? {} : { maxBodyBytes: overrides.maxBodyBytes }),
  });
  return { serveApp, server: await startServer({ serveApp }) };
}

function client(server: RunningServer) {
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json", ...headers },
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    // biome-ignore lint/suspicious/noExplicitAny: the tests read whatever JSON each route answers
    return { status: response.status, body: text === "" ? null : (JSON.parse(text) as any) };
  };
}

describe("finemem serve over HTTP", () => {
  let server: RunningServer;
  let call: ReturnType<typeof client>;
  beforeAll(async () => {
    server = (await start({ maxBodyBytes: 64 * 1024 })).server;
    call = client(server);
  });
  afterAll(async () => server.close());

  it("runs an episode: start by id, every step with its key, finalize with every reward per step", async () => {
    const started = await call("POST", "/v1/episodes", { instanceId: instance!.instanceId, rollout: 1 });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ instanceId: instance!.instanceId, rollout: 1, chunks: 3, next: { step: 1 } });
    let next = started.body.next;
    while (next !== null) {
      const applied = await call(
        "POST",
        `/v1/episodes/${started.body.episodeId}/steps`,
        { step: next.step, output: scriptedOutput(next, { limit: 2 }) },
        { "idempotency-key": `k${next.step}` },
      );
      expect(applied.status, JSON.stringify(applied.body)).toBe(200);
      expect(applied.body.operations).toHaveLength(2);
      expect(applied.body.rewards.format).toBe(1);
      next = applied.body.next;
    }
    const finalized = await call("POST", `/v1/episodes/${started.body.episodeId}/finalize`);
    expect(finalized.status).toBe(200);
    expect(finalized.body.steps.map((entry: { step: number }) => entry.step)).toEqual([1, 2, 3]);
    // No token ids were sent: rewards, and no training records.
    expect(finalized.body.samples).toBeNull();
    expect((await call("DELETE", `/v1/episodes/${started.body.episodeId}`)).status).toBe(204);
  });

  it("answers each bad request with its 4xx and a JSON error naming what was wrong, and keeps serving", async () => {
    const { body: started } = await call("POST", "/v1/episodes", { instance });
    const steps = `/v1/episodes/${started.episodeId}/steps`;
    const output = scriptedOutput(started.next, { limit: 2 });
    const cases: [string, ReturnType<typeof call>, number, string, RegExp?][] = [
      ["malformed JSON", call("POST", steps, "{ not json", { "idempotency-key": "a" }), 400, "invalid_json"],
      [
        "a field of the wrong type",
        call("POST", steps, { step: "one", output }, { "idempotency-key": "a" }),
        400,
        "invalid_request",
        /step/,
      ],
      ["no idempotency key", call("POST", steps, { step: 1, output }), 400, "invalid_request", /idempotency-key/],
      [
        "an unknown episode",
        call("POST", "/v1/episodes/nope/steps", { step: 1, output }, { "idempotency-key": "a" }),
        404,
        "unknown_episode",
      ],
      ["an unknown instance id", call("POST", "/v1/episodes", { instanceId: "nope" }), 404, "unknown_instance"],
      ["no token", call("POST", steps, { step: 1, output }, { authorization: "" }), 401, "unauthorized"],
      [
        "a wrong token",
        call("POST", steps, { step: 1, output }, { authorization: "Bearer wrong", "idempotency-key": "a" }),
        401,
        "unauthorized",
      ],
      [
        "an oversized body",
        call("POST", "/v1/episodes", { instance, padding: "x".repeat(70 * 1024) }),
        413,
        "body_too_large",
      ],
      [
        "a step out of order",
        call("POST", steps, { step: 2, output }, { "idempotency-key": "b" }),
        409,
        "step_order",
        /expects step 1/,
      ],
      [
        "finalize before the last step",
        call("POST", `/v1/episodes/${started.episodeId}/finalize`),
        409,
        "episode_not_finished",
      ],
    ];
    for (const [what, request, status, code, message] of cases) {
      const { status: got, body } = await request;
      expect(got, what).toBe(status);
      expect(body.error.code, what).toBe(code);
      if (message !== undefined) expect(body.error.message, what).toMatch(message);
    }
    // Still serving: the episode continues.
    const applied = await call("POST", steps, { step: 1, output }, { "idempotency-key": "ok" });
    expect(applied.status).toBe(200);
    // The same key again: the same answer, nothing applied twice; another body under it: 409.
    expect(await call("POST", steps, { step: 1, output }, { "idempotency-key": "ok" })).toEqual(applied);
    const conflict = await call(
      "POST",
      steps,
      { step: 1, output: { ...output, text: "x" } },
      { "idempotency-key": "ok" },
    );
    expect([conflict.status, conflict.body.error.code]).toEqual([409, "idempotency_conflict"]);
    expect((await call("GET", "/v1/health")).body).toEqual({ status: "ok" });
  });

  it("refuses requests over the concurrency limit with 429, and a graceful shutdown finishes the step in flight", async () => {
    const gated = gatedReasoner(createExtractiveReader());
    const { server: limited } = await start({ maxInFlight: 1, reasoner: gated.reasoner as Reasoner });
    const limitedCall = client(limited);
    const { body: started } = await limitedCall("POST", "/v1/episodes", { instance });
    gated.hold();
    const inFlight = limitedCall(
      "POST",
      `/v1/episodes/${started.episodeId}/steps`,
      { step: 1, output: scriptedOutput(started.next, { limit: 2 }) },
      { "idempotency-key": "s1" },
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const refused = await limitedCall("POST", "/v1/episodes", { instance });
    expect([refused.status, refused.body.error.code]).toEqual([429, "too_many_requests"]);
    const closing = limited.close();
    gated.release();
    const finished = await inFlight;
    expect(finished.status).toBe(200);
    expect(finished.body.step).toBe(1);
    await closing;
    await expect(fetch(`${limited.url}/v1/health`)).rejects.toThrow();
  });

  it.skipIf(!python.available)(
    "publishes an OpenAPI 3.1 document that validates and lists exactly its routes",
    async () => {
      const response = await fetch(`${server.url}/v1/openapi.json`);
      const document = (await response.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
      expect(document.openapi).toBe("3.1.0");
      const folder = mkdtempSync(join(tmpdir(), "finemem-openapi-"));
      try {
        const file = join(folder, "openapi.json");
        writeFileSync(file, JSON.stringify(document));
        const out = execFileSync(
          pythonPath(),
          [
            "-c",
            "import json,sys; from openapi_spec_validator import validate; validate(json.load(open(sys.argv[1]))); print('valid')",
            file,
          ],
          { encoding: "utf8" },
        );
        expect(out.trim()).toBe("valid");
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
      const documented = Object.entries(document.paths)
        .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`))
        .sort();
      expect(documented).toEqual(
        [
          "GET /v1/health",
          "POST /v1/episodes",
          "POST /v1/episodes/{episodeId}/steps",
          "POST /v1/episodes/{episodeId}/finalize",
          "POST /v1/episodes/{episodeId}/fork",
          "DELETE /v1/episodes/{episodeId}",
        ].sort(),
      );
    },
  );
});
