import { AbortedError } from "@finemem/spec";
import { describe, expect, it } from "vitest";
import { createManualClock } from "../testing/manual-clock.js";
import { sleep, systemClock } from "./clock.js";

describe("sleep", () => {
  it("resolves after exactly the delay on the given clock", async () => {
    const clock = createManualClock();
    let done = false;
    const sleeping = sleep(clock, 500).then(() => (done = true));
    clock.advance(499);
    await Promise.resolve();
    expect(done).toBe(false);
    clock.advance(1);
    await sleeping;
    expect(done).toBe(true);
  });

  it("rejects with AbortedError when the signal aborts, and cancels its timer", async () => {
    const clock = createManualClock();
    const controller = new AbortController();
    const sleeping = sleep(clock, 500, controller.signal);
    expect(clock.pendingTimers()).toBe(1);
    controller.abort("stop");
    await expect(sleeping).rejects.toBeInstanceOf(AbortedError);
    expect(clock.pendingTimers()).toBe(0);
  });

  it("rejects at once for an already aborted signal, scheduling nothing", async () => {
    const clock = createManualClock();
    await expect(sleep(clock, 10, AbortSignal.abort())).rejects.toMatchObject({ code: "aborted" });
    expect(clock.pendingTimers()).toBe(0);
  });

  it("systemClock reads Date.now and schedules real timers", async () => {
    const before = Date.now();
    expect(systemClock.now()).toBeGreaterThanOrEqual(before);
    await sleep(systemClock, 1);
    const handle = systemClock.setTimeout(() => {
      throw new Error("cleared timers never fire");
    }, 1);
    systemClock.clearTimeout(handle);
  });
});
