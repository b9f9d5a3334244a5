import { CORE_ITEM_ID, type MemoryOperation, type MemoryType, type OperationType } from "@finemem/spec";
import type { ToolSetId } from "../tools/tool-sets.js";
import { dropExtraArguments, fail, requireContent, requireId } from "./call-arguments.js";
import { quoteForMessage } from "./call-item.js";
import { readMemoryType } from "./memory-type.js";
import type { RepairLog } from "./repairs.js";

type Fields = Readonly<Record<string, unknown>>;

/** The keys an operation object may name its type with, in the order they are looked for. */
export const OPERATION_TYPE_KEYS = ["type", "operation", "op"] as const;
const OPERATION_NAMES: ReadonlySet<string> = new Set<OperationType>(["INSERT", "UPDATE", "DELETE", "SKIP"]);

/** The key of `object` that names an operation (case aside), or undefined when none does. */
export function operationTypeKey(object: Fields): string | undefined {
  for (const key of OPERATION_TYPE_KEYS) {
    const value = object[key];
    if (Object.hasOwn(object, key) && typeof value === "string" && OPERATION_NAMES.has(value.toUpperCase())) return key;
  }
  return undefined;
}

/**
 * Maps an operation object — `{"type": "INSERT", "content": ...}`, the spec's own shape with a few
 * spellings models use (`operation`/`op` for `type`, `memory_id` for `id`, `new_content` for an
 * UPDATE's `content`, `memory_type` for `memoryType`) — to an operation, or throws a FragmentFailure.
 * In `memalpha` every operation but SKIP needs a memory type; in `flat` a memory type is dropped.
 */
export function mapOperationObject(
  object: Fields,
  typeKey: string,
  toolSet: ToolSetId,
  repairs: RepairLog,
): MemoryOperation {
  const written = object[typeKey] as string;
  const type = written.toUpperCase() as OperationType;
  if (written !== type) repairs.add("lowercase_operation_type");
  const allowed = new Set<string>([typeKey]);
  const pick = (...names: string[]): string | undefined => {
    const key = names.find((name) => Object.hasOwn(object, name));
    for (const name of names) allowed.add(name);
    return key;
  };

  if (type === "SKIP") {
    dropExtraArguments(object, allowed, repairs);
    return { type: "SKIP" };
  }
  const memoryTypeKey = pick("memoryType", "memory_type");
  let memoryType: MemoryType | undefined;
  if (toolSet === "memalpha") {
    if (memoryTypeKey === undefined)
      fail(
        "invalid_arguments",
        `a ${type} operation needs a memory_type (core_memory, semantic_memory or episodic_memory)`,
      );
    const reading = readMemoryType(object[memoryTypeKey], "operation");
    if (!reading.ok) fail("invalid_arguments", reading.message);
    if (reading.alias) repairs.add("memory_type_alias");
    memoryType = reading.memoryType;
  } else if (memoryTypeKey !== undefined) {
    // The flat layout has no memory types: a type here is an argument the store cannot use.
    allowed.delete(memoryTypeKey);
  }

  switch (type) {
    case "INSERT": {
      if (memoryType === "core") fail("invalid_arguments", "the core memory is never inserted: update it");
      const content = requireContent(object, pick("content") ?? "content");
      const timestampKey = pick("timestamp");
      const timestamp = timestampKey === undefined ? undefined : object[timestampKey];
      if (timestamp !== undefined && (typeof timestamp !== "string" || timestamp.length > 256)) {
        fail(
          "invalid_arguments",
          `timestamp must be a string of at most 256 characters, got ${quoteForMessage(timestamp)}`,
        );
      }
      dropExtraArguments(object, allowed, repairs);
      return {
        type,
        content,
        ...(memoryType === undefined ? {} : { memoryType }),
        ...(timestamp === undefined ? {} : { timestamp }),
      };
    }
    case "UPDATE": {
      const id = operationId(object, memoryType, pick("id", "memory_id"));
      const content = requireContent(object, pick("content", "new_content") ?? "content");
      dropExtraArguments(object, allowed, repairs);
      return { type, id, content, ...(memoryType === undefined ? {} : { memoryType }) };
    }
    case "DELETE": {
      const id = operationId(object, memoryType, pick("id", "memory_id"));
      dropExtraArguments(object, allowed, repairs);
      return { type, id, ...(memoryType === undefined ? {} : { memoryType }) };
    }
  }
}

/** The item an UPDATE or DELETE names; the core memory's is always `core`, as with Mem-α's tools. */
function operationId(object: Fields, memoryType: MemoryType | undefined, idKey: string | undefined): string {
  if (memoryType === "core") return CORE_ITEM_ID;
  if (idKey === undefined) fail("missing_id", "missing id: the item to change must be named by its id");
  const id = requireId(object, idKey);
  if (memoryType !== undefined && id === CORE_ITEM_ID)
    fail("invalid_arguments", `"${CORE_ITEM_ID}" is the core memory's id, not a ${memoryType} item's`);
  return id;
}
