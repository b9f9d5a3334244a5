import { AbortedError } from "@finemem/spec";
import { describe, expect, it } from "vitest";
import { mapWithConcurrency } from "./map-with-concurrency.js";

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("mapWithConcurrency", () => {
  it("keeps input order and never runs more than the limit at once", async () => {
    let inFlight = 0;
    let peak = 0;
    const results = await mapWithConcurrency([5, 1, 4, 2, 3, 0, 6], 3, async (value) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      for (let i = 0; i < value; i++) await tick();
      inFlight--;
      return value * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30, 0, 60]);
    expect(peak).toBe(3);
  });

  it("rejects with the first error and starts no further call", async () => {
    const started: number[] = [];
    await expect(
      mapWithConcurrency([0, 1, 2, 3, 4], 1, async (value) => {
        started.push(value);
        if (value === 1) throw new Error("boom");
        return value;
      }),
    ).rejects.toThrow("boom");
    expect(started).toEqual([0, 1]);
  });

  it("stops at an aborted signal and refuses a bad limit", async () => {
    const controller = new AbortController();
    await expect(
      mapWithConcurrency(
        [0, 1, 2],
        1,
        async (value) => {
          if (value === 0) controller.abort();
          return value;
        },
        controller.signal,
      ),
    ).rejects.toBeInstanceOf(AbortedError);
    await expect(mapWithConcurrency([1], 0, async (value) => value)).rejects.toBeInstanceOf(RangeError);
    await expect(mapWithConcurrency([], 2, async (value: number) => value)).resolves.toEqual([]);
  });
});
