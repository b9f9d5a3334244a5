import type { Clock } from "../http/clock.js";

/** A timer waiting on a {@link ManualClock}. */
export interface PendingTimer {
  /** The clock time at which it fires. */
  readonly dueAt: number;
  /** The delay it was scheduled with. */
  readonly delayMs: number;
}

/**
 * A {@link Clock} that moves only when told to, so that retry delays and timeouts are asserted to the
 * millisecond without sleeping.
 */
export interface ManualClock extends Clock {
  /**
   * Moves time forward by `ms`, firing every timer due within the window in time order (ties in
   * scheduling order), including timers that fired callbacks schedule inside the window. Callbacks run
   * synchronously; promise continuations they trigger run after `advance` returns.
   */
  advance(ms: number): void;
  /** How many timers are scheduled and not yet fired or cleared. */
  pendingTimers(): number;
  /** Milliseconds from now until the next timer fires, or `undefined` when none is pending. */
  nextTimerDelay(): number | undefined;
  /**
   * Resolves once at least one pending timer satisfies `match` (any timer by default). Real HTTP I/O
   * resolves on the real event loop, so a test awaits this before advancing: otherwise it could advance
   * past a delay that has not been scheduled yet. Pass a `match` to tell a backoff wait from a request
   * timeout that is pending at the same time, e.g. `(t) => t.delayMs === 3000`.
   */
  whenTimerPending(match?: (timer: PendingTimer) => boolean): Promise<void>;
}

interface Timer extends PendingTimer {
  readonly seq: number;
  readonly callback: () => void;
}

interface Waiter {
  readonly match: (timer: PendingTimer) => boolean;
  readonly resolve: () => void;
}

/** A manual clock starting at `start` (ms). */
export function createManualClock(start = 0): ManualClock {
  if (!Number.isFinite(start))
    throw new TypeError(`createManualClock: start must be a finite number of ms, got ${String(start)}`);
  let now = start;
  let seq = 0;
  // Keyed by handle; fired and cleared timers are deleted, so the map holds exactly the pending ones.
  const timers = new Map<number, Timer>();
  let waiters: Waiter[] = [];

  const notify = (timer: Timer): void => {
    const still: Waiter[] = [];
    for (const waiter of waiters) {
      if (waiter.match(timer)) waiter.resolve();
      else still.push(waiter);
    }
    waiters = still;
  };

  const nextDue = (limit: number): Timer | undefined => {
    let best: Timer | undefined;
    for (const timer of timers.values()) {
      if (timer.dueAt > limit) continue;
      if (best === undefined || timer.dueAt < best.dueAt || (timer.dueAt === best.dueAt && timer.seq < best.seq))
        best = timer;
    }
    return best;
  };

  return {
    now: () => now,
    setTimeout(callback, ms) {
      // Like the real timers: a negative or NaN delay means "as soon as possible".
      const delayMs = Number.isFinite(ms) && ms > 0 ? ms : 0;
      const handle = ++seq;
      const timer: Timer = { seq: handle, dueAt: now + delayMs, delayMs, callback };
      timers.set(handle, timer);
      notify(timer);
      return handle;
    },
    clearTimeout(handle) {
      if (typeof handle === "number") timers.delete(handle);
    },
    advance(ms) {
      if (!Number.isFinite(ms) || ms < 0)
        throw new RangeError(`ManualClock.advance: ms must be a finite number ≥ 0, got ${String(ms)}`);
      const target = now + ms;
      for (let timer = nextDue(target); timer !== undefined; timer = nextDue(target)) {
        timers.delete(timer.seq);
        now = timer.dueAt;
        timer.callback();
      }
      now = target;
    },
    pendingTimers: () => timers.size,
    nextTimerDelay() {
      let earliest: number | undefined;
      for (const timer of timers.values()) if (earliest === undefined || timer.dueAt < earliest) earliest = timer.dueAt;
      return earliest === undefined ? undefined : Math.max(0, earliest - now);
    },
    whenTimerPending(match = () => true) {
      for (const timer of timers.values()) if (match(timer)) return Promise.resolve();
      return new Promise<void>((resolve) => waiters.push({ match, resolve }));
    },
  };
}
