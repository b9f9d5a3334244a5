import { type MemoryManager, MemoryManagerError } from "@finemem/agent";
import type { CallOptions, MemoryOperation, OperationResult, RejectionReason } from "@finemem/spec";
import { createConcurrencyLimiter } from "@finemem/utils";
import { type Tool, tool } from "ai";
import { z } from "zod";

/** Items the `recall` tool returns when the model asks for no `topK`. */
export const DEFAULT_TOOL_RECALL_TOP_K = 10;

/** The most items one `recall` tool call may ask for. */
export const MAX_TOOL_RECALL_TOP_K = 100;

/** Options of {@link createMemoryTools}. */
export interface MemoryToolsOptions {
  /** Items `recall` returns when the model gives no `topK` (default {@link DEFAULT_TOOL_RECALL_TOP_K}). */
  readonly topK?: number;
}

/** What the model sends to `recall`. */
export interface RecallToolInput {
  /** What to look for, e.g. the user's question. */
  readonly query: string;
  /** How many items at most (1 to {@link MAX_TOOL_RECALL_TOP_K}). */
  readonly topK?: number | undefined;
}

/** One item `recall` found. */
export interface RecalledMemory {
  readonly id: string;
  readonly content: string;
  /** The version of the item's current content, counting from 1. */
  readonly version: number;
  /** The memory step that wrote this version. */
  readonly step: number;
  /** 1-based, best first. */
  readonly rank: number;
  readonly score: number;
}

/** What `recall` answers: the memory step it read at, and the items, best first. */
export interface RecallToolOutput {
  readonly step: number;
  readonly items: readonly RecalledMemory[];
}

/** What the model sends to `remember`. */
export interface RememberToolInput {
  /** One self-contained fact. */
  readonly content: string;
}

/** What the model sends to `update`. */
export interface UpdateToolInput {
  /** The item to change. */
  readonly id: string;
  /** Its new content. */
  readonly content: string;
}

/** What the model sends to `forget` and `history`. */
export interface MemoryIdToolInput {
  /** A memory id, as `recall` returns it (e.g. `m1`). */
  readonly id: string;
}

/**
 * What `remember`, `update` and `forget` answer: the store's verdict on the one operation, written as
 * a step of its own (`applied`, with the item, its new version and the step) or `rejected` with the
 * store's reason code (e.g. `unknown_id`, `deleted_id`) and message, which the model can read and act on.
 */
export type MemoryEditOutput =
  | {
      readonly status: "applied";
      readonly operation: "INSERT" | "UPDATE" | "DELETE";
      readonly id: string;
      /** The version written (the tombstone's for a deletion). */
      readonly version: number;
      readonly step: number;
    }
  | {
      readonly status: "rejected";
      readonly operation: "INSERT" | "UPDATE" | "DELETE";
      readonly reason: RejectionReason;
      readonly message: string;
    };

/** One version of an item, oldest first, as `history` answers it. */
export interface MemoryVersionEntry {
  readonly version: number;
  readonly event: "ADD" | "UPDATE" | "DELETE";
  /** The content of this version; `null` for a deletion. */
  readonly content: string | null;
  readonly step: number;
  /** The chunk (`chunk-<step>`) or tool step (`tool-<step>`) that wrote it. */
  readonly source: string | null;
}

/** What `history` answers: the item's versions, oldest first; none for an id memory never held. */
export interface MemoryHistoryOutput {
  /** The id asked about. */
  readonly id: string;
  /** Oldest first, the deletion's tombstone included. */
  readonly versions: readonly MemoryVersionEntry[];
}

/**
 * The tool set: pass it (or spread it beside your own tools) as `tools` of `generateText` or
 * `streamText`. A type alias, not an interface, so that it is an AI SDK `ToolSet`.
 */
export type MemoryTools = {
  readonly recall: Tool<RecallToolInput, RecallToolOutput>;
  readonly remember: Tool<RememberToolInput, MemoryEditOutput>;
  readonly update: Tool<UpdateToolInput, MemoryEditOutput>;
  readonly forget: Tool<MemoryIdToolInput, MemoryEditOutput>;
  readonly history: Tool<MemoryIdToolInput, MemoryHistoryOutput>;
};

const idSchema = z.string().trim().min(1).max(256).describe("A memory id, as recall returns it (e.g. m1).");
const contentSchema = z.string().trim().min(1).max(4000);

/**
 * The memory manager's store as AI SDK tools, for an agent that manages its own memory: `recall`
 * (the manager's retriever), `remember` (INSERT), `update` (UPDATE), `forget` (DELETE) and `history`
 * (an item's version chain). Each edit is one step of its own in the manager's namespace, with
 * operation id `s<step>.0` and source chunk `tool-<step>`, so provenance tells the agent's edits from
 * the policy's. The tools run one at a time, in call order (parallel tool calls of one step included), so
 * a recall after an edit in the same step sees it. Inputs are checked by zod schemas (the SDK
 * answers a bad input with an `InvalidToolInputError` naming the field).
 */
export function createMemoryTools(memory: MemoryManager, options: MemoryToolsOptions = {}): MemoryTools {
  const defaultTopK = checkTopK(options.topK ?? DEFAULT_TOOL_RECALL_TOP_K);
  // One slot, first in first out: two tool edits running at once would both read step t-1 and number themselves t.
  const queue = createConcurrencyLimiter(1);

  const edit = (operation: Exclude<MemoryOperation, { type: "SKIP" }>, callOptions: CallOptions) =>
    queue.run(async (): Promise<MemoryEditOutput> => {
      const view = await memory.store.view(memory.namespace, callOptions);
      const step = view.step + 1;
      const [result] = (await memory.store.apply(
        {
          namespace: memory.namespace,
          step,
          sourceChunkId: `tool-${step}`,
          operations: [{ operationId: `s${step}.0`, operation }],
        },
        callOptions,
      )) as [OperationResult];
      if (result.status === "rejected") {
        return { status: "rejected", operation: operation.type, reason: result.reason, message: result.message };
      }
      return { status: "applied", operation: operation.type, id: result.itemId!, version: result.version!, step };
    });

  const signalOf = (abortSignal: AbortSignal | undefined): CallOptions =>
    abortSignal === undefined ? {} : { signal: abortSignal };

  const recall = tool({
    description:
      "Search long-term memory for notes relevant to a query. Returns items with their id, content, version and the memory step that wrote them, best first.",
    inputSchema: z.object({
      query: z.string().trim().min(1).describe("What to look for, e.g. the user's question."),
      topK: z.number().int().min(1).max(MAX_TOOL_RECALL_TOP_K).optional().describe("How many items at most."),
    }),
    execute: async ({ query, topK }, { abortSignal }): Promise<RecallToolOutput> => {
      const found = await queue.run(() =>
        memory.recall(query, { topK: topK ?? defaultTopK, ...signalOf(abortSignal) }),
      );
      return {
        step: found.step,
        items: found.items.map((item) => ({
          id: item.itemId,
          content: item.content,
          version: item.version,
          step: item.step,
          rank: item.rank,
          score: item.score,
        })),
      };
    },
  });

  const remember = tool({
    description: "Store a new note in long-term memory: one self-contained fact per call.",
    inputSchema: z.object({ content: contentSchema.describe("The fact to remember.") }),
    execute: ({ content }, { abortSignal }) => edit({ type: "INSERT", content }, signalOf(abortSignal)),
  });

  const update = tool({
    description: "Replace the content of a memory item (by id) that is out of date; the item keeps its id.",
    inputSchema: z.object({ id: idSchema, content: contentSchema.describe("The item's new content.") }),
    execute: ({ id, content }, { abortSignal }) => edit({ type: "UPDATE", id, content }, signalOf(abortSignal)),
  });

  const forget = tool({
    description: "Delete a memory item (by id) that is wrong or no longer wanted; its history is kept.",
    inputSchema: z.object({ id: idSchema }),
    execute: ({ id }, { abortSignal }) => edit({ type: "DELETE", id }, signalOf(abortSignal)),
  });

  const history = tool({
    description: "List every version of a memory item (by id), oldest first, with the step that wrote each.",
    inputSchema: z.object({ id: idSchema }),
    execute: async ({ id }, { abortSignal }): Promise<MemoryHistoryOutput> => {
      const versions = await queue.run(() => memory.store.history(memory.namespace, id, signalOf(abortSignal)));
      return {
        id,
        versions: versions.map((version, index) => ({
          version: version.version,
          event: version.tombstone ? "DELETE" : index === 0 ? "ADD" : "UPDATE",
          content: version.tombstone ? null : version.content,
          step: version.step,
          source: version.sourceChunkId ?? null,
        })),
      };
    },
  });

  return { recall, remember, update, forget, history };
}

function checkTopK(value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > MAX_TOOL_RECALL_TOP_K) {
    throw new MemoryManagerError(
      "invalid_option",
      `topK must be an integer from 1 to ${MAX_TOOL_RECALL_TOP_K}, got ${String(value)}`,
      ["topK"],
    );
  }
  return value;
}
