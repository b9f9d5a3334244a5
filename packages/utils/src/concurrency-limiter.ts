/**
 * Bounded concurrency for model calls that nest: every package that fans calls out shares this one
 * queue discipline (at most N in flight, first in first out, aborts honoured), so "concurrency 4"
 * means the same thing in the HTTP backend, the chunk-QA builder and the scorers.
 */
import { AbortedError } from "@finemem/spec";

/** Gives back a slot taken with {@link ConcurrencyLimiter.acquire}. Calling it twice is harmless. */
export type ReleaseSlot = () => void;

/**
 * At most `limit` holders at once; the others wait first in, first out. For calls that must share one
 * budget however they nest (an HTTP backend holding a slot through its retry waits, a builder whose
 * chunks each fan out verifier calls); a flat list of work is simpler with `mapWithConcurrency`.
 */
export interface ConcurrencyLimiter {
  readonly limit: number;
  /** Resolves with a release function once a slot is free; rejects with AbortedError if `signal` aborts while waiting. */
  acquire(signal?: AbortSignal): Promise<ReleaseSlot>;
  /** Slots held now. */
  active(): number;
  /** Callers waiting for a slot. */
  queued(): number;
  /** Runs `call` in a slot and gives the slot back when it settles. */
  run<T>(call: () => Promise<T>, signal?: AbortSignal): Promise<T>;
}

interface Waiter {
  readonly grant: (release: ReleaseSlot) => void;
}

export function createConcurrencyLimiter(limit: number): ConcurrencyLimiter {
  let active = 0;
  // A Set keeps insertion order (FIFO) and deletes an aborted waiter in O(1).
  const waiters = new Set<Waiter>();

  const makeRelease = (): ReleaseSlot => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // Hand the slot straight to the next waiter rather than freeing it, so that a caller arriving
      // between the release and the waiter's wake-up cannot overtake the queue.
      const next = waiters.values().next();
      if (next.done === true) {
        active--;
        return;
      }
      waiters.delete(next.value);
      next.value.grant(makeRelease());
    };
  };

  const acquire = (signal?: AbortSignal): Promise<ReleaseSlot> => {
    if (signal?.aborted) return Promise.reject(new AbortedError(signal.reason));
    if (active < limit && waiters.size === 0) {
      active++;
      return Promise.resolve(makeRelease());
    }
    return new Promise<ReleaseSlot>((resolve, reject) => {
      const onAbort = (): void => {
        waiters.delete(waiter);
        reject(new AbortedError(signal?.reason));
      };
      const waiter: Waiter = {
        grant: (release) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(release);
        },
      };
      waiters.add(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  };

  return {
    limit,
    acquire,
    active: () => active,
    queued: () => waiters.size,
    async run(call, signal) {
      const release = await acquire(signal);
      try {
        return await call();
      } finally {
        release();
      }
    },
  };
}
