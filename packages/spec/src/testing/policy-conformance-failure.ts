import { FineMemError, type FineMemErrorOptions } from "../errors.js";

/**
 * A memory policy broke the shared policy conformance suite. The message starts with the policy's
 * name and the check ("operations: …", "seeding: …"), then says what was expected and what was seen,
 * so a failing run reads without the suite's source at hand.
 */
export class PolicyConformanceFailure extends FineMemError {
  /** The check that failed, `<group>: <case name>`. */
  readonly check: string;

  constructor(check: string, message: string, options: FineMemErrorOptions = {}) {
    super("conformance_failure", `${check}: ${message}`, options);
    this.check = check;
  }
}

/** Deep equality through canonical JSON (key order ignored), as the store suite compares values. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (inner === null || typeof inner !== "object" || Array.isArray(inner)) return inner;
    return Object.fromEntries(
      Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
  });
}

/** A value for a failure message: JSON cut to `limit` characters, so a long decision stays readable. */
export function shown(value: unknown, limit = 300): string {
  const text = typeof value === "string" ? JSON.stringify(value) : (canonicalJson(value) ?? String(value));
  return text.length <= limit ? text : `${text.slice(0, limit)}… (${text.length} characters)`;
}
