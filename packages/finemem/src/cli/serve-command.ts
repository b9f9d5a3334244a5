import { randomBytes } from "node:crypto";
import type { BenchmarkInstance } from "@finemem/spec";
import { buildComponents, rewardOptionsOf } from "../config/build-components.js";
import type { FineMemConfig } from "../config/config-schema.js";
import { createEpisodeEngine } from "../serve/episode-engine.js";
import { createInMemoryEpisodeRepository, type EpisodeRepository } from "../serve/episode-repository.js";
import { createServeApp } from "../serve/serve-app.js";
import { startServer } from "../serve/start-server.js";
import { type CliIo, writeLine } from "./cli-io.js";

/**
 * `finemem serve`: the episodes of the configured datasets (by instance id, or any instance sent
 * inline) for a client that owns the manager model, with the configured reader and rewards. Runs
 * until Ctrl-C (or SIGTERM), then shuts down gracefully: requests in flight finish.
 */
export async function serveCommand(config: FineMemConfig, io: CliIo): Promise<void> {
  const components = await buildComponents(config, {
    env: io.env,
    cwd: io.cwd,
    ...(io.fetch === undefined ? {} : { fetch: io.fetch }),
  });
  const instances = new Map<string, BenchmarkInstance>();
  for await (const instance of components.loadInstances({
    onWarning: (message) => writeLine(io.stderr, `warning: ${message}`),
    ...(io.signal === undefined ? {} : { signal: io.signal }),
  }))
    instances.set(instance.instanceId, instance);
  const repository: EpisodeRepository =
    config.serve.database === undefined
      ? createInMemoryEpisodeRepository()
      : await (await import("../serve/postgres-episode-repository.js")).createPostgresEpisodeRepository({
          connectionString: config.serve.database,
        });
  const given = io.env[config.serve.tokenEnv];
  const token = given !== undefined && given !== "" ? given : randomBytes(24).toString("base64url");
  const serveApp = createServeApp({
    engine: createEpisodeEngine({
      repository,
      reasoner: components.reasoner,
      rewards: rewardOptionsOf(config, components),
      metricFor: components.metricFor,
      concurrency: config.run.concurrency.questions,
      liveEpisodes: config.serve.liveEpisodes,
    }),
    token,
    instanceById: (id) => instances.get(id),
    maxBodyBytes: config.serve.maxBodyBytes,
    maxInFlight: config.serve.maxInFlight,
  });
  const server = await startServer({ serveApp, host: config.serve.host, port: config.serve.port });
  writeLine(
    io.stderr,
    `finemem serve: listening on ${server.url} (${instances.size} instances, reasoner ${components.reasoner.reasonerId}, episodes ${config.serve.database === undefined ? "in memory" : "in PostgreSQL"}, up to ${config.serve.liveEpisodes} kept live)`,
  );
  writeLine(
    io.stderr,
    given !== undefined && given !== ""
      ? `finemem serve: bearer token from ${config.serve.tokenEnv}`
      : `finemem serve: no ${config.serve.tokenEnv} set; this run's bearer token: ${token}`,
  );
  writeLine(io.stdout, server.url);
  await new Promise<void>((resolve) => {
    if (io.signal === undefined || io.signal.aborted) return resolve();
    io.signal.addEventListener("abort", () => resolve(), { once: true });
  });
  writeLine(io.stderr, "finemem serve: shutting down (finishing the requests in flight)");
  await server.close();
  await repository.close();
}
