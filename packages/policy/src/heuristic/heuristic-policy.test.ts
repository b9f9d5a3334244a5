import { generateSyntheticBenchmark, parseSyntheticStatement, splitSentences } from "@finemem/benchmarks";
import { createInMemoryStore } from "@finemem/memory";
import { policyDecisionValidator, type BenchmarkInstance } from "@finemem/spec";
import { describe, expect, it } from "vitest";
import { runPolicyEpisode } from "../test-support/run-policy-episode.js";
import { createHeuristicPolicy } from "./heuristic-policy.js";

/**
 * The oracle: the latest sentence per (entity, attribute), read with the benchmark's own statement
 * parser (outside this package), in the order the chunks state them.
 */
function latestFacts(instance: BenchmarkInstance): string[] {
  const latest = new Map<string, string>();
  for (const chunk of instance.chunks) {
    for (const span of splitSentences(chunk.text)) {
      const fact = parseSyntheticStatement(span.text);
      if (fact === undefined) throw new Error(`not a synthetic fact: ${span.text}`);
      latest.set(`${fact.entity}\u0000${fact.attribute}`, span.text);
    }
  }
  return [...latest.values()].sort();
}

describe("the heuristic policy", () => {
  it("keeps exactly the latest fact per subject and relation on synthetic instances with changed facts", async () => {
    const instances = [0, 1, 2, 3, 4, 5, 6, 7].flatMap((seed) => generateSyntheticBenchmark({ seed, instanceCount: 2 }));
    for (const instance of instances) {
      expect(instance.questions.some((question) => question.metadata?.["kind"] === "changed")).toBe(true);
      const trace = await runPolicyEpisode(instance, createHeuristicPolicy());
      expect(trace.finalView.items.map((item) => item.content).sort()).toEqual(latestFacts(instance));
      for (const results of trace.results) for (const result of results) expect(result.status).toBe("applied");
      for (const decision of trace.decisions) expect(policyDecisionValidator.validate(decision).ok).toBe(true);
    }
  });

  it("holds with heavy namesakes and every fact changing", async () => {
    for (const seed of [11, 12, 13]) {
      for (const instance of generateSyntheticBenchmark({ seed, instanceCount: 1, changedShare: 1, distractorShare: 0.9 })) {
        const trace = await runPolicyEpisode(instance, createHeuristicPolicy());
        expect(trace.finalView.items.map((item) => item.content).sort()).toEqual(latestFacts(instance));
      }
    }
  });

  it("updates the item about the same subject and relation, inserts a new fact, and skips a chunk it already holds", async () => {
    const store = createInMemoryStore();
    const policy = createHeuristicPolicy();
    const namespace = {};
    const step = async (index: number, text: string) => {
      const decision = await policy.decide({ step: index, chunk: { id: `c${index}`, text }, view: await store.view(namespace) });
      await store.apply({ namespace, step: index, operations: decision.operations.map((operation, position) => ({ operationId: `o${index}.${position}`, operation })) });
      return decision.operations;
    };
    expect(await step(1, "Ada Lovelace lives in London. The chief executive of Acme Foods is Tanaka.")).toEqual([
      { type: "INSERT", content: "Ada Lovelace lives in London." },
      { type: "INSERT", content: "The chief executive of Acme Foods is Tanaka." },
    ]);
    expect(await step(2, "Okafor became chief executive of Acme Foods recently. Ada Lovelace owns a cat.")).toEqual([
      { type: "UPDATE", id: "m2", content: "Okafor became chief executive of Acme Foods recently." },
      { type: "INSERT", content: "Ada Lovelace owns a cat." },
    ]);
    expect(await step(3, "Ada Lovelace owns a cat.")).toEqual([{ type: "SKIP" }]);
    // Two statements of one fact in one chunk: the later one is what gets written, once.
    expect(await step(4, "Ada Lovelace lives in Paris. Ada Lovelace now lives in Rome.")).toEqual([{ type: "UPDATE", id: "m1", content: "Ada Lovelace now lives in Rome." }]);
    expect((await store.view(namespace)).items.map((item) => item.content)).toEqual([
      "Ada Lovelace now lives in Rome.",
      "Okafor became chief executive of Acme Foods recently.",
      "Ada Lovelace owns a cat.",
    ]);
  });

  it("does not pair facts about namesakes or about different relations", async () => {
    const policy = createHeuristicPolicy();
    const view = {
      namespace: {},
      layout: "flat" as const,
      step: 1,
      items: [{ id: "m1", content: "Alvena Quarrington's job title is tailor.", version: 1, createdStep: 1, step: 1, operationId: "o1" }],
    };
    const decision = await policy.decide({ step: 2, chunk: { id: "c2", text: "Aurik Quarrington's job title is baker. Alvena Quarrington's pet is called Muffin." }, view });
    expect(decision.operations).toEqual([
      { type: "INSERT", content: "Aurik Quarrington's job title is baker." },
      { type: "INSERT", content: "Alvena Quarrington's pet is called Muffin." },
    ]);
  });

  it("writes semantic items in the typed layout", async () => {
    const policy = createHeuristicPolicy({ layout: "typed" });
    expect(policy.layout).toBe("typed");
    const decision = await policy.decide({ step: 1, chunk: { id: "c1", text: "Ada Lovelace lives in London." }, view: { namespace: {}, layout: "typed", step: 0, items: [] } });
    expect(decision.operations).toEqual([{ type: "INSERT", content: "Ada Lovelace lives in London.", memoryType: "semantic" }]);
  });

  it("rejects an unknown layout with an error naming the option", () => {
    expect(() => createHeuristicPolicy({ layout: "graph" as never })).toThrow(expect.objectContaining({ code: "invalid_option", path: ["layout"] }));
  });
});

describe("the heuristic policy on longer sentences", () => {
  it("pairs two long sentences about one subject only when a third of their relation words match", async () => {
    const policy = createHeuristicPolicy();
    const view = {
      namespace: {},
      layout: "flat" as const,
      step: 1,
      items: [{ id: "m1", content: "Harry Potter walked through the great hall towards the castle library after dinner.", version: 1, createdStep: 1, step: 1, operationId: "o1" }],
    };
    const unrelated = await policy.decide({ step: 2, chunk: { id: "c2", text: "Harry Potter noticed an owl carrying a letter over the castle gate." }, view });
    expect(unrelated.operations).toEqual([{ type: "INSERT", content: "Harry Potter noticed an owl carrying a letter over the castle gate." }]);
    const restated = await policy.decide({ step: 2, chunk: { id: "c2", text: "Harry Potter walked through the great hall towards the castle kitchens after dinner." }, view });
    expect(restated.operations).toEqual([{ type: "UPDATE", id: "m1", content: "Harry Potter walked through the great hall towards the castle kitchens after dinner." }]);
  });
});
