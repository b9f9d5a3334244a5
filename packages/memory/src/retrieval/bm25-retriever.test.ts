import type { MemoryItem, MemoryType, MemoryView, RetrievedItem } from "@finemem/spec";
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { createInMemoryStore } from "../store/in-memory-store.js";
import { createBm25Retriever } from "./bm25-retriever.js";

// A small vocabulary, so query terms often sit in more than half of the documents (negative idf).
const WORDS = ["alpha", "beta", "gamma", "delta", "ada", "paris", "job", "city", "moved", "lovelace"];

let counter = 0;
function itemOf(id: string, content: string, version: number, memoryType?: MemoryType): MemoryItem {
  counter += 1;
  return {
    id,
    content,
    version,
    createdStep: 1,
    step: version,
    operationId: `op${counter}`,
    ...(memoryType === undefined ? {} : { memoryType }),
  };
}

function viewOf(items: readonly MemoryItem[], layout: "flat" | "typed" = "flat"): MemoryView {
  return { namespace: { run: "r" }, layout, step: items.length, items };
}

// The oracle: a retriever that has seen no view before indexes this one from scratch.
async function fresh(view: MemoryView, query: string, topK: number): Promise<readonly RetrievedItem[]> {
  return createBm25Retriever().retrieve({ view, query, topK });
}

const text = fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 6 }).map((words) => words.join(" "));

type Edit =
  | { readonly kind: "insert"; readonly content: string }
  | { readonly kind: "update"; readonly at: number; readonly content: string }
  | { readonly kind: "delete"; readonly at: number }
  | { readonly kind: "fork"; readonly from: number };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant("insert" as const), content: text }),
  fc.record({ kind: fc.constant("update" as const), at: fc.nat(), content: text }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("fork" as const), from: fc.nat() }),
);

/**
 * Views of one memory as a store produces them (items in insertion order, an update keeps the item's
 * place, a delete removes it), with forks: a "fork" edit continues from an earlier view, so the views
 * branch as forked stores' do.
 */
function viewsOf(edits: readonly Edit[]): MemoryView[] {
  const views: MemoryView[] = [viewOf([])];
  let items: MemoryItem[] = [];
  let nextId = 0;
  for (const change of edits) {
    if (change.kind === "fork") {
      items = [...views[change.from % views.length]!.items];
      continue;
    }
    if (change.kind === "insert") items = [...items, itemOf(`m${nextId++}`, change.content, 1)];
    else if (items.length > 0) {
      const at = change.at % items.length;
      const old = items[at]!;
      items =
        change.kind === "delete"
          ? items.filter((_, position) => position !== at)
          : items.map((item, position) => (position === at ? itemOf(old.id, change.content, old.version + 1) : item));
    }
    views.push(viewOf(items));
  }
  return views;
}

const summary = (hits: readonly RetrievedItem[]) => hits.map((hit) => [hit.item, hit.score, hit.rank]);

/**
 * The same items in the same ranks, with scores equal up to the last bits: an index updated in place
 * sums the average idf (used for a term in more than half of the documents) in its own vocabulary
 * order, as rank_bm25 sums it in first-appearance order, and after removals that order may differ
 * from a fresh build's (the index's documented caveat).
 */
function expectSameRanking(got: readonly RetrievedItem[], fresh: readonly RetrievedItem[]): void {
  expect(got.map((hit) => [hit.item, hit.rank])).toEqual(fresh.map((hit) => [hit.item, hit.rank]));
  got.forEach((hit, position) => {
    const expected = fresh[position]!.score;
    expect(Math.abs(hit.score - expected)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(expected)));
  });
}

describe("createBm25Retriever on views no store answers for", () => {
  it("answers every view as a fresh index would, whatever order the views of a memory and its forks are asked in", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(edit, { minLength: 1, maxLength: 40 }),
        fc.array(fc.tuple(fc.nat(), text, fc.integer({ min: 1, max: 8 })), { minLength: 1, maxLength: 30 }),
        async (edits, queries) => {
          const views = viewsOf(edits);
          const retriever = createBm25Retriever();
          // Mostly the newest view (an episode's pattern), sometimes an older one or a fork's.
          for (const [pick, query, topK] of queries) {
            const view = pick % 3 === 0 ? views[pick % views.length]! : views.at(-1)!;
            const got = await retriever.retrieve({ view, query, topK });
            expectSameRanking(got, await fresh(view, query, topK));
          }
        },
      ),
      { numRuns: Number(process.env.FC_RUNS ?? 150) },
    );
  }, 60_000);

  it("answers each step's view of an episode as a fresh index would", async () => {
    const retriever = createBm25Retriever();
    let items: MemoryItem[] = [];
    for (let step = 0; step < 30; step += 1) {
      items = [...items, itemOf(`m${step}`, `${WORDS[step % WORDS.length]} ${WORDS[(step * 3) % WORDS.length]}`, 1)];
      if (step % 4 === 3)
        items = items.map((item, position) =>
          position === 1 ? itemOf(item.id, `ada job ${step}`, item.version + 1) : item,
        );
      if (step % 5 === 4) items = items.filter((_, position) => position !== 2);
      const view = viewOf(items);
      for (const query of ["ada job", "paris city moved", "alpha"]) {
        expect(summary(await retriever.retrieve({ view, query, topK: 5 }))).toEqual(
          summary(await fresh(view, query, 5)),
        );
      }
    }
  });

  it("returns the asked view's items, not the earlier view's, when only metadata changed", async () => {
    const retriever = createBm25Retriever();
    const before = viewOf([itemOf("a", "ada paris", 1), itemOf("b", "beta city", 1)]);
    await retriever.retrieve({ view: before, query: "ada", topK: 1 });
    const rewritten = itemOf("a", "ada paris", 2);
    const after = viewOf([rewritten, before.items[1]!]);
    const [hit] = await retriever.retrieve({ view: after, query: "ada", topK: 1 });
    expect(hit?.item).toBe(rewritten);
  });

  it("indexes anew a view whose items are in another order, and unrelated views with the same ids", async () => {
    const retriever = createBm25Retriever();
    const a = itemOf("a", "alpha beta", 1);
    const b = itemOf("b", "alpha gamma", 1);
    const first = viewOf([a, b]);
    const swapped = viewOf([b, a]);
    const other = viewOf([itemOf("a", "delta paris", 1), itemOf("b", "alpha city", 1)]);
    for (const view of [first, swapped, other, first, swapped]) {
      expect(summary(await retriever.retrieve({ view, query: "alpha", topK: 2 }))).toEqual(
        summary(await fresh(view, "alpha", 2)),
      );
    }
  });

  it("keeps memory types apart in the typed layout across updates", async () => {
    const retriever = createBm25Retriever();
    const first = viewOf([itemOf("s", "ada paris", 1, "semantic"), itemOf("e", "ada city", 1, "episodic")], "typed");
    await retriever.retrieve({ view: first, query: "ada", topK: 2, memoryTypes: ["semantic"] });
    const next = viewOf([first.items[0]!, first.items[1]!, itemOf("t", "ada job", 1, "semantic")], "typed");
    const request = { query: "ada", topK: 3, memoryTypes: ["semantic" as const], perType: true };
    const got = await retriever.retrieve({ view: next, ...request });
    expect(got.map((hit) => hit.item.id)).toEqual(["s", "t"]);
    expect(summary(got)).toEqual(summary(await createBm25Retriever().retrieve({ view: next, ...request })));
  });
});

describe("createBm25Retriever on a store's views", () => {
  it("answers a store's current view from the store's index, without being given the store", async () => {
    const store = createInMemoryStore();
    const namespace = { run: "r" };
    await store.apply({
      namespace,
      step: 1,
      operations: [
        { operationId: "a", operation: { type: "INSERT", content: "Ada moved to Paris." } },
        { operationId: "b", operation: { type: "INSERT", content: "Beta lives in a city." } },
      ],
    });
    const view = await store.view(namespace);
    const searchView = vi.spyOn(store, "searchView");
    const retriever = createBm25Retriever();
    const hits = await retriever.retrieve({ view, query: "Paris", topK: 1 });
    expect(searchView).toHaveReturnedWith(hits);
    expect(hits.map((hit) => hit.item.id)).toEqual(["m1"]);
    // A view that is no longer the store's current one is indexed by the retriever, with the same answer.
    await store.apply({
      namespace,
      step: 2,
      operations: [{ operationId: "c", operation: { type: "INSERT", content: "Gamma." } }],
    });
    searchView.mockClear();
    expect(await retriever.retrieve({ view, query: "Paris", topK: 1 })).toEqual(hits);
    expect(searchView).toHaveReturnedWith(undefined);
    // A store that indexes with other parameters is not asked.
    const tuned = createInMemoryStore({ bm25: { k1: 2 } });
    await tuned.apply({
      namespace,
      step: 1,
      operations: [{ operationId: "a", operation: { type: "INSERT", content: "x y" } }],
    });
    const tunedSearch = vi.spyOn(tuned, "searchView");
    await retriever.retrieve({ view: await tuned.view(namespace), query: "x", topK: 1 });
    expect(tunedSearch).not.toHaveBeenCalled();
  });
});
