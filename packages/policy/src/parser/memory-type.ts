import type { MemoryType } from "@finemem/spec";

export type MemoryTypeReading =
  | { readonly ok: true; readonly memoryType: MemoryType; readonly alias: boolean }
  | { readonly ok: false; readonly message: string };

/** Every spelling a memory type is read from, once trimmed, lower-cased and with spaces or dashes as _. */
const SPELLINGS: Readonly<Record<string, MemoryType>> = {
  core_memory: "core",
  semantic_memory: "semantic",
  episodic_memory: "episodic",
  core: "core",
  semantic: "semantic",
  episodic: "episodic",
};

/** Mem-α's tools spell types `core_memory`…; operation objects may also use the spec's `core`…. */
const NATIVE_IN_TOOLS: ReadonlySet<string> = new Set(["core_memory", "semantic_memory", "episodic_memory"]);
const NATIVE_IN_OPERATIONS: ReadonlySet<string> = new Set([...NATIVE_IN_TOOLS, "core", "semantic", "episodic"]);

/**
 * Reads a memory type. `alias` is true when it was spelled other than natively for the form it came in
 * (e.g. `semantic` in a Mem-α tool call, `Semantic_Memory` anywhere), which is the repair
 * `memory_type_alias`.
 */
export function readMemoryType(value: unknown, form: "tool" | "operation"): MemoryTypeReading {
  if (typeof value !== "string")
    return { ok: false, message: `memory_type must be a string, got ${value === null ? "null" : typeof value}` };
  const normalized = value
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, "_");
  const memoryType = Object.hasOwn(SPELLINGS, normalized) ? SPELLINGS[normalized] : undefined;
  if (memoryType === undefined) {
    return {
      ok: false,
      message: `unknown memory_type ${JSON.stringify(value.slice(0, 60))}: expected core_memory, semantic_memory or episodic_memory`,
    };
  }
  const native = form === "tool" ? NATIVE_IN_TOOLS : NATIVE_IN_OPERATIONS;
  return { ok: true, memoryType, alias: !native.has(value) };
}
