import { timingSafeEqual } from "node:crypto";
import type { BenchmarkInstance, LanguageModelResponse } from "@finemem/spec";
import { createRoute, OpenAPIHono, type z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import type { EpisodeEngine } from "./episode-engine.js";
import { ServeError } from "./serve-error.js";
import {
  episodeFinalizedSchema,
  episodePathSchema,
  episodeStartedSchema,
  errorSchema,
  healthSchema,
  startEpisodeSchema,
  stepAppliedSchema,
  stepHeadersSchema,
  stepRequestSchema,
} from "./serve-schemas.js";

export interface ServeAppOptions {
  readonly engine: EpisodeEngine;
  /** The bearer token every episode route needs. */
  readonly token: string;
  /** An instance by id, for `{ instanceId }` requests (the server's configured datasets); absent: only inline instances. */
  readonly instanceById?: ((instanceId: string) => BenchmarkInstance | undefined) | undefined;
  /** Largest request body accepted, in bytes. Default 8 MiB (an instance travels inline). */
  readonly maxBodyBytes?: number | undefined;
  /** Episode requests in flight at once; more get 429. Default 256. */
  readonly maxInFlight?: number | undefined;
}

export interface ServeApp {
  readonly app: OpenAPIHono;
  /** Episode requests being served now. */
  inFlight(): number;
  /** New episode requests get 503 `shutting_down`; those in flight finish. */
  beginShutdown(): void;
  /** Resolves once no episode request is in flight. */
  drained(): Promise<void>;
}

const json = <Schema extends z.ZodType>(schema: Schema, description: string) => ({
  content: { "application/json": { schema } },
  description,
});
const errors = {
  400: json(errorSchema, "invalid_json or invalid_request (path names the field)"),
  401: json(errorSchema, "unauthorized: no bearer token, or another one"),
  404: json(errorSchema, "unknown_episode or unknown_instance"),
  409: json(errorSchema, "step_order, episode_finished, episode_not_finished or idempotency_conflict"),
  413: json(errorSchema, "body_too_large"),
  429: json(errorSchema, "too_many_requests"),
  503: json(errorSchema, "shutting_down"),
} as const;

function errorBody(error: ServeError) {
  return {
    error: {
      code: error.code,
      message: error.message,
      ...(error.path.length === 0 ? {} : { path: [...error.path] }),
    },
  };
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The HTTP API of `finemem serve` on Hono, with its OpenAPI 3.1 document generated from the schemas
 * that validate its requests. Every error is JSON `{ error: { code, message, path? } }` with its 4xx
 * (or 5xx) status, and the server keeps serving.
 */
export function createServeApp(options: ServeAppOptions): ServeApp {
  const { engine } = options;
  const maxInFlight = options.maxInFlight ?? 256;
  let inFlight = 0;
  let shuttingDown = false;
  let drainedWaiters: (() => void)[] = [];

  const app = new OpenAPIHono({
    // A request that fails its schema: 400 naming the first field at fault.
    defaultHook: (result, c) => {
      if (result.success) return;
      const issue = result.error.issues[0];
      const path = (issue?.path ?? []).map((segment) => (typeof segment === "number" ? segment : String(segment)));
      return c.json(
        errorBody(
          new ServeError(
            "invalid_request",
            `${path.length === 0 ? "the request" : path.join(".")}: ${issue?.message ?? "invalid"}`,
            path,
          ),
        ),
        400,
      );
    },
  });

  app.onError((error, c: Context) => {
    if (error instanceof ServeError) return c.json(errorBody(error), error.status as 400);
    if (error instanceof HTTPException && error.status === 400)
      return c.json(errorBody(new ServeError("invalid_json", `the body is not JSON: ${error.message}`)), 400);
    return c.json(errorBody(new ServeError("internal", `internal error: ${(error as Error).message}`)), 500);
  });
  app.notFound((c) =>
    c.json(errorBody(new ServeError("invalid_request", `no route ${c.req.method} ${c.req.path}`)), 404),
  );

  // Episode routes (the collection and each episode): token, shutdown and concurrency, then body size.
  const maxBodyBytes = options.maxBodyBytes ?? 8 * 1024 * 1024;
  const limitBody = bodyLimit({
    maxSize: maxBodyBytes,
    onError: () => {
      throw new ServeError("body_too_large", `the body is over ${maxBodyBytes} bytes`);
    },
  });
  const guard = async (c: Context, next: () => Promise<void>): Promise<void> => {
    // Hono may match both patterns for one request; the checks run once.
    if (c.get("finemem-guarded" as never) === true) return next();
    c.set("finemem-guarded" as never, true as never);
    const match = /^Bearer (.+)$/.exec(c.req.header("authorization") ?? "");
    if (match === null || !sameToken(match[1]!, options.token))
      throw new ServeError("unauthorized", "send Authorization: Bearer <the server's token>");
    if (shuttingDown) throw new ServeError("shutting_down", "the server is shutting down: retry on another process");
    if (inFlight >= maxInFlight)
      throw new ServeError("too_many_requests", `${maxInFlight} episode requests are in flight: retry later`);
    inFlight += 1;
    try {
      await limitBody(c, next);
    } finally {
      inFlight -= 1;
      if (inFlight === 0) {
        const waiters = drainedWaiters;
        drainedWaiters = [];
        for (const resolve of waiters) resolve();
      }
    }
  };
  app.use("/v1/episodes", guard);
  app.use("/v1/episodes/*", guard);

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/health",
      responses: { 200: json(healthSchema, "the server answers") },
    }),
    (c) => c.json({ status: "ok" as const }, 200),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/episodes",
      security: [{ bearer: [] }],
      request: { body: { content: { "application/json": { schema: startEpisodeSchema } }, required: true } },
      responses: { 201: json(episodeStartedSchema, "the episode, and the prompt of its first step"), ...errors },
    }),
    async (c) => {
      const body = c.req.valid("json");
      let instance = body.instance as unknown as BenchmarkInstance | undefined;
      if (instance === undefined) {
        instance = options.instanceById?.(body.instanceId!);
        if (instance === undefined)
          throw new ServeError(
            "unknown_instance",
            `no instance ${body.instanceId} in the server's datasets: send the instance inline`,
            ["instanceId"],
          );
      }
      const started = await engine.start(instance, {
        prompt: body.prompt ?? "flat",
        callStyle: body.callStyle ?? "tools",
        rollout: body.rollout ?? 0,
        seed: body.seed ?? "serve",
      });
      return c.json(started as never, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/episodes/{episodeId}/steps",
      security: [{ bearer: [] }],
      request: {
        params: episodePathSchema,
        headers: stepHeadersSchema,
        body: { content: { "application/json": { schema: stepRequestSchema } }, required: true },
      },
      responses: {
        200: json(stepAppliedSchema, "the step's outcomes, r_format and r_chunk, and the next prompt"),
        ...errors,
      },
    }),
    async (c) => {
      const { episodeId } = c.req.valid("param");
      const { step, output } = c.req.valid("json");
      const key = c.req.valid("header")["idempotency-key"];
      const applied = await engine.step(episodeId, step, output as unknown as LanguageModelResponse, key);
      return c.json(applied as never, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/episodes/{episodeId}/finalize",
      security: [{ bearer: [] }],
      request: { params: episodePathSchema },
      responses: { 200: json(episodeFinalizedSchema, "every per-step reward, and the training records"), ...errors },
    }),
    async (c) => c.json((await engine.finalize(c.req.valid("param").episodeId)) as never, 200),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/episodes/{episodeId}/fork",
      security: [{ bearer: [] }],
      request: { params: episodePathSchema },
      responses: { 201: json(episodeStartedSchema, "a new episode from the same state"), ...errors },
    }),
    async (c) => c.json((await engine.fork(c.req.valid("param").episodeId)) as never, 201),
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/v1/episodes/{episodeId}",
      security: [{ bearer: [] }],
      request: { params: episodePathSchema },
      responses: { 204: { description: "closed" }, ...errors },
    }),
    async (c) => {
      await engine.close(c.req.valid("param").episodeId);
      return c.body(null, 204);
    },
  );

  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer" });
  app.doc31("/v1/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "finemem serve",
      version: "1",
      description:
        "Fine-Mem episodes for a client that owns the manager model: step prompts, operation outcomes and every per-step reward.",
    },
  });

  return {
    app,
    inFlight: () => inFlight,
    beginShutdown() {
      shuttingDown = true;
    },
    drained() {
      return inFlight === 0 ? Promise.resolve() : new Promise((resolve) => drainedWaiters.push(resolve));
    },
  };
}
