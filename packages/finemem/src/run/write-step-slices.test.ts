import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StepRecord } from "@finemem/spec";
import { afterAll, describe, expect, it } from "vitest";
import { openAtomicFileWriter } from "./atomic-file-writer.js";
import { writeStepSlices } from "./write-step-slices.js";

// Steps whose JSON lines are 200-odd characters each.
const steps = Array.from(
  { length: 25 },
  (_, index): StepRecord => ({
    runId: "r",
    instanceId: "i",
    rollout: 0,
    step: index + 1,
    chunkId: `c${index}`,
    operations: [
      { operationId: `s${index + 1}.0`, operation: { type: "INSERT", content: `fact ${index} ${"x".repeat(index)}` } },
    ],
    results: [{ operationId: `s${index + 1}.0`, status: "applied", itemId: `m${index + 1}`, version: 1 }],
    parseOutcomes: [{ fragment: 0, status: "parsed", operationIndex: 0, repairs: [] }],
    actionLogprob: null,
    rewards: { format: 1 } as never,
  }),
);
const lines = steps.map((step) => `${JSON.stringify(step)}\n`);

describe("writeStepSlices", () => {
  const folder = mkdtempSync(join(tmpdir(), "finemem-step-slices-"));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it("writes whole lines in slices of about the given size, which join to the JSONL of every step", async () => {
    const writes: string[] = [];
    await writeStepSlices({ write: async (text) => void writes.push(text) }, steps, 1000);
    expect(writes.join("")).toBe(lines.join(""));
    expect(writes.length).toBeGreaterThan(3);
    for (const slice of writes) {
      expect(slice.endsWith("\n")).toBe(true);
      // A slice is written once it reaches the size, so it is under the size plus one line.
      expect(slice.length).toBeLessThan(1000 + Math.max(...lines.map((line) => line.length)));
    }
  });

  it("writes nothing for no steps, and one slice when all fit", async () => {
    const writes: string[] = [];
    await writeStepSlices({ write: async (text) => void writes.push(text) }, [], 1000);
    expect(writes).toEqual([]);
    await writeStepSlices({ write: async (text) => void writes.push(text) }, steps, 1 << 20);
    expect(writes).toEqual([lines.join("")]);
  });

  it("lands two episodes' slices in order through the atomic file writer", async () => {
    const path = join(folder, "steps.jsonl");
    const file = await openAtomicFileWriter(path);
    let writes: Promise<void> = Promise.resolve();
    writes = writes.then(() => writeStepSlices(file, steps.slice(0, 12), 500));
    writes = writes.then(() => writeStepSlices(file, steps.slice(12), 500));
    await writes;
    await file.commit();
    expect(readFileSync(path, "utf8")).toBe(lines.join(""));
  });
});
