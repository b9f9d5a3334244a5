import {
  CORE_ITEM_ID,
  type MemoryLayout,
  type MemoryOperation,
  type MemoryType,
  type ToolDefinition,
} from "@finemem/spec";

/**
 * The two tool vocabularies a memory manager can speak:
 *
 * - `flat`: Fine-Mem's operations on one flat list of items, one tool per operation
 *   (`memory_insert`, `memory_update`, `memory_delete`, `memory_skip`).
 * - `memalpha`: Mem-α's typed tools with their argument names (`new_memory_insert`, `memory_update`,
 *   `memory_delete`, each with a `memory_type` of `core_memory`, `semantic_memory` or
 *   `episodic_memory`), so that a model trained with Mem-α's prompts runs unchanged. Mem-α has no skip
 *   tool: a typed reply that writes nothing holds no call (or a bare `{"type": "SKIP"}`).
 */
export type ToolSetId = "flat" | "memalpha";

export interface ToolSet {
  readonly id: ToolSetId;
  /** The store layout the tool set writes. */
  readonly layout: MemoryLayout;
  readonly tools: readonly ToolDefinition[];
}

/** A tool call as the model should write it: the tool's name and its arguments object. */
export interface RenderedToolCall {
  readonly name: string;
  readonly arguments: { readonly [key: string]: string };
}

/** Mem-α's spelling of a memory type in tool arguments. */
export type MemalphaMemoryType = "core_memory" | "semantic_memory" | "episodic_memory";

export const MEMALPHA_MEMORY_TYPES: Readonly<Record<MemoryType, MemalphaMemoryType>> = {
  core: "core_memory",
  semantic: "semantic_memory",
  episodic: "episodic_memory",
};

const idArgument = {
  type: "string",
  description: "The id of an existing memory item, exactly as shown in brackets in the memory (e.g. m3).",
};

export const FLAT_TOOL_SET: ToolSet = {
  id: "flat",
  layout: "flat",
  tools: [
    {
      name: "memory_insert",
      description: "Add a new memory item holding one self-contained fact from the chunk.",
      parameters: {
        type: "object",
        properties: { content: { type: "string", description: "The fact, written so that it reads on its own." } },
        required: ["content"],
      },
    },
    {
      name: "memory_update",
      description: "Replace the content of an existing item whose fact the chunk changes or completes.",
      parameters: {
        type: "object",
        properties: {
          memory_id: idArgument,
          new_content: { type: "string", description: "The item's whole new content (it replaces the old)." },
        },
        required: ["memory_id", "new_content"],
      },
    },
    {
      name: "memory_delete",
      description: "Remove an item that is wrong, obsolete or redundant.",
      parameters: { type: "object", properties: { memory_id: idArgument }, required: ["memory_id"] },
    },
    {
      name: "memory_skip",
      description: "Write nothing for this chunk (it holds nothing worth remembering).",
      parameters: { type: "object", properties: {}, required: [] },
    },
  ],
};

export const MEMALPHA_TOOL_SET: ToolSet = {
  id: "memalpha",
  layout: "typed",
  tools: [
    {
      name: "new_memory_insert",
      description:
        "Add a new semantic (facts) or episodic (timestamped events) memory item. The core memory is never inserted, only updated.",
      parameters: {
        type: "object",
        properties: {
          memory_type: {
            type: "string",
            enum: ["semantic_memory", "episodic_memory"],
            description: "Which list the item joins.",
          },
          content: { type: "string", description: "The item's content." },
        },
        required: ["memory_type", "content"],
      },
    },
    {
      name: "memory_update",
      description:
        "Rewrite the core memory paragraph, or replace the content of a semantic or episodic item given by id.",
      parameters: {
        type: "object",
        properties: {
          memory_type: {
            type: "string",
            enum: ["core_memory", "semantic_memory", "episodic_memory"],
            description: "The kind of memory rewritten.",
          },
          new_content: {
            type: "string",
            description: "The whole new content: for the core memory, the entire paragraph.",
          },
          memory_id: {
            ...idArgument,
            description: "The item's id; required for semantic and episodic items, ignored for the core memory.",
          },
        },
        required: ["memory_type", "new_content"],
      },
    },
    {
      name: "memory_delete",
      description: "Delete a semantic or episodic item given by id, or clear the core memory.",
      parameters: {
        type: "object",
        properties: {
          memory_type: {
            type: "string",
            enum: ["core_memory", "semantic_memory", "episodic_memory"],
            description: "The kind of memory deleted.",
          },
          memory_id: {
            ...idArgument,
            description: "The item's id; required for semantic and episodic items, ignored for the core memory.",
          },
        },
        required: ["memory_type"],
      },
    },
  ],
};

export const TOOL_SETS: Readonly<Record<ToolSetId, ToolSet>> = { flat: FLAT_TOOL_SET, memalpha: MEMALPHA_TOOL_SET };

/** The tool set of an id; throws a `TypeError` for anything else (a programming error). */
export function toolSetOf(id: ToolSetId): ToolSet {
  const toolSet = TOOL_SETS[id];
  if (toolSet === undefined)
    throw new TypeError(`unknown tool set ${JSON.stringify(id)}: expected "flat" or "memalpha"`);
  return toolSet;
}

/**
 * The tool call that expresses `operation` in a tool set: used to render few-shot examples, by the
 * parser's round-trip tests, and by the prompted baselines' recorded replies. Returns `undefined` for
 * what the tool set cannot say (SKIP in `memalpha`; a typed operation in `flat` or the reverse).
 */
export function operationToToolCall(operation: MemoryOperation, toolSet: ToolSetId): RenderedToolCall | undefined {
  if (toolSet === "flat") {
    if (operation.type !== "SKIP" && operation.memoryType !== undefined) return undefined;
    switch (operation.type) {
      case "INSERT":
        return { name: "memory_insert", arguments: { content: operation.content } };
      case "UPDATE":
        return { name: "memory_update", arguments: { memory_id: operation.id, new_content: operation.content } };
      case "DELETE":
        return { name: "memory_delete", arguments: { memory_id: operation.id } };
      case "SKIP":
        return { name: "memory_skip", arguments: {} };
    }
  }
  if (operation.type === "SKIP" || operation.memoryType === undefined) return undefined;
  const memoryType = MEMALPHA_MEMORY_TYPES[operation.memoryType];
  const isCore = operation.memoryType === "core";
  switch (operation.type) {
    case "INSERT":
      return isCore
        ? undefined
        : { name: "new_memory_insert", arguments: { memory_type: memoryType, content: operation.content } };
    case "UPDATE":
      if (isCore !== (operation.id === CORE_ITEM_ID)) return undefined;
      return isCore
        ? { name: "memory_update", arguments: { memory_type: memoryType, new_content: operation.content } }
        : {
            name: "memory_update",
            arguments: { memory_type: memoryType, new_content: operation.content, memory_id: operation.id },
          };
    case "DELETE":
      if (isCore !== (operation.id === CORE_ITEM_ID)) return undefined;
      return isCore
        ? { name: "memory_delete", arguments: { memory_type: memoryType } }
        : { name: "memory_delete", arguments: { memory_type: memoryType, memory_id: operation.id } };
  }
}
