import type { MemoryItem, MemoryType, MemoryView } from "@finemem/spec";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { factKeyOf } from "./fact-key.js";
import { StoredFacts } from "./stored-facts.js";

const isFact = (item: MemoryItem) => item.memoryType === undefined || item.memoryType === "semantic";
const keyOf = (item: MemoryItem) => factKeyOf(item.content);

function item(id: string, content: string, step: number, memoryType?: MemoryType): MemoryItem {
  return {
    id,
    content,
    version: step,
    createdStep: 1,
    step,
    operationId: `${id}.${step}`,
    ...(memoryType === undefined ? {} : { memoryType }),
  };
}
const view = (items: readonly MemoryItem[]): MemoryView => ({ namespace: {}, layout: "typed", step: 1, items });

// What the maps say, read through the public surface: each subject's facts in order, and which sentences are held.
function describeFacts(facts: StoredFacts, subjects: readonly string[], sentences: readonly string[]) {
  return {
    about: subjects.map((subject) => facts.about(subject).map(({ id, content, recency }) => [id, content, recency])),
    holds: sentences.filter((sentence) => facts.holds(sentence)),
  };
}

const SENTENCES = ["Ada Lovelace lives in London.", "Tanaka lives in Rome.", " Tanaka owns a cat. ", "It rains."];
const SUBJECTS = ["ada lovelace", "tanaka"];
const HELD = SENTENCES.map((sentence) => sentence.trim());

describe("StoredFacts", () => {
  it("lists a subject's facts in view order after an item changes subject, type or step", () => {
    const facts = new StoredFacts(isFact, keyOf);
    const m1 = item("m1", "Ada Lovelace lives in London.", 1);
    const m2 = item("m2", "Tanaka lives in Rome.", 1);
    const m3 = item("m3", "Tanaka owns a cat.", 1, "episodic");
    facts.sync(view([m1, m2, m3]));
    expect(describeFacts(facts, SUBJECTS, HELD)).toEqual({
      about: [[["m1", "Ada Lovelace lives in London.", 1]], [["m2", "Tanaka lives in Rome.", 1]]],
      holds: ["Ada Lovelace lives in London.", "Tanaka lives in Rome."],
    });
    // m1 becomes a fact about Tanaka (before m2 in the view), m3 becomes semantic, m2 is rewritten at step 2.
    facts.sync(
      view([
        item("m1", "Tanaka lives in Paris.", 2),
        item("m2", "Tanaka lives in Rome.", 2),
        item("m3", "Tanaka owns a cat.", 2, "semantic"),
      ]),
    );
    expect(describeFacts(facts, SUBJECTS, [...HELD, "Tanaka lives in Paris."])).toEqual({
      about: [
        [],
        [
          ["m1", "Tanaka lives in Paris.", 2],
          ["m2", "Tanaka lives in Rome.", 2],
          ["m3", "Tanaka owns a cat.", 2],
        ],
      ],
      holds: ["Tanaka lives in Rome.", "Tanaka owns a cat.", "Tanaka lives in Paris."],
    });
  });

  it("equals maps built from scratch for any sequence of views, continuations or not", () => {
    // Each view: a subset of ids in some order, each with a sentence, a step and a type.
    const anyView = fc
      .uniqueArray(
        fc.record({
          id: fc.constantFrom("m1", "m2", "m3", "m4", "m5", "m6"),
          content: fc.constantFrom(...SENTENCES),
          step: fc.integer({ min: 1, max: 3 }),
          type: fc.constantFrom<MemoryType | undefined>(undefined, "semantic", "episodic"),
        }),
        { selector: (entry) => entry.id, maxLength: 6 },
      )
      .chain((entries) => fc.tuple(fc.constant(entries), fc.boolean()))
      .map(([entries, sorted]) =>
        view(
          (sorted ? [...entries].sort((a, b) => a.id.localeCompare(b.id)) : entries).map((entry) =>
            item(entry.id, entry.content, entry.step, entry.type),
          ),
        ),
      );
    fc.assert(
      fc.property(fc.array(anyView, { minLength: 1, maxLength: 12 }), (views) => {
        const incremental = new StoredFacts(isFact, keyOf);
        for (const next of views) {
          incremental.sync(next);
          const fresh = new StoredFacts(isFact, keyOf);
          fresh.sync(next);
          expect(describeFacts(incremental, SUBJECTS, HELD)).toEqual(describeFacts(fresh, SUBJECTS, HELD));
        }
      }),
      { numRuns: 300 },
    );
  });
});
