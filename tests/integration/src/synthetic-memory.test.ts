// The synthetic benchmark through the real store, the BM25 retriever and the metric router, imported
// by their public names: what the embedded default will measure. A manager that only appends loses the
// changed facts to their stale originals; one that updates in place keeps them; both answer each
// chunk's K questions right after that chunk's step (the chunk-level step reward's setting).

import { PGlite } from "@electric-sql/pglite";
import { generateSyntheticBenchmark, parseSyntheticStatement, scoreAnswer } from "@finemem/benchmarks";
import { createBm25Retriever, createInMemoryStore, type MemoryBackend } from "@finemem/memory";
import { openPgliteSchemaStore } from "@finemem/memory/pglite";
import type { BenchmarkInstance, Gold, MemoryOperation } from "@finemem/spec";
import { splitSentences } from "@finemem/utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

type Manager = "append-only" | "update-in-place";
type Order = "oldest-first" | "newest-first";

interface EpisodeScores {
  readonly changed: number[];
  readonly unchanged: number[];
  /** Per step: the share of that chunk's K questions answered right from the memory after the step. */
  readonly chunk: number[];
}

/**
 * Runs one instance: each chunk is a step whose operations the manager derives from its sentences;
 * `newest-first` feeds the chunks in reverse so that BM25 ties go to the newest statement.
 */
async function runEpisode(
  instance: BenchmarkInstance,
  manager: Manager,
  order: Order,
  openStore: () => Promise<MemoryBackend> = async () => createInMemoryStore({ allowDuplicateInserts: true }),
): Promise<EpisodeScores> {
  const namespace = { run: instance.instanceId };
  const store = await openStore();
  // The spec retriever over the store's view: any backend's view works.
  const retriever = createBm25Retriever();
  const itemOf = new Map<string, string>();
  const answerTopOne = async (question: string) => {
    const [hit] = await retriever.retrieve({ query: question, view: await store.view(namespace), topK: 1 });
    return hit?.item.content ?? "";
  };
  const score = async (prediction: string, gold: Gold) =>
    (await scoreAnswer({ protocol: instance.protocol, dataSource: instance.dataSource, prediction, gold })).score;

  const indices = instance.chunks.map((_, index) => index);
  if (order === "newest-first") indices.reverse();
  const chunk: number[] = [];
  for (const [step, index] of indices.entries()) {
    const sentences = splitSentences(instance.chunks[index]!.text).map((span) => span.text);
    const operations: MemoryOperation[] = sentences.map((content) => {
      const fact = parseSyntheticStatement(content);
      const key = fact === undefined ? content : `${fact.entity}\u0000${fact.attribute}`;
      const existing = itemOf.get(key);
      return manager === "update-in-place" && existing !== undefined
        ? { type: "UPDATE", id: existing, content }
        : { type: "INSERT", content };
    });
    const results = await store.apply({
      namespace,
      step: step + 1,
      sourceChunkId: instance.chunks[index]!.id,
      operations: operations.map((operation, position) => ({ operationId: `s${step + 1}-${position}`, operation })),
    });
    results.forEach((result, position) => {
      expect(result.status).toBe("applied");
      const fact = parseSyntheticStatement(sentences[position]!);
      if (result.status === "applied" && result.itemId !== null && fact !== undefined)
        itemOf.set(`${fact.entity}\u0000${fact.attribute}`, result.itemId);
    });
    if (order === "oldest-first") {
      const questions = instance.chunkQuestions[index]!;
      const scores = await Promise.all(
        questions.map(async (question) => score(await answerTopOne(question.question), question.gold)),
      );
      chunk.push(scores.reduce((sum, value) => sum + value, 0) / scores.length);
    }
  }
  const changed: number[] = [];
  const unchanged: number[] = [];
  for (const question of instance.questions) {
    const value = await score(await answerTopOne(question.question), question.gold);
    (question.metadata?.kind === "changed" ? changed : unchanged).push(value);
  }
  await store.close();
  return { changed, unchanged, chunk };
}

const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

describe("the synthetic benchmark on the real store", () => {
  const instances = [0, 1, 2].flatMap((seed) => generateSyntheticBenchmark({ seed }));
  const measure = async (manager: Manager, order: Order) => {
    const runs = await Promise.all(instances.map((instance) => runEpisode(instance, manager, order)));
    const result = {
      changed: mean(runs.flatMap((run) => run.changed)),
      unchanged: mean(runs.flatMap((run) => run.unchanged)),
      chunk: order === "oldest-first" ? mean(runs.flatMap((run) => run.chunk)) : Number.NaN,
    };
    console.log(
      `${manager}, chunks fed ${order}: changed ${result.changed.toFixed(3)}, unchanged ${result.unchanged.toFixed(3)}, per-chunk questions ${result.chunk.toFixed(3)}`,
    );
    return result;
  };

  it.each(["oldest-first", "newest-first"] as const)(
    "an append-only manager loses the changed facts, chunks fed %s",
    async (order) => {
      const { changed, unchanged } = await measure("append-only", order);
      expect(changed).toBeLessThanOrEqual(0.6);
      expect(unchanged).toBeGreaterThanOrEqual(0.9);
    },
  );

  it("a manager that updates in place keeps them, and earns more chunk-level reward", async () => {
    const appendOnly = await measure("append-only", "oldest-first");
    const inPlace = await measure("update-in-place", "oldest-first");
    expect(inPlace.changed).toBeGreaterThanOrEqual(0.8);
    expect(inPlace.unchanged).toBeGreaterThanOrEqual(0.9);
    expect(inPlace.chunk).toBeGreaterThanOrEqual(0.9);
    // A chunk that restates a changed fact asks about the new value: the stale original answers it for
    // the append-only manager.
    expect(inPlace.chunk).toBeGreaterThan(appendOnly.chunk);
  });
});

describe("the same episodes on the PGlite store", () => {
  let db: PGlite;
  let schemas = 0;
  beforeAll(async () => {
    db = await PGlite.create();
  });
  afterAll(() => db.close());

  it("give exactly the in-memory store's scores: backends are interchangeable under the benchmark", async () => {
    const instances = generateSyntheticBenchmark({ seed: 0 });
    for (const instance of instances) {
      const inMemory = await runEpisode(instance, "update-in-place", "oldest-first");
      const persistent = await runEpisode(instance, "update-in-place", "oldest-first", () =>
        openPgliteSchemaStore(db, { schema: `episode_${++schemas}`, allowDuplicateInserts: true }),
      );
      expect(persistent).toEqual(inMemory);
    }
  });
});
