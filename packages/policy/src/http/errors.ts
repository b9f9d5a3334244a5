import { FineMemError, type PathSegment } from "@finemem/spec";

/**
 * Typed errors of the OpenAI-compatible backend. Callers branch on `code` (and read the extra fields);
 * messages say what was wrong and what was expected, for the human reading a log.
 */

/** How many characters of a response body an error keeps: enough to read a server's error JSON, bounded so a huge HTML page never floods a log. */
export const BODY_EXCERPT_LIMIT = 1000;

/** The first {@link BODY_EXCERPT_LIMIT} characters of `body`, with a note of how much was cut. */
export function excerptBody(body: string): string {
  if (body.length <= BODY_EXCERPT_LIMIT) return body;
  return `${body.slice(0, BODY_EXCERPT_LIMIT)}… (${body.length - BODY_EXCERPT_LIMIT} more characters)`;
}

/** The server answered with a non-2xx status that was not retried, or still failed once the retry budget was spent. */
export class ModelHttpError extends FineMemError {
  declare readonly code: "model_http";
  readonly status: number;
  /** The start of the response body (bounded, see {@link BODY_EXCERPT_LIMIT}). */
  readonly bodyExcerpt: string;
  /** Requests sent for this call, the failing one included. */
  readonly attempts: number;
  /** The wait the server asked for through `Retry-After`, when it sent one we could read. */
  readonly retryAfterMs: number | undefined;

  constructor(options: {
    status: number;
    body: string;
    attempts: number;
    url: string;
    retryAfterMs?: number;
    reason?: string;
  }) {
    const excerpt = excerptBody(options.body);
    const reason = options.reason === undefined ? "" : ` ${options.reason}`;
    super(
      "model_http",
      `POST ${options.url} answered HTTP ${options.status} after ${plural(options.attempts, "attempt")}; expected a 2xx chat completion.${reason}` +
        (excerpt === "" ? " The body was empty." : ` Body: ${excerpt}`),
    );
    this.status = options.status;
    this.bodyExcerpt = excerpt;
    this.attempts = options.attempts;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** No complete answer arrived within `timeoutMs` on the last attempt. */
export class ModelTimeoutError extends FineMemError {
  declare readonly code: "model_timeout";
  readonly timeoutMs: number;
  readonly attempts: number;

  constructor(options: { timeoutMs: number; attempts: number; url: string }) {
    super(
      "model_timeout",
      `POST ${options.url} did not answer within ${options.timeoutMs} ms (the per-attempt timeoutMs) after ${plural(options.attempts, "attempt")}; ` +
        "raise timeoutMs for long generations or check that the server is up and not overloaded.",
    );
    this.timeoutMs = options.timeoutMs;
    this.attempts = options.attempts;
  }
}

/** The connection failed (refused, reset, dropped mid-response) on the last attempt. */
export class ModelNetworkError extends FineMemError {
  declare readonly code: "model_network";
  readonly attempts: number;

  constructor(options: { attempts: number; url: string; cause: unknown }) {
    super(
      "model_network",
      `POST ${options.url} failed at the network level after ${plural(options.attempts, "attempt")} (${describeCause(options.cause)}); ` +
        "expected an HTTP response: check the baseURL and that the server is reachable.",
      { cause: options.cause },
    );
    this.attempts = options.attempts;
  }
}

/** A 2xx response whose body is not the chat completion it should be; `path` points at the bad field of the body. */
export class MalformedResponseError extends FineMemError {
  declare readonly code: "malformed_response";
  /** The start of the response body (bounded). */
  readonly bodyExcerpt: string;

  constructor(path: readonly PathSegment[], message: string, options: { body?: string; cause?: unknown } = {}) {
    super("malformed_response", `Malformed chat completion at ${formatBodyPath(path)}: ${message}`, {
      path,
      cause: options.cause,
    });
    this.bodyExcerpt = options.body === undefined ? "" : excerptBody(options.body);
  }
}

/** Which cap of a {@link UsageLedger} stopped a call. */
export type SpendingCapKind = "spendingCapUsd" | "tokenCap";

/** A new call was refused because the shared ledger's spending or token cap was reached; no request was sent. */
export class SpendingCapError extends FineMemError {
  declare readonly code: "spending_cap";
  readonly cap: SpendingCapKind;
  readonly limit: number;
  /** What was spent when the call was refused: US dollars for `spendingCapUsd`, tokens for `tokenCap`. */
  readonly spent: number;
  readonly role: string;

  constructor(options: { cap: SpendingCapKind; limit: number; spent: number; role: string }) {
    const amount =
      options.cap === "spendingCapUsd"
        ? `$${formatUsd(options.spent)} spent of the $${formatUsd(options.limit)} spendingCapUsd`
        : `${options.spent} tokens used of the ${options.limit} tokenCap`;
    super(
      "spending_cap",
      `Spending cap reached: ${amount}; refusing a new call for role "${options.role}" (no request was sent). ` +
        "Calls already in flight complete; raise the cap or use a new ledger to go on.",
    );
    this.cap = options.cap;
    this.limit = options.limit;
    this.spent = options.spent;
    this.role = options.role;
  }
}

/** The request asked for something this backend and engine cannot honour; `path` is the request option. Nothing was sent. */
export class UnsupportedOptionError extends FineMemError {
  declare readonly code: "unsupported_option";

  constructor(path: readonly PathSegment[], message: string) {
    super("unsupported_option", `Unsupported request option ${path.join(".")}: ${message}`, { path });
  }
}

/** An option given to a constructor is invalid; `path` names the option (e.g. ["retry", "maxRetries"]). */
export class ModelConfigError extends FineMemError {
  declare readonly code: "model_config";

  constructor(path: readonly PathSegment[], message: string) {
    super("model_config", `Invalid option ${path.join(".")}: ${message}`, { path });
  }
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function formatUsd(value: number): string {
  // Enough digits that a cap of a few cents and a per-call cost of fractions of a cent both read sensibly.
  return Number(value.toPrecision(6)).toString();
}

// A body path such as choices[0].message.tool_calls[1].function.arguments: the JSON field names as the
// server spelled them, so the reader can find the field in the raw body.
function formatBodyPath(path: readonly PathSegment[]): string {
  if (path.length === 0) return "the body root";
  let out = "";
  for (const segment of path)
    out += typeof segment === "number" ? `[${segment}]` : out === "" ? segment : `.${segment}`;
  return out;
}

function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  // undici reports "fetch failed" and keeps the useful part (ECONNREFUSED, "other side closed") in `cause`.
  const inner = cause.cause instanceof Error ? `: ${cause.cause.message}` : "";
  return `${cause.message}${inner}`;
}
