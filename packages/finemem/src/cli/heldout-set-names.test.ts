import { describe, expect, it } from "vitest";
import { heldoutSetNames } from "./train-command.js";

describe("heldoutSetNames", () => {
  it("names a synthetic set by its seed, a file by its name, others by kind and split, and keeps names unique", () => {
    expect(
      heldoutSetNames([
        { kind: "synthetic", seed: "heldout" },
        { kind: "synthetic", seed: "heldout-hard", changedShare: 1 },
        { kind: "synthetic" },
        { kind: "memoryagentbench", file: "/data/Conflict_Resolution-x.parquet" },
        { kind: "memoryagentbench", file: "other/Conflict_Resolution-x.jsonl" },
        { kind: "memalpha", split: "test" },
        { kind: "memoryagentbench" },
        { kind: "synthetic", seed: "heldout" },
      ]),
    ).toEqual([
      "synthetic:heldout",
      "synthetic:heldout-hard",
      "synthetic:default",
      "Conflict_Resolution-x",
      "Conflict_Resolution-x#5",
      "memalpha:test",
      "memoryagentbench",
      "synthetic:heldout#8",
    ]);
  });
});
