import type { MemoryItem, MemoryView } from "@finemem/spec";
import { describe, expect, it } from "vitest";
import { promptView } from "./prompt-view.js";

const item = (id: string, step: number, memoryType?: MemoryItem["memoryType"]): MemoryItem => ({
  id,
  content: `content of ${id}`,
  ...(memoryType === undefined ? {} : { memoryType }),
  version: 1,
  createdStep: step,
  step,
  operationId: `op-${id}`,
});

describe("promptView", () => {
  it("returns the whole view without options", () => {
    const view: MemoryView = { namespace: {}, layout: "flat", step: 3, items: [item("m1", 1), item("m2", 3)] };
    expect(promptView(view)).toBe(view);
  });

  it("keeps the N most recently written items per type, core always, in insertion order", () => {
    const view: MemoryView = {
      namespace: {},
      layout: "typed",
      step: 9,
      items: [
        item("core", 1, "core"),
        item("m1", 5, "semantic"),
        item("m2", 2, "semantic"),
        item("m3", 9, "semantic"),
        item("m4", 3, "episodic"),
        item("m5", 3, "episodic"),
        item("m6", 1, "episodic"),
      ],
    };
    expect(promptView(view, { perType: 2 }).items.map((kept) => kept.id)).toEqual(["core", "m1", "m3", "m4", "m5"]);
    expect(promptView(view, { perType: 0 }).items.map((kept) => kept.id)).toEqual(["core"]);
  });
});
