import type { MemoryItem, MemoryView } from "@finemem/spec";
import { describe, expect, it } from "vitest";
import { createRelevanceRetriever } from "./relevance-retriever.js";

function item(id: string, content: string, step: number, version = 1): MemoryItem {
  return { id, content, version, createdStep: step, step, operationId: `op-${id}` };
}
const view = (items: MemoryItem[]): MemoryView =>
  ({ layout: "flat", namespace: "default", step: 9, items }) as unknown as MemoryView;

describe("relevance recall", () => {
  const retriever = createRelevanceRetriever();

  it("scores two items apart where rank_bm25's idf would be 0, and recalls nothing unrelated", async () => {
    const items = [item("m1", "My dog is called Rex.", 1), item("m2", "I work as a nurse.", 2)];
    const hits = await retriever.retrieve({ query: "What is my dog called?", view: view(items), topK: 5 });
    // Worked by hand: N = 2; "dog" and "call" each in one item: idf = ln(1 + 1.5 / 1.5) = ln 2. m1 has
    // 3 terms (dog, call, rex) and m2 2 (work, nurse): mean length 2.5, so each matched term of m1 adds
    // ln 2 · 2.2 / (1 + 1.2 · (0.25 + 0.75 · 3 / 2.5)) = ln 2 · 2.2 / 2.38 (k1 = 1.2, b = 0.75).
    expect(hits.map((hit) => hit.item.id)).toEqual(["m1"]);
    expect(hits[0]!.score).toBeCloseTo((2 * Math.LN2 * 2.2) / 2.38, 10);
    expect(await retriever.retrieve({ query: "What is the capital of France?", view: view(items), topK: 5 })).toEqual(
      [],
    );
    expect(await retriever.retrieve({ query: "What is it?", view: view(items), topK: 5 })).toEqual([]);
  });

  it("breaks ties by the newest step, then the newest version, then the id", async () => {
    const items = [
      item("a", "red apple", 1),
      item("c", "red door", 3),
      item("b", "red car", 3, 2),
      item("d", "red hat", 3, 2),
    ];
    const hits = await retriever.retrieve({ query: "red?", view: view(items), topK: 10 });
    expect(hits.map((hit) => [hit.item.id, hit.rank])).toEqual([
      ["b", 1],
      ["d", 2],
      ["c", 3],
      ["a", 4],
    ]);
  });

  it("drops items under the relative cut of the best score", async () => {
    const items = [
      item("m1", "Anna lives in Berlin with her dog.", 1),
      item("m2", "Anna plays tennis.", 2),
      item("m3", "Bo lives in Oslo.", 3),
    ];
    const query = { query: "Where does Anna live?", view: view(items), topK: 10 };
    // Worked by hand: query {anna, live}, each in two of three items: idf ln 1.6. Lengths 4, 3, 3 (mean
    // 10/3). m1 matches both: 2 · ln 1.6 · 2.2 / 2.38; m2 ("anna") and m3 ("live") one each:
    // ln 1.6 · 2.2 / 2.11, a tie that the newer step (m3) wins; their share of m1's score is
    // (1 / 2.11) / (2 / 2.38) = 0.564.
    const all = await retriever.retrieve(query);
    expect(all.map((hit) => hit.item.id)).toEqual(["m1", "m3", "m2"]);
    expect(all[0]!.score).toBeCloseTo((2 * Math.log(1.6) * 2.2) / 2.38, 10);
    expect(all[1]!.score / all[0]!.score).toBeCloseTo(2.38 / 2 / 2.11, 10);
    expect((await createRelevanceRetriever({ relativeCut: 0.6 }).retrieve(query)).map((hit) => hit.item.id)).toEqual([
      "m1",
    ]);
  });

  it("refuses a cut outside [0, 1]", () => {
    expect(() => createRelevanceRetriever({ relativeCut: 1.5 })).toThrow(
      expect.objectContaining({ code: "invalid_option", path: ["relativeCut"] }),
    );
  });
});
