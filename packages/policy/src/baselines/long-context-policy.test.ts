import { createWhitespaceTokenCounter } from "@finemem/spec/testing";
import { createO200kTokenCounter } from "@finemem/utils";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createLongContextPolicy, keepLastTokens } from "./long-context-policy.js";

const emptyView = { namespace: {}, layout: "flat" as const, step: 0, items: [] };

describe("the long-context baseline", () => {
  it("inserts the first chunk, then rewrites the one item with the window's tail", async () => {
    const policy = createLongContextPolicy({ maxTokens: 6, tokenCounter: createWhitespaceTokenCounter() });
    const first = await policy.decide({ step: 1, chunk: { id: "c1", text: "one two three" }, view: emptyView });
    expect(first.operations).toEqual([{ type: "INSERT", content: "one two three" }]);
    const view = {
      ...emptyView,
      step: 1,
      items: [{ id: "m1", content: "one two three", version: 1, createdStep: 1, step: 1, operationId: "o1" }],
    };
    const second = await policy.decide({ step: 2, chunk: { id: "c2", text: "four five six seven" }, view });
    expect(second.operations).toEqual([{ type: "UPDATE", id: "m1", content: "two three\n\nfour five six seven" }]);
    expect(policy.policyId).toBe("long-context-6");
  });

  it("keeps the longest suffix within the cap under o200k (property)", () => {
    const counter = createO200kTokenCounter();
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 300 }), fc.integer({ min: 1, max: 40 }), (text, cap) => {
        const kept = keepLastTokens(text, cap, counter);
        if (counter.count(text) <= cap) return kept === text;
        // A suffix of the text, within the cap, and one more code point would not fit.
        expect(text.endsWith(kept)).toBe(true);
        expect(counter.count(kept) <= cap || Array.from(kept).length === 1).toBe(true);
        const longer = Array.from(text)
          .slice(-(Array.from(kept).length + 1))
          .join("")
          .trimStart();
        if (longer.length > kept.length) expect(counter.count(longer)).toBeGreaterThan(cap);
        return true;
      }),
      { numRuns: 300 },
    );
  });

  it("rejects a window that is not a positive integer", () => {
    expect(() => createLongContextPolicy({ maxTokens: 0 })).toThrow(
      expect.objectContaining({ code: "invalid_option", path: ["maxTokens"] }),
    );
  });
});
