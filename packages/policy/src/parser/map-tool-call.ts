import { CORE_ITEM_ID, type MemoryOperation } from "@finemem/spec";
import type { ToolSetId } from "../tools/tool-sets.js";
import {
  decodeArguments,
  dropExtraArguments,
  fail,
  requireContent,
  requireId,
  requireString,
} from "./call-arguments.js";
import { type FoundArguments, quoteForMessage } from "./call-item.js";
import { readMemoryType } from "./memory-type.js";
import type { RepairLog } from "./repairs.js";

type Args = Readonly<Record<string, unknown>>;
type ToolMapper = (args: Args, repairs: RepairLog) => MemoryOperation;

const keys = (...names: string[]): ReadonlySet<string> => new Set(names);

/** Fine-Mem's flat tools: one per operation, argument names as in the tool definitions. */
const FLAT_TOOLS: Readonly<Record<string, ToolMapper>> = {
  memory_insert(args, repairs) {
    const content = requireContent(args, "content");
    dropExtraArguments(args, keys("content"), repairs);
    return { type: "INSERT", content };
  },
  memory_update(args, repairs) {
    const id = requireId(args, "memory_id");
    const content = requireContent(args, "new_content");
    dropExtraArguments(args, keys("memory_id", "new_content"), repairs);
    return { type: "UPDATE", id, content };
  },
  memory_delete(args, repairs) {
    const id = requireId(args, "memory_id");
    dropExtraArguments(args, keys("memory_id"), repairs);
    return { type: "DELETE", id };
  },
  memory_skip(args, repairs) {
    dropExtraArguments(args, keys(), repairs);
    return { type: "SKIP" };
  },
};

/**
 * Mem-α's typed tools. The core memory is one paragraph with the fixed id `core`: updating or deleting
 * it needs no `memory_id` (the tools document the argument as ignored there), and it is never inserted.
 */
const MEMALPHA_TOOLS: Readonly<Record<string, ToolMapper>> = {
  new_memory_insert(args, repairs) {
    const memoryType = memalphaType(args, repairs);
    if (memoryType === "core")
      fail("invalid_arguments", "the core memory is never inserted: update it with memory_update");
    const content = requireContent(args, "content");
    dropExtraArguments(args, keys("memory_type", "content"), repairs);
    return { type: "INSERT", content, memoryType };
  },
  memory_update(args, repairs) {
    const memoryType = memalphaType(args, repairs);
    const id = memalphaId(args, memoryType);
    const content = requireContent(args, "new_content");
    dropExtraArguments(args, keys("memory_type", "new_content", "memory_id"), repairs);
    return { type: "UPDATE", id, content, memoryType };
  },
  memory_delete(args, repairs) {
    const memoryType = memalphaType(args, repairs);
    const id = memalphaId(args, memoryType);
    dropExtraArguments(args, keys("memory_type", "memory_id"), repairs);
    return { type: "DELETE", id, memoryType };
  },
};

const TOOLS: Readonly<Record<ToolSetId, Readonly<Record<string, ToolMapper>>>> = {
  flat: FLAT_TOOLS,
  memalpha: MEMALPHA_TOOLS,
};

const TOOL_NAMES: Readonly<Record<ToolSetId, ReadonlySet<string>>> = {
  flat: new Set(Object.keys(FLAT_TOOLS)),
  memalpha: new Set(Object.keys(MEMALPHA_TOOLS)),
};

/** The tool names a tool set understands (for deciding whether prose JSON names a tool). */
export function toolNamesOf(toolSet: ToolSetId): ReadonlySet<string> {
  return TOOL_NAMES[toolSet];
}

/** Maps one tool call to an operation, or throws a FragmentFailure. */
export function mapToolCall(
  name: unknown,
  found: FoundArguments,
  toolSet: ToolSetId,
  repairs: RepairLog,
): MemoryOperation {
  if (typeof name !== "string")
    fail("invalid_arguments", `the tool name must be a string, got ${quoteForMessage(name)}`);
  const tools = TOOLS[toolSet];
  const mapper = Object.hasOwn(tools, name) ? tools[name] : undefined;
  if (mapper === undefined) {
    fail(
      "unknown_tool",
      `unknown tool ${quoteForMessage(name)}: the ${toolSet} tools are ${Object.keys(tools).join(", ")}`,
    );
  }
  const args = decodeArguments(found.present ? found.value : undefined, found.present && found.textIsNative, repairs);
  return mapper(args, repairs);
}

function memalphaType(args: Args, repairs: RepairLog) {
  const reading = readMemoryType(requireString(args, "memory_type"), "tool");
  if (!reading.ok) fail("invalid_arguments", reading.message);
  if (reading.alias) repairs.add("memory_type_alias");
  return reading.memoryType;
}

function memalphaId(args: Args, memoryType: string): string {
  if (memoryType === "core") return CORE_ITEM_ID;
  const id = requireId(args, "memory_id");
  if (id === CORE_ITEM_ID)
    fail("invalid_arguments", `"${CORE_ITEM_ID}" is the core memory's id, not a ${memoryType} item's`);
  return id;
}
