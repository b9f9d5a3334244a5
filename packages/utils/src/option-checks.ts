/**
 * The numeric option checks every package's option resolvers make (a concurrency, a top k, a token
 * cap, a BM25 parameter). The test is the same everywhere, so it lives here once; what a bad value
 * becomes is each package's own typed error, made by the factory the caller passes, so a caller's
 * error class, code, path and message stay its own.
 */

/**
 * Makes the caller's typed error for a bad option: `option` is its name (as the caller's error path
 * names it), `expected` says what was wanted (`"an integer ≥ 1"`), `value` is what was given, unformatted.
 */
export type OptionErrorFactory = (option: string, expected: string, value: unknown) => Error;

/** `value` when it is an integer ≥ 1; otherwise throws `fail(option, "an integer ≥ 1", value)`. */
export function positiveInteger(option: string, value: unknown, fail: OptionErrorFactory): number {
  return integerAtLeast(option, value, 1, fail);
}

/** `value` when it is an integer ≥ `min`; otherwise throws `fail(option, "an integer ≥ <min>", value)`. */
export function integerAtLeast(option: string, value: unknown, min: number, fail: OptionErrorFactory): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min)
    throw fail(option, `an integer ≥ ${min}`, value);
  return value;
}

/** `value` when it is a finite number ≥ `min`; otherwise throws `fail(option, "a finite number ≥ <min>", value)`. */
export function finiteAtLeast(option: string, value: unknown, min: number, fail: OptionErrorFactory): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min)
    throw fail(option, `a finite number ≥ ${min}`, value);
  return value;
}
