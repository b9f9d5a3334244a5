/**
 * Canonical JSONL for synthetic benchmarks: one instance per line, object keys sorted at every depth,
 * arrays in order. Sorting makes the bytes a function of the content alone (not of the order in which
 * some code built an object), so equal benchmarks serialise to equal bytes and files can be compared
 * or hashed across runs and versions of this code.
 */
import { type BenchmarkInstance, benchmarkInstanceValidator } from "@finemem/spec";
import { decodeJsonl, encodeJsonlLine } from "@finemem/utils";

function canonicalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalize);
  if (typeof value !== "object" || value === null) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const inner = (value as Record<string, unknown>)[key];
    // Absent and undefined are the same in JSON; skip undefined so no key order question arises.
    if (inner !== undefined) sorted[key] = canonicalize(inner);
  }
  return sorted;
}

/** Serialises instances as canonical JSONL (each line ends with a newline). */
export function serializeSyntheticBenchmark(instances: Iterable<BenchmarkInstance>): string {
  let text = "";
  for (const instance of instances) text += encodeJsonlLine(canonicalize(instance));
  return text;
}

/** Reads canonical JSONL back, validating every line as a `BenchmarkInstance`. */
export function parseSyntheticBenchmark(text: string): BenchmarkInstance[] {
  return decodeJsonl(text, benchmarkInstanceValidator);
}
