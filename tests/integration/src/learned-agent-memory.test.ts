// A trained checkpoint as an agent's memory manager (issue #14): `finemem train`'s learned policy,
// loaded with loadLearnedPolicy, runs inside @finemem/agent's createMemoryManager and createMemory.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMemory, createMemoryManager } from "@finemem/agent";
import { generateSyntheticBenchmark } from "@finemem/benchmarks";
import { createInMemoryStore } from "@finemem/memory";
import { createExtractiveReader } from "@finemem/policy";
import { splitSentences } from "@finemem/utils";
import { createLearnedTrainee, loadLearnedPolicy, train } from "finemem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const CONVERSATION = [
  { role: "user", content: "I live in Paris." },
  { role: "assistant", content: "Noted, Paris is lovely in spring." },
  { role: "user", content: "My sister Ada Moreau is a pianist." },
  { role: "assistant", content: "Ada Moreau sounds talented." },
  { role: "user", content: "I live in Lisbon now." },
  { role: "assistant", content: "Lisbon is a great choice." },
] as const;

let work: string;
let runDir: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "finemem-learned-agent-"));
  runDir = join(work, "run");
  await train({
    runId: "agent",
    runDir,
    seed: "a",
    updates: 4,
    rollouts: 2,
    instances: (update) =>
      generateSyntheticBenchmark({ seed: `agent/${update}`, instanceCount: 1, chunkCount: 3, questionsPerChunk: 2 }),
    trainee: createLearnedTrainee({ seed: "a" }),
    reasoner: createExtractiveReader(),
    rewards: { evidence: "cited", weights: { compression: 0 } },
  });
});
afterAll(async () => rm(work, { recursive: true, force: true }));

async function observeAll(manager: ReturnType<typeof createMemoryManager>) {
  const steps = [];
  for (const turn of CONVERSATION) steps.push(...(await manager.observe(turn)));
  steps.push(...(await manager.flush()));
  return steps;
}

describe("a trained checkpoint as the agent's memory manager", () => {
  it("createMemoryManager runs the checkpoint's policy: it writes sentences of the turns, deterministically", async () => {
    const loaded = await loadLearnedPolicy({ checkpoint: runDir });
    expect(loaded.policy.policyId).toBe("learned:agent@update-4");
    const stores = [createInMemoryStore(), createInMemoryStore()];
    const runs = [];
    for (const store of stores) {
      const manager = createMemoryManager({ policy: loaded.policy, store, namespace: { user: "u" }, chunkTokens: 24 });
      runs.push({ steps: await observeAll(manager), items: (await store.view({ user: "u" })).items });
    }
    const [first, second] = runs;
    expect(first!.steps.length).toBeGreaterThanOrEqual(3);
    // The learned policy decides per sentence of a chunk: whatever it wrote is one of the chunks' sentences.
    const sentences = new Set(first!.steps.flatMap((step) => splitSentences(step.chunk.text).map((span) => span.text)));
    for (const step of first!.steps)
      for (const { operation } of step.operations)
        if (operation.type === "INSERT" || operation.type === "UPDATE") expect(sentences).toContain(operation.content);
    expect(first!.steps.some((step) => step.operations.length > 0)).toBe(true);
    // Greedy decisions: the same turns give the same memory.
    expect(second!.items.map((item) => [item.id, item.content])).toEqual(
      first!.items.map((item) => [item.id, item.content]),
    );
    loaded.policy.dispose();
  });

  it("createMemory (the mem0-style facade) takes it too", async () => {
    const loaded = await loadLearnedPolicy({ checkpoint: join(runDir, "checkpoints", "update-000004") });
    const memory = await createMemory({ policy: loaded.policy, store: createInMemoryStore(), chunkTokens: 24 });
    const { results } = await memory.add([...CONVERSATION], { userId: "u1" });
    const { results: all } = await memory.getAll({ userId: "u1" });
    // Every ADD is a memory the user now has, under the id the event named.
    for (const event of results.filter((entry) => entry.event === "ADD"))
      expect(all.some((record) => record.id === event.id)).toBe(true);
    expect(results.length).toBeGreaterThan(0);
    await memory.close();
    loaded.policy.dispose();
  });
});
