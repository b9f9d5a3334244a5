import { FineMemError, type MemoryLayout, type TokenCounter } from "@finemem/spec";
import type { MemoryBackend } from "../store/memory-backend.js";

/** The store settings a conformance case asks a backend for. */
export interface ConformanceStoreOptions {
  readonly layout: MemoryLayout;
  /** The suite counts tokens by whitespace so caps are predictable; pass it to the store. */
  readonly tokenCounter: TokenCounter;
  readonly coreTokenCap?: number;
  readonly coreOverflow?: "truncate" | "reject";
  readonly maxItemTokens?: number;
  readonly maxItems?: number;
  readonly allowDuplicateInserts?: boolean;
}

/** How the suite gets stores of the backend under test. */
export interface ConformanceHarness {
  /** Opens a new, empty store (a new database, directory or process state for each call). */
  open(options: ConformanceStoreOptions): Promise<MemoryBackend>;
  /**
   * Closes `store` and opens the same data again, as a restarted process would. For a backend with
   * no durable medium (the in-memory one), export before closing and import after.
   */
  reopen(store: MemoryBackend, options: ConformanceStoreOptions): Promise<MemoryBackend>;
}

/** One check of the suite. Run it with any test runner: `for (const c of cases) it(c.name, c.run)`. */
export interface ConformanceCase {
  /** operations, reason-codes, provenance, namespaces, fork, export, lifecycle or retrieval. */
  readonly group: string;
  readonly name: string;
  run(): Promise<void>;
}

/** A backend broke the contract; the message says which promise and what was seen. */
export class ConformanceFailure extends FineMemError {
  constructor(message: string) {
    super("conformance_failure", message);
  }
}

export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new ConformanceFailure(message);
}

/** Deep equality through canonical JSON (key order ignored). */
export function checkEqual(actual: unknown, expected: unknown, message: string): void {
  const left = canonicalJson(actual);
  const right = canonicalJson(expected);
  if (left !== right) throw new ConformanceFailure(`${message}\n  expected: ${right}\n  actual:   ${left}`);
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (inner === null || typeof inner !== "object" || Array.isArray(inner)) return inner;
    return Object.fromEntries(
      Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
  });
}

/** Expects `action` to reject with a Fine-Mem error of `code`. */
export async function checkRejects(action: () => Promise<unknown>, code: string, message: string): Promise<void> {
  try {
    await action();
  } catch (error) {
    const actual = (error as { code?: unknown }).code;
    check(
      actual === code,
      `${message}: expected an error with code ${code}, got ${String(actual)} (${(error as Error).message})`,
    );
    return;
  }
  throw new ConformanceFailure(`${message}: expected an error with code ${code}, but the call succeeded`);
}
