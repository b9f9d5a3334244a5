import type { MemoryItem, MemoryView } from "@finemem/spec";
import { describe, expect, it } from "vitest";
import { factKeyOf } from "./fact-key.js";
import { StoredFacts } from "./stored-facts.js";
import { StoredFactsCache } from "./stored-facts-cache.js";

const item = (id: string, content: string): MemoryItem => ({
  id,
  content,
  version: 1,
  createdStep: 1,
  step: 1,
  operationId: `${id}.1`,
});
const view = (run: string, items: readonly MemoryItem[]): MemoryView => ({
  namespace: { run },
  layout: "flat",
  step: items.length,
  items,
});
const newCache = () =>
  new StoredFactsCache(
    () =>
      new StoredFacts(
        () => true,
        (stored) => factKeyOf(stored.content),
      ),
    4,
  );

describe("StoredFactsCache", () => {
  it("gives each of two interleaved memories its own maps, step after step", () => {
    const cache = newCache();
    let a = [item("m1", "Ada Lovelace lives in London.")];
    let b = [item("m1", "Tanaka owns a cat.")];
    const aFacts = cache.factsOf(view("a", a));
    const bFacts = cache.factsOf(view("b", b));
    expect(bFacts).not.toBe(aFacts);
    for (let step = 2; step <= 12; step += 1) {
      a = [...a, item(`m${step}`, `Ada Lovelace fact ${step}.`)];
      b = [...b, item(`m${step}`, `Tanaka fact ${step}.`)];
      expect(cache.factsOf(view("a", a))).toBe(aFacts);
      expect(cache.factsOf(view("b", b))).toBe(bFacts);
    }
    expect(aFacts.about("ada lovelace")).toHaveLength(12);
  });

  it("drops the maps of a memory not decided for in twice its capacity of calls", () => {
    const cache = newCache();
    const a = [item("m1", "Ada Lovelace lives in London.")];
    const aFacts = cache.factsOf(view("a", a));
    let b = [item("m1", "Tanaka owns a cat.")];
    for (let step = 2; step <= 10; step += 1) {
      b = [...b, item(`m${step}`, `Tanaka fact ${step}.`)];
      cache.factsOf(view("b", b));
    }
    expect(cache.factsOf(view("a", [...a, item("m2", "Ada Lovelace owns a dog.")]))).not.toBe(aFacts);
  });
});
