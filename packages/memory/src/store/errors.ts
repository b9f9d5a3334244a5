import { FineMemError, type FineMemErrorOptions } from "@finemem/spec";

/** A call on a store after `close()`. */
export class StoreClosedError extends FineMemError {
  constructor(what: string) {
    super("store_closed", `${what}: the memory store is closed`);
  }
}

/**
 * An apply request that cannot be a step: a malformed namespace, a step number that is not an integer
 * ≥ 0, or a step older than one already applied in that namespace. Operations themselves never cause
 * this (a bad operation is rejected with a reason code); the request around them does.
 */
export class ApplyRequestError extends FineMemError {
  constructor(code: "invalid_request" | "step_order", message: string, options: FineMemErrorOptions = {}) {
    super(code, message, options);
  }
}

/**
 * An export that cannot be imported. Codes: `foreign_format` (not a Fine-Mem memory export),
 * `newer_format` (written by a newer format version), `invalid_record` (a line that is not a valid
 * record), `layout_mismatch` / `settings_mismatch` (the target store is configured differently),
 * `not_empty` (the target store already holds memory, or with the `namespace` import option the
 * target namespace does), `several_namespaces` (an import with `namespace` of an export holding more
 * than one namespace), `inconsistent` (replaying the operation log does not give the items and
 * versions the export lists). `line` is 1-based.
 */
export class MemoryImportError extends FineMemError {
  readonly line: number | null;
  constructor(
    code:
      | "foreign_format"
      | "newer_format"
      | "invalid_record"
      | "layout_mismatch"
      | "settings_mismatch"
      | "not_empty"
      | "several_namespaces"
      | "inconsistent",
    message: string,
    options: FineMemErrorOptions & { line?: number } = {},
  ) {
    super(code, options.line === undefined ? message : `line ${options.line}: ${message}`, options);
    this.line = options.line ?? null;
  }
}
