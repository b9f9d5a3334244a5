import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { planFactSchedule } from "./fact-schedule.js";

const inputs = fc.record({
  chunkCount: fc.integer({ min: 1, max: 40 }),
  factsPerChunk: fc.integer({ min: 1, max: 25 }),
  changedShare: fc.double({ min: 0, max: 1, noNaN: true }),
  distractorShare: fc.double({ min: 0, max: 0.999, noNaN: true }),
});

describe("planFactSchedule", () => {
  it("fills every chunk, keeps a change after an unchanged first statement, and honours the shares", () => {
    fc.assert(
      fc.property(inputs, (input) => {
        const schedule = planFactSchedule(input);
        const total = input.chunkCount * input.factsPerChunk;
        expect(schedule.chunks).toHaveLength(input.chunkCount);
        let originalsBefore = 0;
        let changesSoFar = 0;
        for (const chunk of schedule.chunks) {
          expect(chunk.originals + chunk.updates + chunk.distractors).toBe(input.factsPerChunk);
          expect(Math.min(chunk.originals, chunk.updates, chunk.distractors)).toBeGreaterThanOrEqual(0);
          changesSoFar += chunk.updates;
          expect(changesSoFar).toBeLessThanOrEqual(originalsBefore);
          originalsBefore += chunk.originals;
        }
        const distractors = Math.min(Math.round(total * input.distractorShare), total - 1);
        expect(schedule.distractorStatements).toBe(distractors);
        const targets = total - distractors;
        expect(schedule.targetFacts + schedule.changedFacts).toBe(targets);
        // The wanted number of changes is always reachable: chunks fill evenly, so half the questioned
        // statements fit before the other half.
        const wanted = input.chunkCount < 2 ? 0 : targets - Math.round(targets / (1 + input.changedShare));
        expect(schedule.changedFacts).toBe(wanted);
      }),
      { numRuns: 2000 },
    );
  });

  it("spreads changes over the chunks rather than bunching them at the end", () => {
    const schedule = planFactSchedule({ chunkCount: 10, factsPerChunk: 8, changedShare: 0.5, distractorShare: 0.25 });
    expect(schedule).toMatchObject({ targetFacts: 40, changedFacts: 20, distractorStatements: 20 });
    expect(schedule.chunks[0]!.updates).toBe(0);
    for (const chunk of schedule.chunks.slice(1)) expect(chunk.updates).toBeGreaterThanOrEqual(1);
  });
});
