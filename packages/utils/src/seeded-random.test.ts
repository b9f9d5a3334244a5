import { describe, expect, it } from "vitest";
import { createSeededRandom } from "./seeded-random.js";

const draws = (seed: number | string, count: number) => {
  const random = createSeededRandom(seed);
  return Array.from({ length: count }, () => random.next());
};

describe("createSeededRandom", () => {
  it("repeats its sequence for the same seed and differs for another", () => {
    expect(draws(42, 50)).toEqual(draws(42, 50));
    expect(draws("42", 5)).toEqual(draws(42, 5));
    expect(draws(42, 5)).not.toEqual(draws(43, 5));
  });

  it("keeps the sequence fixed across releases (it is part of the spec)", () => {
    // Pinned when the generator was written; a change here breaks every recorded seed.
    const pinned = createSeededRandom("finemem");
    expect(Array.from({ length: 4 }, () => pinned.int(1000))).toMatchSnapshot();
  });

  it("draws floats in [0, 1) and unbiased integers in range", () => {
    const random = createSeededRandom(7);
    const counts = new Array<number>(6).fill(0);
    for (let i = 0; i < 60_000; i++) {
      const value = random.next();
      expect(value >= 0 && value < 1).toBe(true);
      counts[random.int(6)]! += 1;
    }
    // Each face expects 10,000; 5 standard deviations is about ±456.
    for (const count of counts) expect(Math.abs(count - 10_000)).toBeLessThan(500);
    expect(() => random.int(0)).toThrow(RangeError);
    expect(() => random.int(1.5)).toThrow(RangeError);
    expect(random.int(1)).toBe(0);
  });

  it("forks independent, reproducible streams without consuming the parent's draws", () => {
    const a = createSeededRandom(1);
    const b = createSeededRandom(1);
    const child = a.fork("rollout-3");
    expect(child.seed).toBe("1/rollout-3");
    expect(a.next()).toBe(b.next());
    expect(createSeededRandom(1).fork("rollout-3").next()).toBe(child.next());
    expect(createSeededRandom(1).fork("rollout-4").next()).not.toBe(createSeededRandom(1).fork("rollout-3").next());
  });
});
