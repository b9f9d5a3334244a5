// The load test of `finemem serve` (issue #15, acceptance 1), on loopback and bounded: two server
// processes share one PostgreSQL database; 200 episodes of 5 steps run at once against them; 5% of
// step requests are sent again with the same idempotency key; one process is SIGKILLed mid-run and
// started again. Every episode's steps on the server must equal what its client sent, none lost, none
// applied twice. Latencies (p50, p99) are printed, never asserted.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { generateSyntheticBenchmark } from "@finemem/benchmarks";
import { createTestDatabase, postgresAvailability, type TestDatabase } from "@finemem/testing";
import { createSeededRandom } from "@finemem/utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresEpisodeRepository } from "./postgres-episode-repository.js";
import { scriptedOutput } from "./test-support/scripted-client.js";

const postgres = await postgresAvailability();
const CLI = join(import.meta.dirname, "..", "..", "dist", "cli.js");
const TOKEN = "load-token";
const EPISODES = 200;
const STEPS = 5;
const RESEND_SHARE = 0.05;

interface Server {
  child: ChildProcess;
  url: string;
}

/** Starts `finemem serve` on a free port and resolves with its URL (the first line it prints). */
function startServe(databaseUrl: string): Promise<Server> {
  const child = spawn(
    process.execPath,
    [CLI, "serve", "--port", "0", "--database", databaseUrl, "--set", 'datasets=[{"kind":"synthetic","instances":1}]'],
    { env: { PATH: process.env.PATH ?? "", FINEMEM_SERVE_TOKEN: TOKEN }, stdio: ["ignore", "pipe", "pipe"] },
  );
  return new Promise((resolve, reject) => {
    let stderr = "";
    child.stderr!.on("data", (data) => (stderr += String(data)));
    child.stdout!.once("data", (data) => resolve({ child, url: String(data).trim().split("\n")[0]! }));
    child.once("exit", (code) => reject(new Error(`finemem serve exited with ${code}: ${stderr}`)));
  });
}

const instances = generateSyntheticBenchmark({
  seed: "load",
  instanceCount: 4,
  chunkCount: STEPS,
  factsPerChunk: 2,
  questionsPerChunk: 1,
});

describe.skipIf(!postgres.available)("finemem serve under load, with a process killed and restarted", () => {
  let database: TestDatabase;
  const servers: Server[] = [];
  beforeAll(async () => {
    database = await createTestDatabase("serve_load");
  });
  afterAll(async () => {
    for (const server of servers) server.child.kill("SIGKILL");
    await database.drop();
  });

  it("loses no step and applies none twice", { timeout: 120_000 }, async () => {
    servers.push(await startServe(database.url), await startServe(database.url));
    const random = createSeededRandom("serve-load");
    const latencies: number[] = [];
    let completedSteps = 0;
    let killed = false;
    let restarted: Promise<void> | undefined;

    /** A request to one of the processes, moving to the other when the connection fails (a killed process). */
    const request = async (episode: number, method: string, path: string, body?: unknown, key?: string) => {
      for (let attempt = 0; ; attempt++) {
        const server = servers[(episode + attempt) % servers.length]!;
        const started = performance.now();
        try {
          const response = await fetch(`${server.url}${path}`, {
            method,
            headers: {
              authorization: `Bearer ${TOKEN}`,
              "content-type": "application/json",
              ...(key === undefined ? {} : { "idempotency-key": key }),
            },
            ...(body === undefined ? {} : { body: JSON.stringify(body) }),
            signal: AbortSignal.timeout(30_000),
          });
          const text = await response.text();
          latencies.push(performance.now() - started);
          if (response.status >= 500 || response.status === 429) throw new Error(`${response.status} ${text}`);
          // biome-ignore lint/suspicious/noExplicitAny: the test reads whatever JSON each route answers
          return { status: response.status, body: JSON.parse(text) as Record<string, any> };
        } catch (error) {
          if (attempt > 40) throw error;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    };

    // The client's record of what it sent: per episode, the output of each step.
    const sent = new Map<string, string[]>();
    const resends = { sent: 0, identical: 0 };
    const runEpisode = async (episode: number) => {
      const instance = instances[episode % instances.length]!;
      const started = await request(episode, "POST", "/v1/episodes", { instance, rollout: episode });
      expect(started.status).toBe(201);
      const episodeId = started.body.episodeId as string;
      const outputs: string[] = [];
      sent.set(episodeId, outputs);
      let next = started.body.next;
      while (next !== null) {
        // Each episode keeps a different subset of sentences, so steps are told apart across episodes.
        const output = scriptedOutput(next, { step: next.step, keep: (index) => (index + episode) % 3 !== 0 });
        const key = `${episodeId}:${next.step}`;
        outputs.push(JSON.stringify(output.toolCalls.map((call) => JSON.parse(call.arguments).content)));
        const applied = await request(
          episode,
          "POST",
          `/v1/episodes/${episodeId}/steps`,
          { step: next.step, output },
          key,
        );
        expect(applied.status, JSON.stringify(applied.body)).toBe(200);
        if (random.next() < RESEND_SHARE) {
          resends.sent += 1;
          const again = await request(
            episode + 1,
            "POST",
            `/v1/episodes/${episodeId}/steps`,
            { step: next.step, output },
            key,
          );
          if (again.status === 200 && JSON.stringify(again.body) === JSON.stringify(applied.body))
            resends.identical += 1;
        }
        completedSteps += 1;
        if (!killed && completedSteps >= (EPISODES * STEPS) / 3) {
          // Mid-run: the second process dies without a word, and comes back.
          killed = true;
          servers[1]!.child.kill("SIGKILL");
          restarted = startServe(database.url).then((server) => {
            servers[1] = server;
          });
        }
        next = applied.body.next;
      }
      const finalized = await request(episode, "POST", `/v1/episodes/${episodeId}/finalize`);
      expect(finalized.status).toBe(200);
      expect(finalized.body.steps).toHaveLength(STEPS);
    };
    const wall = performance.now();
    await Promise.all(Array.from({ length: EPISODES }, (_, episode) => runEpisode(episode)));
    await restarted;
    const seconds = (performance.now() - wall) / 1000;

    // What the server recorded, read from PostgreSQL: each episode's steps 1..5, each what its client sent.
    const repository = await createPostgresEpisodeRepository({ connectionString: database.url });
    try {
      for (const [episodeId, outputs] of sent) {
        const steps = await repository.steps(episodeId);
        expect(steps.map((step) => step.step)).toEqual([1, 2, 3, 4, 5]);
        expect(
          steps.map((step) =>
            JSON.stringify(step.decision.operations.map((operation) => (operation as { content?: string }).content)),
          ),
        ).toEqual(outputs);
      }
    } finally {
      await repository.close();
    }
    expect(killed).toBe(true);
    expect(resends.sent).toBeGreaterThan(0);
    expect(resends.identical).toBe(resends.sent);
    const sorted = [...latencies].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(1);
    console.log(
      `serve load: ${EPISODES} episodes × ${STEPS} steps, ${latencies.length} requests in ${seconds.toFixed(1)} s, p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, ${resends.sent} resent with their key`,
    );
  });
});
