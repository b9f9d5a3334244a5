import { AbortedError } from "@finemem/spec";
import { describe, expect, it } from "vitest";
import { createConcurrencyLimiter } from "./concurrency-limiter.js";

describe("createConcurrencyLimiter", () => {
  it("admits up to the limit and queues the rest first in, first out", async () => {
    const limiter = createConcurrencyLimiter(2);
    const order: string[] = [];
    const a = await limiter.acquire();
    const b = await limiter.acquire();
    const c = limiter.acquire().then((release) => {
      order.push("c");
      return release;
    });
    const d = limiter.acquire().then((release) => {
      order.push("d");
      return release;
    });
    expect(limiter.active()).toBe(2);
    expect(limiter.queued()).toBe(2);
    a();
    a(); // a second release of the same slot is ignored
    const releaseC = await c;
    expect(order).toEqual(["c"]);
    expect(limiter.queued()).toBe(1);
    b();
    (await d)();
    releaseC();
    expect(order).toEqual(["c", "d"]);
    expect(limiter.active()).toBe(0);
  });

  it("a caller arriving after a release does not overtake the queue", async () => {
    const limiter = createConcurrencyLimiter(1);
    const first = await limiter.acquire();
    const order: string[] = [];
    const queued = limiter.acquire().then((release) => {
      order.push("queued");
      return release;
    });
    first();
    const late = limiter.acquire().then((release) => {
      order.push("late");
      return release;
    });
    (await queued)();
    (await late)();
    expect(order).toEqual(["queued", "late"]);
  });

  it("an abort removes a waiter from the queue with AbortedError", async () => {
    const limiter = createConcurrencyLimiter(1);
    const held = await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    const next = limiter.acquire();
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(AbortedError);
    expect(limiter.queued()).toBe(1);
    held();
    (await next)();
    await expect(limiter.acquire(AbortSignal.abort())).rejects.toBeInstanceOf(AbortedError);
    expect(limiter.active()).toBe(0);
  });

  it("run() holds a slot for the call and gives it back when the call settles, failed or not", async () => {
    const limiter = createConcurrencyLimiter(1);
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const first = limiter.run(async () => {
      await gate;
      throw new Error("boom");
    });
    const controller = new AbortController();
    const queued = limiter.run(async () => "never", controller.signal);
    expect(limiter.queued()).toBe(1);
    controller.abort();
    await expect(queued).rejects.toBeInstanceOf(AbortedError);
    open();
    await expect(first).rejects.toThrow("boom");
    expect(limiter.active()).toBe(0);
    await expect(limiter.run(async () => "next")).resolves.toBe("next");
  });
});
