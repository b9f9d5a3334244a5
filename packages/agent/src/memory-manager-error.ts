import { FineMemError, type PathSegment } from "@finemem/spec";
import { positiveInteger } from "@finemem/utils";

/**
 * What was wrong with a memory manager's configuration or input.
 * - `invalid_option`: an option out of range or of the wrong kind (the option is in the path).
 * - `layout_mismatch`: the policy writes one memory layout and the store keeps the other.
 * - `invalid_turn`: a conversation turn without a role or content (the field is in the path).
 * - `invalid_question`: a recall question that is empty or whitespace only.
 * - `not_found`: a memory id the user's memory does not hold (`createMemory`'s update and delete).
 */
export type MemoryManagerErrorCode =
  | "invalid_option"
  | "layout_mismatch"
  | "invalid_turn"
  | "invalid_question"
  | "not_found";

export class MemoryManagerError extends FineMemError {
  declare readonly code: MemoryManagerErrorCode;

  constructor(code: MemoryManagerErrorCode, message: string, path: readonly PathSegment[] = [], cause?: unknown) {
    super(code, message, { path, cause });
  }
}

/** `value` when it is an integer ≥ 1; otherwise a {@link MemoryManagerError} naming `option`. */
export function positiveIntegerOption(option: string, value: number): number {
  return positiveInteger(
    option,
    value,
    (name, expected, received) =>
      new MemoryManagerError("invalid_option", `${name} must be ${expected}, got ${String(received)}`, [name]),
  );
}
