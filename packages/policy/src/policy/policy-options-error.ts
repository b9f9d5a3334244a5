import { FineMemError, type MemoryLayout } from "@finemem/spec";

/** A policy, reader or baseline was configured wrongly; `path` names the option. */
export class PolicyOptionsError extends FineMemError {
  constructor(option: string, message: string) {
    super("invalid_option", `${option}: ${message}`, { path: [option] });
  }
}

/** `value` when it is an integer ≥ 1; otherwise a {@link PolicyOptionsError} naming `option`. */
export function positiveIntegerOption(option: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new PolicyOptionsError(option, `expected an integer ≥ 1, got ${value}`);
  return value;
}

/** `value` when it is a memory layout; otherwise a {@link PolicyOptionsError} naming `layout`. */
export function layoutOption(value: MemoryLayout): MemoryLayout {
  if (value !== "flat" && value !== "typed") throw new PolicyOptionsError("layout", `expected "flat" or "typed", got ${JSON.stringify(value)}`);
  return value;
}
