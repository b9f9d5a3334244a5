import { createInMemoryStore } from "@finemem/memory";
import { describe, expect, it } from "vitest";
import { createHeuristicPolicy } from "./heuristic-policy.js";

// On the synthetic benchmark (the latest fact per subject and relation, checked with the benchmark's
// own statement parser) the policy is tested in @finemem/integration-tests: heuristic-policy.test.ts.
describe("the heuristic policy", () => {
  it("updates the item about the same subject and relation, inserts a new fact, and skips a chunk it already holds", async () => {
    const store = createInMemoryStore();
    const policy = createHeuristicPolicy();
    const namespace = {};
    const step = async (index: number, text: string) => {
      const decision = await policy.decide({
        step: index,
        chunk: { id: `c${index}`, text },
        view: await store.view(namespace),
      });
      await store.apply({
        namespace,
        step: index,
        operations: decision.operations.map((operation, position) => ({
          operationId: `o${index}.${position}`,
          operation,
        })),
      });
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
    expect(await step(4, "Ada Lovelace lives in Paris. Ada Lovelace now lives in Rome.")).toEqual([
      { type: "UPDATE", id: "m1", content: "Ada Lovelace now lives in Rome." },
    ]);
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
      items: [
        {
          id: "m1",
          content: "Alvena Quarrington's job title is tailor.",
          version: 1,
          createdStep: 1,
          step: 1,
          operationId: "o1",
        },
      ],
    };
    const decision = await policy.decide({
      step: 2,
      chunk: { id: "c2", text: "Aurik Quarrington's job title is baker. Alvena Quarrington's pet is called Muffin." },
      view,
    });
    expect(decision.operations).toEqual([
      { type: "INSERT", content: "Aurik Quarrington's job title is baker." },
      { type: "INSERT", content: "Alvena Quarrington's pet is called Muffin." },
    ]);
  });

  it("writes semantic items in the typed layout", async () => {
    const policy = createHeuristicPolicy({ layout: "typed" });
    expect(policy.layout).toBe("typed");
    const decision = await policy.decide({
      step: 1,
      chunk: { id: "c1", text: "Ada Lovelace lives in London." },
      view: { namespace: {}, layout: "typed", step: 0, items: [] },
    });
    expect(decision.operations).toEqual([
      { type: "INSERT", content: "Ada Lovelace lives in London.", memoryType: "semantic" },
    ]);
  });

  it("rejects an unknown layout with an error naming the option", () => {
    expect(() => createHeuristicPolicy({ layout: "graph" as never })).toThrow(
      expect.objectContaining({ code: "invalid_option", path: ["layout"] }),
    );
  });
});

describe("the heuristic policy on longer sentences", () => {
  it("pairs two long sentences about one subject only when a third of their relation words match", async () => {
    const policy = createHeuristicPolicy();
    const view = {
      namespace: {},
      layout: "flat" as const,
      step: 1,
      items: [
        {
          id: "m1",
          content: "Harry Potter walked through the great hall towards the castle library after dinner.",
          version: 1,
          createdStep: 1,
          step: 1,
          operationId: "o1",
        },
      ],
    };
    const unrelated = await policy.decide({
      step: 2,
      chunk: { id: "c2", text: "Harry Potter noticed an owl carrying a letter over the castle gate." },
      view,
    });
    expect(unrelated.operations).toEqual([
      { type: "INSERT", content: "Harry Potter noticed an owl carrying a letter over the castle gate." },
    ]);
    const restated = await policy.decide({
      step: 2,
      chunk: { id: "c2", text: "Harry Potter walked through the great hall towards the castle kitchens after dinner." },
      view,
    });
    expect(restated.operations).toEqual([
      {
        type: "UPDATE",
        id: "m1",
        content: "Harry Potter walked through the great hall towards the castle kitchens after dinner.",
      },
    ]);
  });
});
