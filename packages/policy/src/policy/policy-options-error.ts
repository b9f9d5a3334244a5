import { FineMemError, type MemoryLayout } from "@finemem/spec";

/** A policy, reader or baseline was configured wrongly; `path` names the option. */
export class PolicyOptionsError extends FineMemError {
  constructor(option: string, message: string) {
    super("invalid_option", `${option}: ${message}`, { path: [option] });
  }
}

/**
 * The error factory policies, readers and baselines pass to `@finemem/utils`' option checks:
 * `<option>: expected <expected>, got <value>`, as a {@link PolicyOptionsError} naming `option`.
 */
export function policyOptionError(option: string, expected: string, value: unknown): PolicyOptionsError {
  return new PolicyOptionsError(option, `expected ${expected}, got ${String(value)}`);
}

/** `value` when it is a memory layout; otherwise a {@link PolicyOptionsError} naming `layout`. */
export function layoutOption(value: MemoryLayout): MemoryLayout {
  if (value !== "flat" && value !== "typed")
    throw new PolicyOptionsError("layout", `expected "flat" or "typed", got ${JSON.stringify(value)}`);
  return value;
}
