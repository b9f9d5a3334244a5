// Issue 26, acceptance 4: the replica image. A store restored from an image must be the store it was
// taken of: the oracle is the original store itself, given the same reads and the same further writes
// (which exercise what the restored store builds late: its records, dictionary, term pool, duplicate
// index, operation-id set and log).
import type { ApplyRequest, MemoryLayout, Namespace } from "@finemem/spec";
import { createWhitespaceTokenCounter } from "@finemem/spec/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createInMemoryStore, type InMemoryStore, type InMemoryStoreOptions } from "./in-memory-store.js";
import { encodeReplicaSnapshot, restoreReplicaSnapshot, SnapshotFormatError } from "./replica-snapshot.js";

const tokenCounter = createWhitespaceTokenCounter();
const ADA: Namespace = { user: "ada" };
const BOB: Namespace = { user: "bob", agent: "notes" };

// Latin-1 and beyond (accents, CJK, an emoji, a lone surrogate): the string table switches encodings.
const WORDS = ["river", "delta", "moved", "Zürich", "café", "日本", "🚀", "\ud800", "ada", "paris", "dog", "owl"];
const QUERIES = ["river delta", "café Zürich", "日本 🚀", "ada paris dog", "owl"];

type Write =
  | { kind: "insert"; words: number[]; type: number; stamped: boolean }
  | { kind: "update"; target: number; words: number[] }
  | { kind: "delete"; target: number }
  | { kind: "reuse"; target: number };

const writeArbitrary: fc.Arbitrary<Write> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("insert" as const),
      words: fc.array(fc.nat(WORDS.length - 1), { minLength: 1, maxLength: 5 }),
      type: fc.nat(3),
      stamped: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("update" as const),
      target: fc.nat(40),
      words: fc.array(fc.nat(WORDS.length - 1), { minLength: 1, maxLength: 4 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("delete" as const), target: fc.nat(40) }) },
  // An operation id used before: rejected by a store that remembers it.
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("reuse" as const), target: fc.nat(40) }) },
);

const TYPES = ["semantic", "episodic", "core", "semantic"] as const;

/** The request of step `step` from `writes` (operation ids `<prefix><step>-<i>`). */
function requestOf(layout: MemoryLayout, prefix: string, step: number, writes: Write[]): ApplyRequest {
  const content = (words: number[]) => words.map((word) => WORDS[word]).join(" ");
  return {
    namespace: step % 3 === 2 ? BOB : ADA,
    step,
    ...(step % 2 === 0 ? { sourceChunkId: `c${step}` } : {}),
    operations: writes.map((write, index) => {
      const operationId =
        write.kind === "reuse" ? `${prefix}${write.target % Math.max(step, 1)}-0` : `${prefix}${step}-${index}`;
      if (write.kind === "insert") {
        const memoryType = layout === "typed" ? TYPES[write.type] : undefined;
        return {
          operationId,
          operation: {
            type: "INSERT" as const,
            content: content(write.words),
            ...(memoryType === undefined ? {} : { memoryType }),
            ...(write.stamped && memoryType === "episodic" ? { timestamp: `2026-01-${10 + (step % 20)}` } : {}),
          },
        };
      }
      if (write.kind === "update")
        return {
          operationId,
          operation: { type: "UPDATE" as const, id: `m${write.target + 1}`, content: content(write.words) },
        };
      if (write.kind === "delete")
        return { operationId, operation: { type: "DELETE" as const, id: `m${write.target + 1}` } };
      return { operationId, operation: { type: "INSERT" as const, content: "a write under an id used before" } };
    }),
  };
}

/** Everything a reader can see of a store. */
async function observe(store: InMemoryStore): Promise<string> {
  const parts: unknown[] = [await store.exportJsonl()];
  for (const namespace of await store.namespaces()) {
    parts.push(await store.view(namespace));
    for (const query of QUERIES) parts.push(await store.search(namespace, query, { topK: 4 }));
    parts.push(await store.history(namespace, "m1"));
  }
  return JSON.stringify(parts);
}

function restoredCopy(store: InMemoryStore, options: InMemoryStoreOptions): InMemoryStore {
  const copy = createInMemoryStore(options);
  restoreReplicaSnapshot(copy, encodeReplicaSnapshot(store));
  return copy;
}

const optionsArbitrary = fc.record({
  layout: fc.constantFrom<MemoryLayout>("flat", "typed"),
  allowDuplicateInserts: fc.boolean(),
});

/** Steps of writes, each step 1 to 6 operations. */
const stepsArbitrary = (maxSteps: number) =>
  fc.array(fc.array(writeArbitrary, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: maxSteps });

type Settings = { layout: MemoryLayout; allowDuplicateInserts: boolean };

/** A store given `before`, a store restored from its image, and the next step number. */
async function originalAndRestored(settings: Settings, before: Write[][]) {
  const options = { ...settings, tokenCounter };
  const original = createInMemoryStore(options);
  let step = 1;
  for (const writes of before) await original.apply(requestOf(settings.layout, "w", step++, writes));
  return { options, original, restored: restoredCopy(original, options), step };
}

describe("the replica image", () => {
  it("restores a store that reads and then writes exactly as the store it was taken of", async () => {
    await fc.assert(
      fc.asyncProperty(optionsArbitrary, stepsArbitrary(12), stepsArbitrary(6), async (settings, before, after) => {
        const { options, original, restored, step: next } = await originalAndRestored(settings, before);
        let step = next;
        expect(await observe(restored)).toBe(await observe(original));
        // The same further writes (updates and deletes reach the restored index's term pool, inserts
        // its dictionary and duplicate index, reused ids its operation-id set) answer alike.
        for (const writes of after) {
          const request = requestOf(settings.layout, "w", step++, writes);
          expect(await restored.apply(request)).toEqual(await original.apply(request));
        }
        await restored.deleteBySource(ADA, "c2", { step: step++ });
        await original.deleteBySource(ADA, "c2", { step: step - 1 });
        expect(await observe(restored)).toBe(await observe(original));
        // An image of the restored store restores the same store again.
        expect(await observe(restoredCopy(restored, options))).toBe(await observe(original));
      }),
      { numRuns: 40, seed: 26 },
    );
  });

  it("forks a restored store as it forks the store it was taken of (the fork's first write copies the state)", async () => {
    await fc.assert(
      fc.asyncProperty(optionsArbitrary, stepsArbitrary(8), stepsArbitrary(4), async (settings, before, after) => {
        const { original, restored, step: next } = await originalAndRestored(settings, before);
        let step = next;
        const [restoredFork, originalFork] = [await restored.fork(), await original.fork()];
        for (const writes of after) {
          const request = requestOf(settings.layout, "w", step++, writes);
          expect(await restoredFork.apply(request)).toEqual(await originalFork.apply(request));
        }
        expect(await observe(restoredFork)).toBe(await observe(originalFork));
        // The restored store itself is as it was.
        expect(await observe(restored)).toBe(await observe(original));
      }),
      { numRuns: 20, seed: 27 },
    );
  });

  it("restores a store whose first use after the restore is a write, before any read", async () => {
    const options = { layout: "flat" as const, tokenCounter };
    const original = createInMemoryStore(options);
    for (let step = 1; step <= 30; step++)
      await original.apply({
        namespace: ADA,
        step,
        operations: [
          { operationId: `i${step}`, operation: { type: "INSERT", content: `fact ${step} about the river` } },
          ...(step > 3
            ? [
                {
                  operationId: `u${step}`,
                  operation: { type: "UPDATE" as const, id: `m${step - 3}`, content: `fact ${step - 3} revised` },
                },
              ]
            : []),
        ],
      });
    const restored = restoredCopy(original, options);
    const late: ApplyRequest = {
      namespace: ADA,
      step: 31,
      operations: [
        { operationId: "late-1", operation: { type: "INSERT", content: "fact 30 about the river" } },
        { operationId: "late-2", operation: { type: "DELETE", id: "m5" } },
        { operationId: "i7", operation: { type: "INSERT", content: "an id used before" } },
      ],
    };
    const results = await restored.apply(late);
    expect(results.map((result) => result.status)).toEqual(["rejected", "applied", "rejected"]);
    expect(results).toEqual(await original.apply(late));
    expect(await observe(restored)).toBe(await observe(original));
  });

  it("answers searches after an image is taken of it before any write (a snapshot of an untouched namespace)", async () => {
    const options = { tokenCounter };
    const original = createInMemoryStore(options);
    for (let step = 1; step <= 4; step++)
      await original.apply(
        requestOf("flat", "w", step, [{ kind: "insert", words: [step, 0, 1], type: 0, stamped: false }]),
      );
    const restored = restoredCopy(original, options);
    // Taking the image reads the restored index's terms; its searches must still find them.
    encodeReplicaSnapshot(restored);
    expect(await observe(restored)).toBe(await observe(original));
  });

  it("an empty store's image restores an empty store", async () => {
    const restored = restoredCopy(createInMemoryStore({ tokenCounter }), { tokenCounter });
    expect(await restored.namespaces()).toEqual([]);
    expect(await restored.exportJsonl()).toBe(await createInMemoryStore({ tokenCounter }).exportJsonl());
  });

  it("refuses an image it cannot read, naming why, and leaves the store empty", async () => {
    const original = createInMemoryStore({ tokenCounter });
    await original.apply(requestOf("flat", "w", 1, [{ kind: "insert", words: [0, 1], type: 0, stamped: false }]));
    const image = encodeReplicaSnapshot(original);
    const cases: [string, Uint8Array, RegExp][] = [
      ["too short", image.subarray(0, 8), /not a replica image/],
      ["another magic", Uint8Array.from([...Buffer.from("NOTANIMG"), ...image.subarray(8)]), /not a replica image/],
      ["format 1", Uint8Array.from([...Buffer.from("FMSNAP01"), ...image.subarray(8)]), /an image of format 1/],
      ["truncated", image.subarray(0, image.byteLength - 64), /truncated|damaged/],
      ["header cut", image.subarray(0, 40), /truncated|header is damaged/],
    ];
    for (const [what, bytes, message] of cases) {
      const target = createInMemoryStore({ tokenCounter });
      const error = (() => {
        try {
          restoreReplicaSnapshot(target, bytes);
        } catch (caught) {
          return caught;
        }
      })();
      expect(error, what).toBeInstanceOf(SnapshotFormatError);
      expect((error as Error).message, what).toMatch(message);
      expect(await target.namespaces(), what).toEqual([]);
    }
    // Settings of another store: another layout's image is refused.
    const typed = createInMemoryStore({ layout: "typed", tokenCounter });
    expect(() => restoreReplicaSnapshot(typed, image)).toThrow(/another layout/);
  });

  it("restores an image at any byte offset (an unaligned one is copied first)", async () => {
    const original = createInMemoryStore({ tokenCounter });
    for (let step = 1; step <= 5; step++)
      await original.apply(
        requestOf("flat", "w", step, [{ kind: "insert", words: [step, 0, 1], type: 0, stamped: false }]),
      );
    const image = encodeReplicaSnapshot(original);
    const restored = createInMemoryStore({ tokenCounter });
    restoreReplicaSnapshot(restored, image);
    const before = await restored.search(ADA, "river delta", { topK: 3 });
    // An unaligned image is copied first, and restores the same store.
    const shifted = new Uint8Array(image.byteLength + 1).subarray(1);
    shifted.set(image);
    const fromShifted = createInMemoryStore({ tokenCounter });
    restoreReplicaSnapshot(fromShifted, shifted);
    expect(await fromShifted.search(ADA, "river delta", { topK: 3 })).toEqual(before);
    expect(await observe(fromShifted)).toBe(await observe(original));
  });
});
