import { generateSyntheticBenchmark } from "@finemem/benchmarks";
import { createExtractiveReader } from "@finemem/policy";
import type { LanguageModelResponse } from "@finemem/spec";
import { createTestDatabase, postgresAvailability, type TestDatabase } from "@finemem/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RecordedQuestion, RecordedStep } from "../episode/episode-checkpoint.js";
import { createEpisodeEngine, type EpisodeEngine, type EpisodeFinalized, type StepApplied } from "./episode-engine.js";
import { createInMemoryEpisodeRepository, type EpisodeRecord, type EpisodeRepository } from "./episode-repository.js";
import {
  createPostgresEpisodeRepository,
  EPISODE_SCHEMA_VERSION,
  EpisodeRepositoryError,
  loadPg,
} from "./postgres-episode-repository.js";
import { scriptedOutput } from "./test-support/scripted-client.js";

const [instance] = generateSyntheticBenchmark({ seed: "serve", instanceCount: 1, chunkCount: 3, questionsPerChunk: 2 });
const SETTINGS = { prompt: "flat", callStyle: "tools", rollout: 0, seed: "s" } as const;
const reasoner = createExtractiveReader();

interface Run {
  readonly applied: readonly StepApplied[];
  readonly finalized: EpisodeFinalized;
}

/** Drives one episode to its end, each request through `engineFor(request number)`. */
async function runEpisodeThrough(
  engineFor: (request: number) => EpisodeEngine,
): Promise<Run & { readonly episodeId: string; readonly outputs: readonly LanguageModelResponse[] }> {
  let request = 0;
  const started = await engineFor(request++).start(instance!, SETTINGS);
  let next = started.next;
  const applied: StepApplied[] = [];
  const outputs: LanguageModelResponse[] = [];
  while (next !== null) {
    const output = scriptedOutput(next, { step: next.step, limit: 3, tokens: true });
    outputs.push(output);
    const result = await engineFor(request++).step(started.episodeId, next.step, output, `key-${next.step}`);
    applied.push(result);
    next = result.next;
  }
  const finalized = await engineFor(request).finalize(started.episodeId);
  return { episodeId: started.episodeId, applied, finalized, outputs };
}

/** A run with its episode id left out, to compare runs of different episodes. */
function withoutIds(run: Run) {
  const { episodeId: _finalizedId, ...finalized } = run.finalized;
  return {
    applied: run.applied.map(({ episodeId: _appliedId, ...rest }) => rest),
    finalized,
  };
}

// The oracle, and real journal entries for the fixtures: one in-memory run in one process.
const referenceRepository = createInMemoryEpisodeRepository();
const referenceEngine = createEpisodeEngine({ repository: referenceRepository, reasoner });
const reference = await runEpisodeThrough(() => referenceEngine);
const referenceSteps = await referenceRepository.steps(reference.episodeId);
const referenceQuestions = await referenceRepository.questions(reference.episodeId);

/** A step with numbers that must not drift, text that must not be mangled, and keys out of alphabetical order. */
const oddStep: RecordedStep = Object.fromEntries(
  Object.entries({
    ...referenceSteps[0]!,
    step: 7,
    chunkScore: 0.1 + 0.2,
    memoryTokens: Number.MAX_SAFE_INTEGER,
    decision: {
      ...referenceSteps[0]!.decision,
      rawOutput: 'naïve — 日本語 🧠 \u0000 \ud800 "quoted" \\ \n end',
      responseLogprobs: [0.1 + 0.2, 1 / 3, 5e-324, 1e21, -1.7976931348623157e308, 123456789.12345679],
    },
  }).reverse(),
) as unknown as RecordedStep;

function question(questionId: string, details: Record<string, number>): RecordedQuestion {
  return { ...referenceQuestions[0]!, questionId, details };
}

function recordOf(episodeId: string): EpisodeRecord {
  return { episodeId, instance: instance!, settings: SETTINGS, forkedFrom: null };
}

/** Resolves when `condition` holds, checking after each turn of the event loop (no fixed delay). */
async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 2000; attempt += 1) {
    if (await condition()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`never: ${what}`);
}

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

/** The behaviour every EpisodeRepository shares, run against each implementation. */
function repositoryConformance(open: () => Promise<EpisodeRepository>) {
  let repository: EpisodeRepository;
  beforeAll(async () => {
    repository = await open();
  });
  afterAll(async () => {
    await repository?.close();
  });

  it("keeps an episode's record, its steps in step order, its questions and its step requests' keys", async () => {
    expect(referenceSteps).toHaveLength(3);
    expect(referenceQuestions.length).toBeGreaterThan(0);
    await repository.create(recordOf("a"));
    expect(await repository.get("a")).toEqual(recordOf("a"));
    expect(await repository.steps("a")).toEqual([]);
    await repository.recordStep("a", referenceSteps[1]!);
    await repository.recordStep("a", referenceSteps[0]!, { key: "k1", requestHash: "h1", step: 1 });
    expect(await repository.steps("a")).toEqual(referenceSteps.slice(0, 2));
    expect(await repository.idempotency("a", "k1")).toEqual({ key: "k1", requestHash: "h1", step: 1 });
    expect(await repository.idempotency("a", "k2")).toBeUndefined();
    // A step recorded again replaces the first, and its key with it.
    await repository.recordStep("a", referenceSteps[2]!, { key: "k3", requestHash: "h", step: 3 });
    await repository.recordStep(
      "a",
      { ...referenceSteps[2]!, chunkScore: 0.5 },
      { key: "k3", requestHash: "h'", step: 3 },
    );
    expect((await repository.steps("a")).map((step) => [step.step, step.chunkScore])).toEqual([
      [1, referenceSteps[0]!.chunkScore],
      [2, referenceSteps[1]!.chunkScore],
      [3, 0.5],
    ]);
    expect(await repository.idempotency("a", "k3")).toEqual({ key: "k3", requestHash: "h'", step: 3 });
    // Questions come back in the order they were first recorded; one recorded again is replaced in place.
    await repository.recordQuestion("a", question("q2", { z: 1, a: 2 }));
    await repository.recordQuestion("a", question("q1", { only: 0 }));
    await repository.recordQuestion("a", question("q2", { z: 3, a: 4 }));
    expect(await repository.questions("a")).toEqual([question("q2", { z: 3, a: 4 }), question("q1", { only: 0 })]);
  });

  it("starts a fork with the steps it is given, apart from its source", async () => {
    await repository.create(recordOf("src"), referenceSteps.slice(0, 2));
    await repository.recordStep("src", referenceSteps[0]!, { key: "k", requestHash: "h", step: 1 });
    await repository.create({ ...recordOf("fork"), forkedFrom: "src" }, await repository.steps("src"));
    await repository.recordStep("src", referenceSteps[2]!);
    expect(await repository.get("fork")).toEqual({ ...recordOf("fork"), forkedFrom: "src" });
    expect(await repository.steps("fork")).toEqual(referenceSteps.slice(0, 2));
    expect(await repository.steps("src")).toEqual(referenceSteps);
    expect(await repository.idempotency("fork", "k")).toBeUndefined();
  });

  it("answers nothing for an unknown episode and records nothing for it", async () => {
    expect(await repository.get("none")).toBeUndefined();
    expect(await repository.steps("none")).toEqual([]);
    expect(await repository.questions("none")).toEqual([]);
    expect(await repository.idempotency("none", "k1")).toBeUndefined();
    await repository.recordStep("none", referenceSteps[0]!, { key: "k", requestHash: "h", step: 1 });
    await repository.recordQuestion("none", question("q", {}));
    expect(await repository.steps("none")).toEqual([]);
    expect(await repository.questions("none")).toEqual([]);
    expect(await repository.idempotency("none", "k")).toBeUndefined();
    expect(await repository.get("none")).toBeUndefined();
    expect(await repository.delete("none")).toBe(false);
  });

  it("returns a step and a question exactly as given: numbers, unicode, key order", async () => {
    await repository.create(recordOf("exact"), [oddStep]);
    await repository.recordStep("exact", { ...oddStep, step: 8 });
    const details = { z: 0.1 + 0.2, a: 1 / 3, m: 1e-7 };
    await repository.recordQuestion("exact", question("q", details));
    const [first, second] = await repository.steps("exact");
    expect(first).toEqual(oddStep);
    expect(JSON.stringify(first)).toBe(JSON.stringify(oddStep));
    expect(JSON.stringify(second)).toBe(JSON.stringify({ ...oddStep, step: 8 }));
    expect(first!.chunkScore).toBe(0.30000000000000004);
    expect(first!.decision.rawOutput).toBe('naïve — 日本語 🧠 \u0000 \ud800 "quoted" \\ \n end');
    const [stored] = await repository.questions("exact");
    expect(JSON.stringify(stored)).toBe(JSON.stringify(question("q", details)));
    expect(Object.keys(stored!.details!)).toEqual(["z", "a", "m"]);
    // No caller shares an object with the repository.
    (first as { chunkScore: number | null }).chunkScore = 0;
    expect((await repository.steps("exact"))[0]!.chunkScore).toBe(0.30000000000000004);
  });

  it("deletes an episode with everything it holds; one created again under its id starts empty", async () => {
    await repository.create(recordOf("gone"), referenceSteps);
    await repository.recordStep("gone", referenceSteps[2]!, { key: "k", requestHash: "h", step: 3 });
    await repository.recordQuestion("gone", question("q", {}));
    expect(await repository.delete("gone")).toBe(true);
    expect(await repository.get("gone")).toBeUndefined();
    expect(await repository.steps("gone")).toEqual([]);
    expect(await repository.questions("gone")).toEqual([]);
    expect(await repository.idempotency("gone", "k")).toBeUndefined();
    expect(await repository.delete("gone")).toBe(false);
    await repository.create(recordOf("gone"));
    expect(await repository.steps("gone")).toEqual([]);
    expect(await repository.idempotency("gone", "k")).toBeUndefined();
  });

  it("runs one lock holder of an episode at a time, not of different episodes, and frees the lock when work fails", async () => {
    await repository.create(recordOf("locked"));
    const events: string[] = [];
    const entered = gate();
    const release = gate();
    const first = repository.withEpisodeLock("locked", async () => {
      events.push("first:start");
      entered.open();
      await release.opened;
      events.push("first:end");
      return "first";
    });
    await entered.opened;
    const second = repository.withEpisodeLock("locked", async () => {
      events.push("second:start");
      throw new Error("work failed");
    });
    // Another episode's holder runs to its end meanwhile, using the repository inside its lock.
    await repository.withEpisodeLock("other", async () => {
      events.push("other");
      await repository.steps("other");
    });
    release.open();
    expect(await first).toBe("first");
    await expect(second).rejects.toThrow("work failed");
    expect(await repository.withEpisodeLock("locked", async () => "third")).toBe("third");
    expect(events).toEqual(["first:start", "other", "first:end", "second:start"]);
  });

  it("lets many lock holders at once call the repository inside their work", async () => {
    const ids = Array.from({ length: 12 }, (_, index) => `many-${index}`);
    await Promise.all(ids.map((id) => repository.create(recordOf(id))));
    const counts = await Promise.all(
      ids.flatMap((id) =>
        [1, 2].map((step) =>
          repository.withEpisodeLock(id, async () => {
            const done = (await repository.steps(id)).length;
            await repository.recordStep(
              id,
              { ...referenceSteps[0]!, step: done + 1 },
              {
                key: `k${done + 1}`,
                requestHash: "h",
                step: done + 1,
              },
            );
            await repository.idempotency(id, `k${done + 1}`);
            return step;
          }),
        ),
      ),
    );
    expect(counts).toHaveLength(24);
    for (const id of ids) expect((await repository.steps(id)).map((step) => step.step)).toEqual([1, 2]);
  });
}

describe("the in-memory episode repository", () => {
  repositoryConformance(async () => createInMemoryEpisodeRepository());
});

describe("the PostgreSQL episode repository without pg", () => {
  it("reports a missing driver as a typed error naming the install command", async () => {
    const missing = loadPg(() =>
      Promise.reject(
        Object.assign(new Error("Cannot find package 'pg' imported from x.js"), { code: "ERR_MODULE_NOT_FOUND" }),
      ),
    );
    await expect(missing).rejects.toBeInstanceOf(EpisodeRepositoryError);
    await expect(missing).rejects.toMatchObject({ code: "missing_dependency", message: /npm install pg/ });
  });

  it("refuses a schema name that is not an identifier", async () => {
    await expect(createPostgresEpisodeRepository({ schema: 'x"; DROP TABLE y; --' })).rejects.toMatchObject({
      code: "invalid_option",
    });
  });
});

const { available } = await postgresAvailability();

describe.skipIf(!available)("the PostgreSQL episode repository", () => {
  let database: TestDatabase;
  let schemas = 0;
  const opened: EpisodeRepository[] = [];
  /** A repository on a pool of its own, as another server process would have. */
  const openProcess = async (schema: string) => {
    const repository = await createPostgresEpisodeRepository({ connectionString: database.url, schema });
    opened.push(repository);
    return repository;
  };

  beforeAll(async () => {
    database = await createTestDatabase("serve");
  });
  afterAll(async () => {
    for (const repository of opened) await repository.close();
    await database?.drop();
  });

  describe("the repository conformance suite", () => {
    repositoryConformance(() =>
      createPostgresEpisodeRepository({ pool: database.pool, schema: `conformance_${++schemas}` }),
    );
  });

  it("creates its tables once, records its layout version, and refuses a newer layout naming the version", async () => {
    await createPostgresEpisodeRepository({ pool: database.pool, schema: "versions" });
    // Opening again (another process, a restart) finds the tables.
    await createPostgresEpisodeRepository({ pool: database.pool, schema: "versions" });
    const { rows } = await database.pool.query("SELECT version FROM versions.schema_version");
    expect(rows).toEqual([{ version: EPISODE_SCHEMA_VERSION }]);
    await database.pool.query("UPDATE versions.schema_version SET version = 99");
    const refused = createPostgresEpisodeRepository({ pool: database.pool, schema: "versions" });
    await expect(refused).rejects.toBeInstanceOf(EpisodeRepositoryError);
    await expect(refused).rejects.toMatchObject({
      code: "newer_format",
      found: 99,
      supported: EPISODE_SCHEMA_VERSION,
      message: /version 99/,
    });
  });

  it("refuses a pool too small to hold a lock and still query", async () => {
    await expect(
      createPostgresEpisodeRepository({ pool: database.pool, schema: "small", maxLocks: 4 }),
    ).rejects.toMatchObject({ code: "invalid_option" });
  });

  it("closes a pool it created and leaves open one it was given", async () => {
    const given = await createPostgresEpisodeRepository({ pool: database.pool, schema: "pools" });
    await given.close();
    expect((await database.pool.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
    const own = await createPostgresEpisodeRepository({ connectionString: database.url, schema: "pools" });
    await own.close();
    await expect(own.get("x")).rejects.toThrow();
  });

  it("excludes a lock holder in another process until the first releases the lock", async () => {
    const [first, second] = [await openProcess("locks"), await openProcess("locks")];
    await first.create(recordOf("shared"));
    const events: string[] = [];
    const entered = gate();
    const release = gate();
    const holding = first.withEpisodeLock("shared", async () => {
      events.push("first:start");
      entered.open();
      await release.opened;
      events.push("first:end");
    });
    await entered.opened;
    const waiting = second.withEpisodeLock("shared", async () => {
      events.push("second:start");
      await second.recordStep("shared", referenceSteps[0]!);
    });
    // The second process is blocked on the server, waiting for the first's advisory lock.
    const waiters = async () =>
      (
        await database.pool.query(
          `SELECT count(*)::int AS n FROM pg_locks
           WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        )
      ).rows[0].n as number;
    await until(async () => (await waiters()) === 1, "the second process waits for the lock");
    // Another episode's lock is free to it meanwhile.
    await second.withEpisodeLock("elsewhere", async () => events.push("second:elsewhere"));
    expect(events).toEqual(["first:start", "second:elsewhere"]);
    release.open();
    await Promise.all([holding, waiting]);
    expect(events).toEqual(["first:start", "second:elsewhere", "first:end", "second:start"]);
    expect(await first.steps("shared")).toEqual([referenceSteps[0]]);
    // A failed holder frees the lock for the other process.
    await expect(
      first.withEpisodeLock("shared", async () => {
        throw new Error("failed");
      }),
    ).rejects.toThrow("failed");
    expect(await second.withEpisodeLock("shared", async () => "free")).toBe("free");
    expect(await waiters()).toBe(0);
  });

  it("gives the rewards of a single in-memory run when two processes drive one episode by turns", async () => {
    const engines = [
      createEpisodeEngine({ repository: await openProcess("turns"), reasoner }),
      createEpisodeEngine({ repository: await openProcess("turns"), reasoner }),
    ];
    const run = await runEpisodeThrough((request) => engines[request % 2]!);
    expect(withoutIds(run)).toEqual(withoutIds(reference));
    expect(run.finalized.globalScore).toBe(reference.finalized.globalScore);
    // A repeated request reaching the other process gets the same answer; finalize again, the same result.
    expect(await engines[1]!.step(run.episodeId, 1, run.outputs[0]!, "key-1")).toEqual(run.applied[0]);
    expect(await engines[0]!.finalize(run.episodeId)).toEqual(run.finalized);
  });

  it("applies a step once when two processes receive it at the same time", async () => {
    const [one, two] = [
      createEpisodeEngine({ repository: await openProcess("race"), reasoner }),
      createEpisodeEngine({ repository: await openProcess("race"), reasoner }),
    ];
    const started = await one.start(instance!, SETTINGS);
    const output = scriptedOutput(started.next!, { step: 1, limit: 3, tokens: true });
    // The same request (a client retry to another process): both answer it, from one application.
    const [a, b] = await Promise.all([
      one.step(started.episodeId, 1, output, "same"),
      two.step(started.episodeId, 1, output, "same"),
    ]);
    expect(a).toEqual(b);
    expect(a).toEqual({ ...reference.applied[0], episodeId: started.episodeId });
    // Two different requests for the next step: one applies it, the other finds it out of order.
    const next = scriptedOutput(a.next!, { step: 2, limit: 3, tokens: true });
    const results = await Promise.allSettled([
      one.step(started.episodeId, 2, next, "left"),
      two.step(started.episodeId, 2, next, "right"),
    ]);
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    expect(results.find((result) => result.status === "rejected")).toMatchObject({
      reason: { code: "step_order" },
    });
  });

  it("continues an episode after a restart from what the database holds, with the same result", async () => {
    const before = await openProcess("restart");
    const engine = createEpisodeEngine({ repository: before, reasoner });
    const started = await engine.start(instance!, SETTINGS);
    const first = await engine.step(
      started.episodeId,
      1,
      scriptedOutput(started.next!, { step: 1, limit: 3, tokens: true }),
      "key-1",
    );
    const second = await engine.step(
      started.episodeId,
      2,
      scriptedOutput(first.next!, { step: 2, limit: 3, tokens: true }),
      "key-2",
    );
    await before.close();

    const after = createEpisodeEngine({ repository: await openProcess("restart"), reasoner });
    // The last answer may have been lost: retried on the new process, it comes back the same.
    expect(
      await after.step(started.episodeId, 2, scriptedOutput(first.next!, { step: 2, limit: 3, tokens: true }), "key-2"),
    ).toEqual(second);
    const third = await after.step(
      started.episodeId,
      3,
      scriptedOutput(second.next!, { step: 3, limit: 3, tokens: true }),
      "key-3",
    );
    const finalized = await after.finalize(started.episodeId);
    expect(withoutIds({ applied: [first, second, third], finalized })).toEqual(withoutIds(reference));
    await after.close(started.episodeId);
    const { rows } = await database.pool.query(
      `SELECT (SELECT count(*) FROM restart.steps WHERE episode_id = $1)::int
            + (SELECT count(*) FROM restart.questions WHERE episode_id = $1)::int
            + (SELECT count(*) FROM restart.idempotency_keys WHERE episode_id = $1)::int AS n`,
      [started.episodeId],
    );
    expect(rows).toEqual([{ n: 0 }]);
  });
});
