import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createManualClock } from "./manual-clock.js";

describe("createManualClock", () => {
  it("starts at the given time and moves only when advanced", () => {
    const clock = createManualClock(1000);
    expect(clock.now()).toBe(1000);
    clock.advance(250);
    expect(clock.now()).toBe(1250);
  });

  it("fires due timers in time order, ties in scheduling order, with now() at each timer's due time", () => {
    const clock = createManualClock();
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`c@${clock.now()}`), 30);
    clock.setTimeout(() => fired.push(`a@${clock.now()}`), 10);
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 10);
    clock.setTimeout(() => fired.push(`late@${clock.now()}`), 31);
    clock.advance(30);
    expect(fired).toEqual(["a@10", "b@10", "c@30"]);
    expect(clock.now()).toBe(30);
    expect(clock.pendingTimers()).toBe(1);
    expect(clock.nextTimerDelay()).toBe(1);
  });

  it("fires timers scheduled by fired callbacks when they fall inside the window, and keeps the others", () => {
    const clock = createManualClock();
    const fired: number[] = [];
    clock.setTimeout(() => {
      fired.push(clock.now());
      clock.setTimeout(() => fired.push(clock.now()), 5);
      clock.setTimeout(() => fired.push(clock.now()), 50);
    }, 10);
    clock.advance(20);
    expect(fired).toEqual([10, 15]);
    expect(clock.nextTimerDelay()).toBe(40);
    clock.advance(40);
    expect(fired).toEqual([10, 15, 60]);
    expect(clock.pendingTimers()).toBe(0);
    expect(clock.nextTimerDelay()).toBeUndefined();
  });

  it("cleared timers never fire; advance(0) fires timers due now", () => {
    const clock = createManualClock();
    const fired: string[] = [];
    const handle = clock.setTimeout(() => fired.push("cleared"), 5);
    clock.setTimeout(() => fired.push("zero"), 0);
    clock.clearTimeout(handle);
    expect(clock.pendingTimers()).toBe(1);
    clock.advance(0);
    expect(fired).toEqual(["zero"]);
    clock.advance(10);
    expect(fired).toEqual(["zero"]);
  });

  it("rejects a negative or non-finite advance", () => {
    const clock = createManualClock();
    expect(() => clock.advance(-1)).toThrow(RangeError);
    expect(() => clock.advance(Number.NaN)).toThrow(RangeError);
  });

  it("whenTimerPending resolves at once when a timer is pending, or when a matching one is scheduled", async () => {
    const clock = createManualClock();
    clock.setTimeout(() => {}, 100);
    await clock.whenTimerPending();

    let matched = false;
    const waiting = clock.whenTimerPending((timer) => timer.delayMs === 3000).then(() => (matched = true));
    clock.setTimeout(() => {}, 200);
    await Promise.resolve();
    expect(matched).toBe(false);
    clock.advance(10);
    clock.setTimeout(() => {}, 3000);
    await waiting;
    expect(matched).toBe(true);
  });

  it("property: any set of timers fires exactly once each, in (due time, scheduling) order", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 40 }),
        fc.integer({ min: 0, max: 1200 }),
        (delays, window) => {
          const clock = createManualClock();
          const fired: number[] = [];
          delays.forEach((delay, index) => {
            clock.setTimeout(() => fired.push(index), delay);
          });
          clock.advance(window);
          const expected = delays
            .map((delay, index) => ({ delay, index }))
            .filter(({ delay }) => delay <= window)
            .sort((a, b) => a.delay - b.delay || a.index - b.index)
            .map(({ index }) => index);
          expect(fired).toEqual(expected);
          expect(clock.pendingTimers()).toBe(delays.length - expected.length);
        },
      ),
    );
  });
});
