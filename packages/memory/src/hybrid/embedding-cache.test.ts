import { describe, expect, it } from "vitest";
import { type EmbeddingKey, InMemoryEmbeddingCache } from "./embedding-cache.js";

const key = (content: string, overrides: Partial<EmbeddingKey> = {}): EmbeddingKey => ({
  modelId: "m",
  namespace: {},
  itemId: "m1",
  version: 1,
  content,
  ...overrides,
});
const vector = (value: number) => Float32Array.of(value);

describe("InMemoryEmbeddingCache", () => {
  it("keys on model and text, so two stores' version 1 of m1 never collide", () => {
    const cache = new InMemoryEmbeddingCache();
    cache.setMany([{ key: key("Ada bought a car."), vector: vector(1) }]);
    expect(
      cache.getMany([
        key("Ada bought a car."),
        key("Bob plays chess."),
        key("Ada bought a car.", { modelId: "other" }),
      ]),
    ).toEqual([vector(1), undefined, undefined]);
    // The same text under another item or version is the same embedding.
    expect(cache.getMany([key("Ada bought a car.", { itemId: "m9", version: 4, namespace: { user: "u" } })])).toEqual([
      vector(1),
    ]);
    expect(cache.getMany([key("a\u0000b", { modelId: "m" })])).toEqual([undefined]);
  });

  it("drops the least recently used vector beyond maxEntries", () => {
    const cache = new InMemoryEmbeddingCache({ maxEntries: 2 });
    cache.setMany([
      { key: key("a"), vector: vector(1) },
      { key: key("b"), vector: vector(2) },
    ]);
    cache.getMany([key("a")]); // a is now the most recently used
    cache.setMany([{ key: key("c"), vector: vector(3) }]);
    expect(cache.size).toBe(2);
    expect(cache.getMany([key("a"), key("b"), key("c")])).toEqual([vector(1), undefined, vector(3)]);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(() => new InMemoryEmbeddingCache({ maxEntries: 0 })).toThrow(
      expect.objectContaining({ code: "invalid_option", path: ["maxEntries"] }),
    );
  });
});
