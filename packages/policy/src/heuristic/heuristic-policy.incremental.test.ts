import { createInMemoryStore, type InMemoryStore } from "@finemem/memory";
import type { MemoryLayout, MemoryOperation, MemoryView } from "@finemem/spec";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createHeuristicPolicy } from "./heuristic-policy.js";
import { createPreviousHeuristicPolicy } from "./test-support/previous-heuristic-policy.js";

// Few names and relation words, so sentences pair, repeat word for word, and change subject.
const NAMES = ["Ada Lovelace", "Calvex Dynamics", "Tanaka", "Bo Rind"];
const RELATIONS = ["lives in", "job title is", "owns a", "city is", "age is", "lives near"];
const VALUES = ["London", "Paris", "cat", "jeweller", "39 years", "Rome"];
const sentence = fc
  .tuple(fc.constantFrom(...NAMES), fc.constantFrom(...RELATIONS), fc.constantFrom(...VALUES))
  .map(([name, relation, value]) => `${name} ${relation} ${value}.`);
const chunk = fc.array(sentence, { minLength: 1, maxLength: 4 }).map((sentences) => sentences.join(" "));

// What happens next: the policy reads a chunk into one of the memories, a memory is forked, an item is
// deleted or an item of another type is written behind the policy's back, or the policy is asked about
// an earlier view (whose decision is compared, not applied).
type Move =
  | { readonly kind: "step"; readonly memory: number; readonly text: string }
  | { readonly kind: "fork"; readonly memory: number }
  | { readonly kind: "delete"; readonly memory: number; readonly at: number }
  | { readonly kind: "other"; readonly memory: number; readonly text: string }
  | { readonly kind: "old"; readonly view: number; readonly text: string };

const move: fc.Arbitrary<Move> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("step" as const), memory: fc.nat(), text: chunk }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("fork" as const), memory: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("delete" as const), memory: fc.nat(), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("other" as const), memory: fc.nat(), text: sentence }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("old" as const), view: fc.nat(), text: chunk }) },
);

async function apply(store: InMemoryStore, step: number, operations: readonly MemoryOperation[]) {
  await store.apply({
    namespace: {},
    step,
    operations: operations.map((operation, position) => ({ operationId: `o${step}.${position}`, operation })),
  });
}

/**
 * Plays the moves on stores and forks, asking one incremental policy (which sees the memories
 * interleaved, forks, and earlier views out of order) and the previous from-scratch implementation
 * for every decision; returns the pairs of decisions.
 */
async function play(layout: MemoryLayout, moves: readonly Move[]) {
  const incremental = createHeuristicPolicy({ layout });
  const fromScratch = createPreviousHeuristicPolicy({ layout });
  const memories: { store: InMemoryStore; step: number }[] = [{ store: createInMemoryStore({ layout }), step: 0 }];
  const seen: MemoryView[] = [];
  const pairs: [unknown, unknown][] = [];
  const decideBoth = async (view: MemoryView, step: number, text: string) => {
    const input = { step, chunk: { id: `c${step}`, text }, view };
    const decision = await incremental.decide(input);
    pairs.push([decision.operations, (await fromScratch.decide(input)).operations]);
    return decision.operations;
  };
  for (const next of moves) {
    if (next.kind === "old") {
      if (seen.length > 0) await decideBoth(seen[next.view % seen.length]!, 1, next.text);
      continue;
    }
    const memory = memories[next.memory % memories.length]!;
    const view = await memory.store.view({});
    seen.push(view);
    memory.step += 1;
    if (next.kind === "step") {
      const operations = await decideBoth(view, memory.step, next.text);
      if (operations[0]?.type !== "SKIP") await apply(memory.store, memory.step, operations);
    } else if (next.kind === "fork") {
      memories.push({ store: await memory.store.fork(), step: memory.step });
    } else if (next.kind === "delete") {
      const target = view.items[next.at % Math.max(1, view.items.length)];
      if (target !== undefined) await apply(memory.store, memory.step, [{ type: "DELETE", id: target.id }]);
    } else {
      const type = layout === "typed" ? { memoryType: "episodic" as const } : {};
      await apply(memory.store, memory.step, [{ type: "INSERT", content: next.text, ...type }]);
    }
  }
  return pairs;
}

describe("the heuristic policy's incremental maps", () => {
  for (const layout of ["flat", "typed"] as const) {
    it(`decide as the maps rebuilt from scratch would, over random episodes with forks and views out of order (${layout})`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(move, { minLength: 1, maxLength: 40 }), async (moves) => {
          for (const [incremental, fromScratch] of await play(layout, moves)) expect(incremental).toEqual(fromScratch);
        }),
        { numRuns: 60 },
      );
    }, 120_000);
  }

  it("decide as from scratch when an item changes subject in place, and when an item is rewritten to a stored sentence", async () => {
    const store = createInMemoryStore();
    const incremental = createHeuristicPolicy();
    const fromScratch = createPreviousHeuristicPolicy();
    const decideBoth = async (step: number, text: string) => {
      const input = { step, chunk: { id: `c${step}`, text }, view: await store.view({}) };
      const operations = (await incremental.decide(input)).operations;
      expect(operations).toEqual((await fromScratch.decide(input)).operations);
      return operations;
    };
    await apply(
      store,
      1,
      await decideBoth(1, "Ada Lovelace lives in London. Tanaka owns a cat. Bo Rind city is Rome."),
    );
    // m1 now names another subject: it leaves Ada Lovelace's facts and joins Tanaka's, in its place.
    await apply(store, 2, [{ type: "UPDATE", id: "m1", content: "Tanaka lives in Paris." }]);
    expect(await decideBoth(3, "Tanaka lives in Rome. Ada Lovelace lives in Paris.")).toEqual([
      { type: "UPDATE", id: "m1", content: "Tanaka lives in Rome." },
      { type: "INSERT", content: "Ada Lovelace lives in Paris." },
    ]);
    await apply(store, 4, [{ type: "UPDATE", id: "m2", content: "Bo Rind city is Rome." }]);
    // Two items hold that sentence; one is deleted, the other still holds it.
    await apply(store, 5, [{ type: "DELETE", id: "m3" }]);
    expect(await decideBoth(6, "Bo Rind city is Rome.")).toEqual([{ type: "SKIP" }]);
    // A sentence this step already wrote, stated again after a newer value, does not bring the old value back.
    expect(await decideBoth(7, "Ada Lovelace owns a cat. Ada Lovelace owns a dog. Ada Lovelace owns a cat.")).toEqual([
      { type: "INSERT", content: "Ada Lovelace owns a dog." },
    ]);
  });
});
