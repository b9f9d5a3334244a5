// The stores and managers a configuration names, each against its real counterpart: a PostgreSQL
// database (one per test file), a checkpoint trained by finemem's `train`, and an OpenAI-compatible
// server (the replay server of @finemem/policy/testing).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createExtractiveReader } from "@finemem/policy";
import { chatCompletion, startOpenAIReplayServer } from "@finemem/policy/testing";
import type { BenchmarkInstance } from "@finemem/spec";
import { createTestDatabase, postgresAvailability, type TestDatabase } from "@finemem/testing";
import { createLearnedTrainee, train } from "finemem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createManagerPolicy, openStore, parseStoreSpec } from "./config.js";
import { createMemoryService } from "./memory-service.js";

const postgres = await postgresAvailability();
const ada = { user: "ada" };

/** A small training instance written by hand (a fact, then its change), for a checkpoint of seconds. */
function trainingInstance(update: number): BenchmarkInstance {
  const city = ["Paris", "Lisbon", "Rome", "Oslo"][update % 4]!;
  const next = ["Lisbon", "Rome", "Oslo", "Paris"][update % 4]!;
  return {
    instanceId: `mcp-${update}`,
    dataSource: "synthetic",
    competency: "CR",
    protocol: "memoryagentbench",
    chunks: [
      { id: "c1", text: `Ada Moreau lives in ${city}. Bo Lind works as a baker.` },
      { id: "c2", text: `Ada Moreau moved to ${next}. Bo Lind has a dog named Rex.` },
    ],
    chunkQuestions: [
      [{ id: "q1", question: "Where does Ada Moreau live?", gold: city }],
      [{ id: "q2", question: "What is the name of Bo Lind's dog?", gold: "Rex" }],
    ],
    questions: [{ id: "g1", question: "Where does Ada Moreau live?", gold: next }],
    metadata: {},
    source: { repo: "hand-written", revision: "1", file: "config.test.ts", sha256: null },
  };
}

describe.skipIf(!postgres.available)("the postgres: store", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase("mcp_store");
  });
  afterAll(async () => database.drop());

  it("keeps the memory across a reopen", async () => {
    const spec = parseStoreSpec(`postgres:${database.url}`);
    const policy = await createManagerPolicy("default", undefined);
    const first = await openStore(spec, policy.layout);
    await createMemoryService({ store: first, policy }).observe(ada, { role: "user", content: "I live in Paris." });
    await first.close();
    const reopened = await openStore(spec, policy.layout);
    try {
      const [hit] = await createMemoryService({ store: reopened, policy }).recall(ada, "Where do I live?");
      expect(hit).toMatchObject({ content: "I live in Paris.", step: 1, sourceChunkId: "chunk-1" });
    } finally {
      await reopened.close();
    }
  });
});

describe("the learned: manager", () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "finemem-mcp-learned-"));
  });
  afterAll(async () => rm(work, { recursive: true, force: true }));

  it("loads a finemem train checkpoint and lets it decide what to keep", { timeout: 60_000 }, async () => {
    const runDir = join(work, "run");
    await train({
      runId: "mcp",
      runDir,
      seed: "m",
      updates: 2,
      rollouts: 2,
      instances: (update) => [trainingInstance(update)],
      trainee: createLearnedTrainee({ seed: "m" }),
      reasoner: createExtractiveReader(),
    });
    const policy = await createManagerPolicy(`learned:${runDir}`, undefined);
    expect(policy.policyId).toBe("learned:mcp@update-2");
    const store = await openStore(parseStoreSpec("memory"), policy.layout);
    const memory = createMemoryService({ store, policy });
    const [step] = await memory.observe(ada, { role: "user", content: "I live in Paris. My sister is a pianist." });
    // Whatever it kept is a sentence of the turn, written at step 1 from chunk-1.
    expect(step).toMatchObject({ step: 1, sourceChunkId: "chunk-1" });
    for (const operation of step!.operations)
      if (operation.content !== undefined)
        expect(["user: I live in Paris.", "My sister is a pianist."]).toContain(operation.content);
    await expect(createManagerPolicy("learned:", undefined)).rejects.toMatchObject({ code: "invalid_option" });
  });
});

describe("the llm manager", () => {
  it("asks an OpenAI-compatible server and writes what its tool calls say", async () => {
    const server = await startOpenAIReplayServer(() => ({
      body: chatCompletion({ toolCalls: [{ name: "memory_insert", arguments: { content: "Ada lives in Paris." } }] }),
    }));
    try {
      const policy = await createManagerPolicy("llm", { baseURL: server.baseURL, model: "manager-model" });
      const store = await openStore(parseStoreSpec("memory"), policy.layout);
      const memory = createMemoryService({ store, policy });
      const [step] = await memory.observe(ada, { role: "user", content: "I live in Paris." });
      expect(step!.operations).toEqual([
        expect.objectContaining({ type: "INSERT", content: "Ada lives in Paris.", status: "applied" }),
      ]);
      expect(server.requests).toHaveLength(1);
      expect(JSON.stringify(server.requests[0]!.body)).toContain("I live in Paris.");
      await expect(createManagerPolicy("llm", undefined)).rejects.toMatchObject({ code: "invalid_option" });
    } finally {
      await server.close();
    }
  });
});
