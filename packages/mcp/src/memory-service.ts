import { type ConversationTurn, createMemoryManager, type MemoryManager } from "@finemem/agent";
import type { MemoryBackend } from "@finemem/memory";
import type {
  CallOptions,
  IdentifiedOperation,
  MemoryItem,
  MemoryOperation,
  MemoryPolicy,
  MemoryView,
  Namespace,
  OperationResult,
  StepWeights,
} from "@finemem/spec";
import { type ConcurrencyLimiter, createConcurrencyLimiter } from "@finemem/utils";
import { McpServerError } from "./mcp-error.js";

/** One operation of a step and what the store did with it. */
export interface AppliedOperation {
  /** `s<step>.<position>`, or `forget.<n>` for a forget. */
  readonly operationId: string;
  readonly type: MemoryOperation["type"];
  /** The item written (INSERT: the new id; UPDATE / DELETE: the id named); absent for SKIP and a rejected INSERT. */
  readonly itemId?: string;
  /** The content written (INSERT, UPDATE). */
  readonly content?: string;
  readonly status: "applied" | "rejected";
  /** The version written (the tombstone's for DELETE). */
  readonly version?: number;
  /** The store's reason code of a rejection (e.g. `duplicate_insert`), and its message. */
  readonly reason?: string;
  readonly message?: string;
}

/** One memory step: a chunk the manager read (an observed turn), or an explicit edit. */
export interface StepReport {
  readonly step: number;
  /** `chunk-<step>` for an observed turn, `edit-<step>` for an explicit insert / update / delete. */
  readonly sourceChunkId: string;
  /** The chunk text the manager read (observed turns only). */
  readonly chunk?: string;
  readonly operations: readonly AppliedOperation[];
}

/** One recalled item, with where it came from. */
export interface RecalledMemory {
  readonly itemId: string;
  readonly content: string;
  /** 1-based, best first. */
  readonly rank: number;
  readonly score: number;
  readonly version: number;
  /** The step that wrote the current version, its operation and the chunk it read. */
  readonly step: number;
  readonly operationId: string;
  readonly sourceChunkId?: string;
  /** The step whose INSERT created the item. */
  readonly createdStep: number;
  /** φ: the item's credit over every step of its version chain (the `shared` provenance policy). */
  readonly provenance: StepWeights;
}

/** One version of an item, oldest first. */
export interface ItemVersionReport {
  readonly version: number;
  /** `""` for the tombstone of a DELETE. */
  readonly content: string;
  readonly deleted: boolean;
  readonly step: number;
  readonly operationId: string;
  readonly sourceChunkId?: string;
  readonly previousVersion: number | null;
}

export interface MemoryServiceOptions {
  readonly store: MemoryBackend;
  readonly policy: MemoryPolicy;
  /** The manager's chunk budget (see `@finemem/agent`); every observed turn is flushed anyway. */
  readonly chunkTokens?: number;
  /** Default k of `recall`. */
  readonly topK?: number;
}

/**
 * Everything the MCP tools do, without MCP: one `@finemem/agent` memory manager per namespace over one
 * store, and one queue per namespace, so observed turns, explicit edits and forgets of a namespace run
 * one at a time in call order (two writes would otherwise both number themselves t).
 */
export interface MemoryService {
  readonly store: MemoryBackend;
  readonly policy: MemoryPolicy;
  /** Observes one turn and flushes it, so the manager's operations are in memory when it resolves. */
  observe(namespace: Namespace, turn: ConversationTurn, options?: CallOptions): Promise<readonly StepReport[]>;
  recall(
    namespace: Namespace,
    question: string,
    topK?: number,
    options?: CallOptions,
  ): Promise<readonly RecalledMemory[]>;
  insert(
    namespace: Namespace,
    operation: { readonly content: string; readonly memoryType?: "semantic" | "episodic"; readonly timestamp?: string },
    options?: CallOptions,
  ): Promise<StepReport>;
  update(namespace: Namespace, itemId: string, content: string, options?: CallOptions): Promise<StepReport>;
  delete(namespace: Namespace, itemId: string, options?: CallOptions): Promise<StepReport>;
  history(namespace: Namespace, itemId: string, options?: CallOptions): Promise<readonly ItemVersionReport[]>;
  /** Deletes every current item any version of which was written from `sourceChunkId`. */
  forgetSource(namespace: Namespace, sourceChunkId: string, options?: CallOptions): Promise<StepReport>;
  view(namespace: Namespace, options?: CallOptions): Promise<MemoryView>;
}

function report(
  operations: readonly IdentifiedOperation[],
  results: readonly OperationResult[],
): readonly AppliedOperation[] {
  return operations.map(({ operationId, operation }, index) => {
    const result = results[index];
    const target =
      operation.type === "UPDATE" || operation.type === "DELETE"
        ? operation.id
        : result?.status === "applied" && result.itemId !== null
          ? result.itemId
          : undefined;
    return {
      operationId,
      type: operation.type,
      ...(target === undefined ? {} : { itemId: target }),
      ...(operation.type === "INSERT" || operation.type === "UPDATE" ? { content: operation.content } : {}),
      ...(result === undefined || result.status === "applied"
        ? { status: "applied" as const, ...(result?.version == null ? {} : { version: result.version }) }
        : { status: "rejected" as const, reason: result.reason, message: result.message }),
    };
  });
}

function notFound(namespace: Namespace, itemId: string): McpServerError {
  return new McpServerError(
    "not_found",
    `no memory item ${JSON.stringify(itemId)} for user ${JSON.stringify(namespace.user)}${namespace.agent === undefined ? "" : `, agent ${JSON.stringify(namespace.agent)}`}${namespace.run === undefined ? "" : `, run ${JSON.stringify(namespace.run)}`}: recall or read the memory resource to see the ids it holds`,
    ["itemId"],
  );
}

function rejection(itemId: string | undefined, result: OperationResult & { status: "rejected" }): McpServerError {
  const subject = itemId === undefined ? "the operation" : `the operation on item ${JSON.stringify(itemId)}`;
  const code =
    result.reason === "unknown_id" || result.reason === "deleted_id"
      ? "not_found"
      : result.reason === "layout_mismatch"
        ? "layout_mismatch"
        : "operation_rejected";
  return new McpServerError(code, `the store rejected ${subject} (${result.reason}): ${result.message}`, [
    itemId === undefined ? "content" : "itemId",
  ]);
}

export function createMemoryService(options: MemoryServiceOptions): MemoryService {
  const { store, policy } = options;
  if (store.layout !== policy.layout) {
    throw new McpServerError(
      "layout_mismatch",
      `the manager ${policy.policyId} writes ${policy.layout} memory but the store keeps ${store.layout} memory`,
      ["store"],
    );
  }
  // One manager per namespace, and one slot (first in first out) so its calls run one at a time in call order.
  const managers = new Map<string, { manager: MemoryManager; queue: ConcurrencyLimiter }>();
  const entryOf = (namespace: Namespace) => {
    const key = JSON.stringify([namespace.user ?? null, namespace.agent ?? null, namespace.run ?? null]);
    let entry = managers.get(key);
    if (entry === undefined) {
      entry = {
        manager: createMemoryManager({
          store,
          policy,
          namespace,
          ...(options.chunkTokens === undefined ? {} : { chunkTokens: options.chunkTokens }),
          ...(options.topK === undefined ? {} : { topK: options.topK }),
        }),
        queue: createConcurrencyLimiter(1),
      };
      managers.set(key, entry);
    }
    return entry;
  };

  const editStep = async (
    namespace: Namespace,
    operation: MemoryOperation,
    callOptions: CallOptions,
  ): Promise<StepReport> => {
    const view = await store.view(namespace, callOptions);
    if (operation.type === "UPDATE" || operation.type === "DELETE") {
      if (!view.items.some((item) => item.id === operation.id)) throw notFound(namespace, operation.id);
    }
    const step = view.step + 1;
    const sourceChunkId = `edit-${step}`;
    const operations = [{ operationId: `s${step}.0`, operation }];
    const results = await store.apply({ namespace, step, sourceChunkId, operations }, callOptions);
    const [result] = results;
    if (result?.status === "rejected") {
      throw rejection(operation.type === "UPDATE" || operation.type === "DELETE" ? operation.id : undefined, result);
    }
    return { step, sourceChunkId, operations: report(operations, results) };
  };

  return {
    store,
    policy,
    async observe(namespace, turn, callOptions = {}) {
      const { manager, queue } = entryOf(namespace);
      return queue.run(async () => {
        const steps = [...(await manager.observe(turn, callOptions)), ...(await manager.flush(callOptions))];
        return steps.map((step) => ({
          step: step.step,
          sourceChunkId: step.chunk.id,
          chunk: step.chunk.text,
          operations: report(step.operations, step.results),
        }));
      });
    },
    async recall(namespace, question, topK, callOptions = {}) {
      const { manager, queue } = entryOf(namespace);
      return queue.run(async () => {
        const recall = await manager.recall(question, { ...callOptions, ...(topK === undefined ? {} : { topK }) });
        const items = new Map<string, MemoryItem>(
          (await store.view(namespace, callOptions)).items.map((item) => [item.id, item]),
        );
        return Promise.all(
          recall.items.map(async (hit): Promise<RecalledMemory> => {
            const item = items.get(hit.itemId);
            return {
              itemId: hit.itemId,
              content: hit.content,
              rank: hit.rank,
              score: hit.score,
              version: hit.version,
              step: hit.step,
              operationId: item?.operationId ?? "",
              ...(item?.sourceChunkId === undefined ? {} : { sourceChunkId: item.sourceChunkId }),
              createdStep: item?.createdStep ?? hit.step,
              provenance: await store.provenance(namespace, hit.itemId, "shared", callOptions),
            };
          }),
        );
      });
    },
    async insert(namespace, operation, callOptions = {}) {
      return entryOf(namespace).queue.run(() => editStep(namespace, { type: "INSERT", ...operation }, callOptions));
    },
    async update(namespace, itemId, content, callOptions = {}) {
      return entryOf(namespace).queue.run(() =>
        editStep(namespace, { type: "UPDATE", id: itemId, content }, callOptions),
      );
    },
    async delete(namespace, itemId, callOptions = {}) {
      return entryOf(namespace).queue.run(() => editStep(namespace, { type: "DELETE", id: itemId }, callOptions));
    },
    async history(namespace, itemId, callOptions = {}) {
      return entryOf(namespace).queue.run(async () => {
        const versions = await store.history(namespace, itemId, callOptions);
        if (versions.length === 0) throw notFound(namespace, itemId);
        return versions.map((version) => ({
          version: version.version,
          content: version.content,
          deleted: version.tombstone,
          step: version.step,
          operationId: version.operationId,
          ...(version.sourceChunkId === undefined ? {} : { sourceChunkId: version.sourceChunkId }),
          previousVersion: version.previousVersion,
        }));
      });
    },
    async forgetSource(namespace, sourceChunkId, callOptions = {}) {
      return entryOf(namespace).queue.run(async () => {
        const view = await store.view(namespace, callOptions);
        const step = view.step + 1;
        const results = await store.deleteBySource(namespace, sourceChunkId, { step }, callOptions);
        const operations = results.map((result) => ({
          operationId: result.operationId,
          operation: { type: "DELETE" as const, id: result.status === "applied" ? (result.itemId ?? "") : "" },
        }));
        return { step, sourceChunkId, operations: report(operations, results) };
      });
    },
    async view(namespace, callOptions = {}) {
      return entryOf(namespace).queue.run(() => store.view(namespace, callOptions));
    },
  };
}
