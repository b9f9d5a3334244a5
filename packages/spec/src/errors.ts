/**
 * The typed error base every Fine-Mem package extends.
 *
 * Errors carry a stable machine-readable `code`, the `path` of the value that was wrong (empty when
 * the error is not about one value), and the underlying `cause`. Consumers branch on `code`, never on
 * `message`, so messages may be improved without a breaking change.
 */

/** A segment of a path into a value: an object key or an array index. */
export type PathSegment = string | number;

/** Options shared by every Fine-Mem error constructor. */
export interface FineMemErrorOptions {
  /** Where in the offending value the problem is (object keys and array indices). */
  readonly path?: readonly PathSegment[];
  /** The error this one wraps, if any. */
  readonly cause?: unknown;
}

// A registered symbol rather than `instanceof` alone: two copies of this package (a bundled one and an
// installed one) produce distinct classes, and `isFineMemError` must still recognise both.
const FINEMEM_ERROR = Symbol.for("@finemem/spec/error");

/** Base class of every error thrown or returned by a Fine-Mem package. */
export class FineMemError extends Error {
  /** A stable, machine-readable code such as `missing_field` or `aborted`. */
  readonly code: string;
  /** The path of the offending field inside the value that was checked; `[]` when not applicable. */
  readonly path: readonly PathSegment[];

  constructor(code: string, message: string, options: FineMemErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.path = Object.freeze([...(options.path ?? [])]);
    Object.defineProperty(this, FINEMEM_ERROR, { value: true });
  }
}

/** True for any Fine-Mem error, including one created by another copy of this package. */
export function isFineMemError(value: unknown): value is FineMemError {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[FINEMEM_ERROR] === true;
}

/** Formats a path as `a.b[2].c`, or `(root)` for the empty path. */
export function formatPath(path: readonly PathSegment[]): string {
  if (path.length === 0) return "(root)";
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? segment : `.${segment}`;
  }
  return out.startsWith("[") ? `(root)${out}` : out;
}

/** Thrown when an operation is cancelled through its `AbortSignal`. */
export class AbortedError extends FineMemError {
  constructor(reason?: unknown) {
    super("aborted", "The operation was aborted", { cause: reason });
  }
}

/**
 * Throws {@link AbortedError} when `signal` is aborted. Every async boundary of the spec accepts an
 * optional signal; implementations call this before and between units of work.
 */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortedError(signal.reason);
}
