import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backoffDelayMs, DEFAULT_RETRY_POLICY, isRetryableStatus, parseRetryAfterMs } from "./retry-policy.js";

describe("isRetryableStatus", () => {
  it("retries 429 and 5xx only", () => {
    for (const status of [429, 500, 502, 503, 504, 507, 599]) expect(isRetryableStatus(status)).toBe(true);
    for (const status of [200, 400, 401, 403, 404, 408, 413, 422, 600]) expect(isRetryableStatus(status)).toBe(false);
  });
});

describe("backoffDelayMs", () => {
  it("is random() times the capped exponential ceiling", () => {
    const policy = { ...DEFAULT_RETRY_POLICY, initialDelayMs: 1000, multiplier: 10, maxDelayMs: 5000 };
    expect([0, 1, 2].map((retry) => backoffDelayMs(policy, retry, () => 1))).toEqual([1000, 5000, 5000]);
    expect(backoffDelayMs(DEFAULT_RETRY_POLICY, 2, () => 0.25)).toBe(500);
  });

  it("property: full jitter stays within [0, min(maxDelayMs, initial * multiplier^retry)]", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.double({ min: 1, max: 10, noNaN: true }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 0, max: 30 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (initialDelayMs, multiplier, maxDelayMs, retry, draw) => {
          const policy = { ...DEFAULT_RETRY_POLICY, initialDelayMs, multiplier, maxDelayMs };
          const delay = backoffDelayMs(policy, retry, () => draw);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(Math.min(maxDelayMs, initialDelayMs * multiplier ** retry));
        },
      ),
    );
  });

  it("refuses a random source outside [0, 1]", () => {
    expect(() => backoffDelayMs(DEFAULT_RETRY_POLICY, 0, () => 2)).toThrow(RangeError);
    expect(() => backoffDelayMs(DEFAULT_RETRY_POLICY, 0, () => Number.NaN)).toThrow(/\[0, 1\]/);
  });
});

describe("parseRetryAfterMs", () => {
  const now = Date.parse("2025-09-16T12:00:00Z");

  it("reads delay-seconds", () => {
    expect(parseRetryAfterMs("3", now)).toBe(3000);
    expect(parseRetryAfterMs(" 0 ", now)).toBe(0);
    expect(parseRetryAfterMs("1.5", now)).toBe(1500);
  });

  it("reads an HTTP date relative to now, a past date meaning no wait", () => {
    expect(parseRetryAfterMs("Tue, 16 Sep 2025 12:00:05 GMT", now)).toBe(5000);
    expect(parseRetryAfterMs("Tue, 16 Sep 2025 11:59:00 GMT", now)).toBe(0);
  });

  it("ignores absent and unreadable values", () => {
    for (const value of [null, undefined, "", "soon", "-3", "1e3", "12:00"])
      expect(parseRetryAfterMs(value, now)).toBeUndefined();
  });

  it("property: integer seconds map to exact milliseconds", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), (seconds) => {
        expect(parseRetryAfterMs(String(seconds), now)).toBe(seconds * 1000);
      }),
    );
  });
});
