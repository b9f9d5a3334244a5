import { AbortedError } from "@finemem/spec";

/** Gives back a slot taken with {@link ConcurrencyLimiter.acquire}. Calling it twice is harmless. */
export type ReleaseSlot = () => void;

/** At most `limit` holders at once; the others wait first in, first out. */
export interface ConcurrencyLimiter {
  readonly limit: number;
  /** Resolves with a release function once a slot is free; rejects with AbortedError if `signal` aborts while waiting. */
  acquire(signal?: AbortSignal): Promise<ReleaseSlot>;
  /** Slots held now. */
  active(): number;
  /** Callers waiting for a slot. */
  queued(): number;
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

  return {
    limit,
    acquire(signal) {
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
    },
    active: () => active,
    queued: () => waiters.size,
  };
}
