import { AbortedError } from "@finemem/spec";

/**
 * The time source of the HTTP backend. Every wait (retry backoff, Retry-After) and every per-attempt
 * timeout goes through it, so tests drive retries on a manual clock instead of sleeping for real.
 */
export interface Clock {
  /** Milliseconds since the epoch (or any fixed origin: only differences and HTTP dates are compared with it). */
  now(): number;
  /** Calls `callback` once after `ms` milliseconds; returns a handle for {@link Clock.clearTimeout}. */
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The real clock: `Date.now` and the global timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
};

/**
 * Resolves after `ms` milliseconds of `clock` time; rejects with {@link AbortedError} as soon as `signal`
 * aborts (also when it already has), and then cancels the timer so that nothing fires later.
 */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AbortedError(signal.reason));
      return;
    }
    const onAbort = (): void => {
      clock.clearTimeout(handle);
      reject(new AbortedError(signal?.reason));
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
