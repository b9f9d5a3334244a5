import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { MemoryItem, MemoryView } from "@finemem/spec";
import { describe, expect, it } from "vitest";
import { ViewIndexCache } from "./view-index-cache.js";

const item = (id: string, content: string, version = 1): MemoryItem => ({
  id,
  content,
  version,
  createdStep: 1,
  step: version,
  operationId: `${id}.${version}`,
});
const view = (...items: MemoryItem[]): MemoryView => ({ namespace: { run: "r" }, layout: "flat", step: 1, items });

describe("ViewIndexCache", () => {
  it("updates the previous view's index for the next step's view instead of building one", () => {
    const cache = new ViewIndexCache();
    const first = view(item("a", "ada paris"), item("b", "beta city"), item("c", "gamma job"), item("e", "epsilon"));
    const firstIndex = cache.indexOf(first).index;
    const next = view(item("a", "ada london", 2), first.items[2]!, first.items[3]!, item("d", "delta"));
    const nextIndexed = cache.indexOf(next);
    expect(nextIndexed.index).toBe(firstIndex);
    // a was re-added under its key, b removed, c and e untouched, d added: two slots more than four.
    expect(nextIndexed.index.size).toBe(4);
    expect(nextIndexed.index.allocatedSlots).toBe(4 + 2);
    expect(nextIndexed.index.search("london", { topK: 1 }).map((hit) => nextIndexed.itemOfKey(hit.key).id)).toEqual([
      "a",
    ]);
    // The earlier view is no longer what that index holds: asked again, it is indexed anew.
    const again = cache.indexOf(first);
    expect(again.index).not.toBe(firstIndex);
    expect(again.index.search("paris", { topK: 1 }).map((hit) => again.itemOfKey(hit.key).id)).toEqual(["a"]);
  });

  it("builds a fresh index for a view that is not a continuation: reordered items or a new item before a kept one", () => {
    const cache = new ViewIndexCache();
    const a = item("a", "alpha");
    const b = item("b", "beta");
    const firstIndex = cache.indexOf(view(a, b)).index;
    expect(cache.indexOf(view(b, a)).index).not.toBe(firstIndex);
    const secondIndex = cache.indexOf(view(a, b)).index;
    expect(cache.indexOf(view(item("z", "zeta"), a, b)).index).not.toBe(secondIndex);
  });

  it("keeps the indexes of two memories with the same item ids apart, asked about in turn", () => {
    const cache = new ViewIndexCache();
    const inNamespace = (run: string, ...items: MemoryItem[]): MemoryView => ({
      ...view(...items),
      namespace: { run },
    });
    // Two episodes number their items alike; most contents differ, one is shared.
    const a = inNamespace("a", item("m1", "alpha one"), item("m2", "shared words"), item("m3", "alpha three"));
    const b = inNamespace("b", item("m1", "beta one"), item("m2", "shared words"), item("m3", "beta three"));
    const aIndex = cache.indexOf(a).index;
    const bIndex = cache.indexOf(b).index;
    expect(bIndex).not.toBe(aIndex);
    for (let turn = 0; turn < 3; turn += 1) {
      expect(cache.indexOf(a).index).toBe(aIndex);
      expect(cache.indexOf(b).index).toBe(bIndex);
    }
    const hit = cache.indexOf(b);
    expect(hit.index.search("beta", { topK: 2 }).map((found) => hit.itemOfKey(found.key).content)).toEqual([
      "beta one",
      "beta three",
    ]);
  });

  it("drops an index once nothing holds its view (a finished episode's memory), with no further misses", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const cache = new ViewIndexCache();
    const kept = view(item("k", "kept memory"));
    cache.indexOf(kept);
    // The finished episode's final view, asked about and then dropped by its episode.
    const released = ((): WeakRef<object> => {
      const finished = { ...view(item("f1", "finished memory"), item("f2", "more words")), namespace: { run: "done" } };
      return new WeakRef(cache.indexOf(finished).index);
    })();
    // deref() keeps its target alive to the end of the current job, so each collection runs in a
    // job of its own: the first collects the view (and the cache drops the entry), a later the index.
    const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
    for (let round = 0; round < 4; round += 1) {
      await tick();
      gc();
    }
    await tick();
    expect(released.deref()).toBeUndefined();
    // The view still held keeps its index.
    expect(cache.indexOf(kept).index.search("kept", { topK: 1 })).toHaveLength(1);
  });

  it("drops the least recently used index past its capacity", () => {
    const cache = new ViewIndexCache({ capacity: 1 });
    const first = view(item("a", "alpha"));
    const firstIndex = cache.indexOf(first).index;
    cache.indexOf(view(item("x", "unrelated words")));
    expect(cache.indexOf(first).index).not.toBe(firstIndex);
  });

  it("drops the index of a memory no longer asked about while others are", () => {
    const cache = new ViewIndexCache({ capacity: 4 });
    const a = view(item("a1", "alpha"), item("a2", "beta"));
    const aIndex = cache.indexOf(a).index;
    // Another memory grows for 8 steps (twice the capacity, in views not seen before) and 1 more.
    let items = [item("b0", "gamma"), item("b1", "delta")];
    for (let step = 2; step <= 10; step += 1) {
      items = [...items, item(`b${step}`, `word${step}`)];
      cache.indexOf(view(...items));
    }
    // A's next step would have continued its index had it been kept.
    expect(cache.indexOf(view(...a.items, item("a3", "gamma"))).index).not.toBe(aIndex);
  });

  it("keeps the index of a memory asked about at every other miss", () => {
    const cache = new ViewIndexCache({ capacity: 4 });
    let a = [item("a1", "alpha"), item("a2", "beta")];
    const aIndex = cache.indexOf(view(...a)).index;
    let b = [item("b0", "gamma"), item("b1", "delta")];
    for (let step = 2; step <= 12; step += 1) {
      b = [...b, item(`b${step}`, `word${step}`)];
      cache.indexOf(view(...b));
      a = [...a, item(`a${step + 1}`, `word${step}`)];
      expect(cache.indexOf(view(...a)).index).toBe(aIndex);
    }
  });
});
