/** Backoff settings of the HTTP backend, all resolved (see `RetryOptions` for the defaults). */
export interface RetryPolicy {
  /** Retries after the first attempt: a call sends at most maxRetries + 1 requests. */
  readonly maxRetries: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly multiplier: number;
  /** A server asking (through Retry-After) for a longer wait than this fails the call at once. */
  readonly maxRetryAfterMs: number;
}

export interface RetryOptions {
  /** Default 4. */
  readonly maxRetries?: number;
  /** Default 500. */
  readonly initialDelayMs?: number;
  /** Default 30000. */
  readonly maxDelayMs?: number;
  /** Default 2. */
  readonly multiplier?: number;
  /** Default 120000. */
  readonly maxRetryAfterMs?: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 4,
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  multiplier: 2,
  maxRetryAfterMs: 120_000,
};

/**
 * True for the statuses worth retrying: 429 (rate limited) and every 5xx (500, 502, 503 and 504 are
 * the usual overloaded / restarting / behind-a-proxy answers). Other 4xx mean the request itself is
 * wrong, and sending it again would fail the same way.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599);
}

/**
 * The backoff before retry number `retryIndex` (0 for the first retry), with full jitter:
 * `random() * min(maxDelayMs, initialDelayMs * multiplier ** retryIndex)`. Full jitter spreads the
 * retries of many concurrent calls that failed together, so they do not hit the server again in step.
 */
export function backoffDelayMs(policy: RetryPolicy, retryIndex: number, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.multiplier ** retryIndex);
  const draw = random();
  if (!(draw >= 0 && draw <= 1)) throw new RangeError(`random() must return a number in [0, 1], got ${String(draw)}`);
  return draw * ceiling;
}

/**
 * The wait a `Retry-After` header asks for, in ms: delay-seconds (`"3"`, also `"1.5"`) or an HTTP date,
 * the latter relative to `nowMs` (the injected clock, so that tests control it). `undefined` for an
 * absent or unreadable header: the caller then falls back to its own backoff. Dates in the past mean 0.
 */
export function parseRetryAfterMs(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // Only a date-looking value is passed to Date.parse, which accepts odd inputs such as "1" otherwise.
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
