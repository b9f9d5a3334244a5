import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Bm25Index } from "./bm25-index.js";
import { bm25Scores } from "./bm25-scores.js";
import { tokenizeForBm25 } from "./tokenize.js";

// A small vocabulary so that terms repeat, document frequencies pass N/2 (negative idf, the epsilon
// floor) and hit exactly N/2 (idf 0), and ties are common.
const WORDS = ["ada", "bob", "paris", "rome", "chess", "the", "of", "lives", "plays", "ünïcode", "北京", "x_y", "42"];
const documentArbitrary = fc
  .array(fc.constantFrom(...WORDS), { minLength: 0, maxLength: 8 })
  .map((words) => words.join(" "));

type Action =
  | { kind: "add"; key: number; text: string }
  | { kind: "remove"; key: number }
  | { kind: "update"; key: number; text: string };

const actionArbitrary: fc.Arbitrary<Action> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("add" as const), key: fc.nat(40), text: documentArbitrary }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("remove" as const), key: fc.nat(40) }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("update" as const), key: fc.nat(40), text: documentArbitrary }),
  },
);

/** The live documents in key order, maintained the simple way. */
function replay(actions: readonly Action[], index: Bm25Index, live = new Map<number, string>()): Map<number, string> {
  for (const action of actions) {
    if (action.kind === "remove") {
      expect(index.remove(action.key)).toBe(live.delete(action.key));
    } else if (action.kind === "add" || live.has(action.key)) {
      index.add(action.key, action.text);
      live.set(action.key, action.text);
    }
  }
  return live;
}

function scratchRanking(live: Map<number, string>, query: string) {
  const keys = [...live.keys()].sort((a, b) => a - b);
  const scores = bm25Scores(
    keys.map((key) => tokenizeForBm25(live.get(key)!)),
    tokenizeForBm25(query),
  );
  const order = keys.map((key, position) => ({ key, score: scores[position]! }));
  // Score descending, ties by smaller key: Mem-α's stable sort over documents in insertion order.
  order.sort((a, b) => b.score - a.score || a.key - b.key);
  return { keys, scores, order };
}

describe("the incremental BM25 index", () => {
  it("equals scoring from scratch after any sequence of adds, updates and removes", () => {
    fc.assert(
      fc.property(
        fc.array(actionArbitrary, { maxLength: 60 }),
        documentArbitrary,
        fc.integer({ min: 1, max: 12 }),
        (actions, query, topK) => {
          const index = new Bm25Index();
          const live = replay(actions, index);
          expect(index.size).toBe(live.size);
          const expected = scratchRanking(live, query);
          const all = index.scoreAll(tokenizeForBm25(query));
          expect(all.keys).toEqual(expected.keys);
          all.scores.forEach((score, position) => {
            expect(Math.abs(score - expected.scores[position]!)).toBeLessThanOrEqual(1e-9);
          });

          const hits = index.search(query, { topK });
          const wanted = expected.order.slice(0, topK);
          expect(hits.length).toBe(wanted.length);
          hits.forEach((hit, position) => {
            expect(Math.abs(hit.score - wanted[position]!.score)).toBeLessThanOrEqual(1e-9);
            // Keys agree except where two scores differ only by rounding (a tie in one, not the other).
            if (Math.abs(hit.score - wanted[position]!.score) === 0) expect(hit.key).toBe(wanted[position]!.key);
          });
        },
      ),
      { numRuns: 500, seed: 20261124 },
    );
  });

  it("a clone is independent of its source in both directions", () => {
    fc.assert(
      fc.property(
        fc.array(actionArbitrary, { maxLength: 30 }),
        fc.array(actionArbitrary, { maxLength: 30 }),
        fc.array(actionArbitrary, { maxLength: 30 }),
        documentArbitrary,
        (shared, left, right, query) => {
          const source = new Bm25Index();
          const sharedLive = replay(shared, source);
          const copy = source.clone();
          replay(left, source, new Map(sharedLive));
          replay(right, copy, new Map(sharedLive));
          const check = (index: Bm25Index, actions: Action[]) => {
            const reference = new Bm25Index();
            replay(actions, reference);
            expect(index.scoreAll(tokenizeForBm25(query)).keys).toEqual(
              reference.scoreAll(tokenizeForBm25(query)).keys,
            );
            const got = index.scoreAll(tokenizeForBm25(query)).scores;
            reference.scoreAll(tokenizeForBm25(query)).scores.forEach((score, position) => {
              expect(Math.abs(score - got[position]!)).toBeLessThanOrEqual(1e-9);
            });
          };
          check(source, [...shared, ...left]);
          check(copy, [...shared, ...right]);
        },
      ),
      { numRuns: 200, seed: 7 },
    );
  });

  it("filters by kind and keeps zero-score documents after positive ones, negative ones last", () => {
    const index = new Bm25Index();
    // "the" is in 4 of 5 documents: negative idf, floored at epsilon × average idf.
    index.add(0, "the cat", 2);
    index.add(1, "the dog", 3);
    index.add(2, "a bird", 2);
    index.add(3, "the the", 2);
    index.add(4, "the end", 3);
    const all = index.search("dog", { topK: 5 });
    expect(all.map((hit) => hit.key)).toEqual([1, 0, 2, 3, 4]);
    expect(all.slice(1).every((hit) => hit.score === 0)).toBe(true);
    expect(index.search("dog", { topK: 5, kinds: [2] }).map((hit) => hit.key)).toEqual([0, 2, 3]);
    expect(index.search("dog", { topK: 0 })).toEqual([]);
    expect(new Bm25Index().search("dog", { topK: 3 })).toEqual([]);
  });

  it("compacts posting lists and vocabulary under heavy churn without changing scores", () => {
    const index = new Bm25Index();
    const live = new Map<number, string>();
    for (let round = 0; round < 50; round++) {
      for (let key = 0; key < 40; key++) {
        const text = `word${(key * 7 + round) % 23} shared term${round % 5} ${key % 3 === 0 ? `rare${round}` : ""}`;
        index.add(key, text);
        live.set(key, text);
      }
      for (let key = round % 2; key < 40; key += 3) {
        index.remove(key);
        live.delete(key);
      }
    }
    const expected = scratchRanking(live, "shared word3 term2 rare49");
    const { scores } = index.scoreAll(tokenizeForBm25("shared word3 term2 rare49"));
    scores.forEach((score, position) => {
      expect(Math.abs(score - expected.scores[position]!)).toBeLessThanOrEqual(1e-9);
    });
  });

  it("renumbers its slots under endless updates, keeping scores and tie order", () => {
    const index = new Bm25Index();
    const live = new Map<number, string>();
    for (let round = 0; round < 10_000; round++) {
      const key = round % 5;
      const text = `fact ${round % 7} about subject${key} ${round % 2 === 0 ? "even" : "odd"} kind${round % 3}`;
      index.add(key, text, round % 2);
      live.set(key, text);
      if (round % 11 === 0) {
        index.remove(4);
        live.delete(4);
      }
    }
    // 10,000 adds without renumbering would hold 10,000 slots.
    expect(index.allocatedSlots).toBeLessThan(4096);
    for (const query of ["fact 3 subject2", "even kind1", "odd", "nothing"]) {
      const expected = scratchRanking(live, query);
      const { keys, scores } = index.scoreAll(tokenizeForBm25(query));
      expect(keys).toEqual(expected.keys);
      scores.forEach((score, position) => {
        expect(score).toBe(expected.scores[position]);
      });
      expect(index.search(query, { topK: 10 }).map((hit) => hit.key)).toEqual(expected.order.map((entry) => entry.key));
    }
    expect(index.search("fact", { topK: 10, kinds: [1] }).every((hit) => index.has(hit.key))).toBe(true);
  });

  it("keeps documents under any number key: small integers in its array, others (fractional, negative, far) in its map", () => {
    const keys = [0, 1, 2.5, -3, 5, 1e9, 2 ** 40, 7, Number.MAX_SAFE_INTEGER, 3];
    const texts = keys.map(
      (_, position) => `${WORDS[position % WORDS.length]} ${WORDS[(position * 5) % WORDS.length]}`,
    );
    const index = new Bm25Index();
    const reference = new Bm25Index();
    keys.forEach((key, position) => {
      index.add(key, texts[position]!);
    });
    // The reference holds the same documents under keys 0..n−1 in key order, so both rank alike.
    const byKey = keys.map((key, position) => ({ key, text: texts[position]! })).sort((a, b) => a.key - b.key);
    byKey.forEach((entry, position) => {
      reference.add(position, entry.text);
    });
    for (const key of keys) expect(index.has(key)).toBe(true);
    for (const key of [4, 2, 0.5, -1, 1e9 + 1]) expect(index.has(key)).toBe(false);
    const ranked = (query: string) =>
      index.search(query, { topK: keys.length }).map((hit) => byKey.findIndex((entry) => entry.key === hit.key));
    for (const query of ["ada", "paris rome", "42 chess"])
      expect(ranked(query)).toEqual(reference.search(query, { topK: keys.length }).map((hit) => hit.key));
    // Re-adding and removing under every kind of key moves only that key's document.
    expect(index.remove(2.5)).toBe(true);
    expect(index.remove(2.5)).toBe(false);
    expect(index.remove(1e9)).toBe(true);
    expect(index.remove(0)).toBe(true);
    index.add(2 ** 40, "ada ada");
    index.add(1, "rome");
    expect(index.size).toBe(keys.length - 3);
    expect(index.search("ada", { topK: 1 })[0]?.key).toBe(2 ** 40);
    expect(index.search("rome", { topK: 1 })[0]?.key).toBe(1);
    const copy = index.clone();
    copy.remove(1);
    expect(index.has(1)).toBe(true);
    expect(copy.has(1)).toBe(false);
    expect(copy.has(2 ** 40)).toBe(true);
  });
});
