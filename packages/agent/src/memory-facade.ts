import { homedir } from "node:os";
import { join } from "node:path";
import type { MemoryBackend } from "@finemem/memory";
import type {
  CallOptions,
  MemoryItem,
  MemoryItemVersion,
  MemoryPolicy,
  Namespace,
  OperationResult,
} from "@finemem/spec";
import { type ConversationTurn, checkConversationTurn } from "./conversation-turn.js";
import { createMemoryManager, type MemoryManager, type MemoryStep } from "./memory-manager.js";
import { MemoryManagerError } from "./memory-manager-error.js";

/** Where `createMemory` keeps memory when given no store and no path: `~/.finemem/memory`. */
export function defaultMemoryPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.FINEMEM_MEMORY_DIR && env.FINEMEM_MEMORY_DIR.length > 0
    ? env.FINEMEM_MEMORY_DIR
    : join(homedir(), ".finemem", "memory");
}

export interface MemoryOptions {
  /** A PGlite directory (default `FINEMEM_MEMORY_DIR`, else `~/.finemem/memory`); ignored with `store`. */
  readonly path?: string;
  /** Any store, e.g. `createInMemoryStore()`; it is never closed by `close()`. Default: a PGlite directory. */
  readonly store?: MemoryBackend;
  readonly policy?: MemoryPolicy;
  readonly chunkTokens?: number;
  readonly topK?: number;
}

/** Who a call is about: any non-empty string (an email, a uuid). */
export interface UserScope extends CallOptions {
  readonly userId: string;
}

/** One change `add`, `update` or `delete` made. */
export interface MemoryEvent {
  readonly id: string;
  readonly memory: string;
  readonly event: "ADD" | "UPDATE" | "DELETE";
}

/** A memory as `get`, `getAll` and `search` return it. */
export interface MemoryRecord {
  readonly id: string;
  readonly memory: string;
  readonly version: number;
  /** The step that wrote the current version. */
  readonly step: number;
  /** Search only: the recall score. */
  readonly score?: number;
}

/** One version of a memory, oldest first. */
export interface MemoryHistoryEntry {
  readonly version: number;
  readonly event: "ADD" | "UPDATE" | "DELETE";
  /** The content before this version (`null` for the first). */
  readonly oldMemory: string | null;
  /** The content of this version (`null` for a deletion). */
  readonly newMemory: string | null;
  readonly step: number;
}

/** A mem0-style memory: one call each way, per user, over a persistent store. */
export interface Memory {
  readonly store: MemoryBackend;
  add(messages: string | readonly ConversationTurn[], scope: UserScope): Promise<{ results: MemoryEvent[] }>;
  search(query: string, scope: UserScope & { readonly limit?: number }): Promise<{ results: MemoryRecord[] }>;
  get(memoryId: string, scope: UserScope): Promise<MemoryRecord | null>;
  getAll(scope: UserScope): Promise<{ results: MemoryRecord[] }>;
  update(memoryId: string, text: string, scope: UserScope): Promise<MemoryEvent>;
  delete(memoryId: string, scope: UserScope): Promise<MemoryEvent>;
  history(memoryId: string, scope: UserScope): Promise<MemoryHistoryEntry[]>;
  /** Closes the store `createMemory` opened (never a store it was given). */
  close(): Promise<void>;
}

function namespaceOf(scope: UserScope | undefined): Namespace {
  const userId = scope?.userId;
  if (typeof userId !== "string" || userId.trim().length === 0) {
    throw new MemoryManagerError("invalid_option", `userId must be a non-empty string, got ${JSON.stringify(userId)}`, [
      "userId",
    ]);
  }
  return { user: userId };
}

function callOptions(scope: UserScope): CallOptions {
  return scope.signal === undefined ? {} : { signal: scope.signal };
}

/**
 * Creates a mem0-style memory. Each user id gets its own namespace (`{ user: userId }`) and memory
 * manager; `add` observes the messages and flushes them, so they are searchable at once. Without a
 * store it opens a PGlite directory (`@finemem/memory/pglite`, whose optional peer
 * `@electric-sql/pglite` must be installed; a missing one is a `missing_dependency` error).
 */
export async function createMemory(options: MemoryOptions = {}): Promise<Memory> {
  let ownsStore = false;
  let store = options.store;
  if (store === undefined) {
    const { openPgliteStore } = await import("@finemem/memory/pglite");
    store = await openPgliteStore({ directory: options.path ?? defaultMemoryPath() });
    ownsStore = true;
  }
  const backend = store;
  const managers = new Map<string, MemoryManager>();
  const managerFor = (namespace: Namespace): MemoryManager => {
    const key = JSON.stringify(namespace);
    let manager = managers.get(key);
    if (manager === undefined) {
      manager = createMemoryManager({
        store: backend,
        namespace,
        ...(options.policy === undefined ? {} : { policy: options.policy }),
        ...(options.chunkTokens === undefined ? {} : { chunkTokens: options.chunkTokens }),
        ...(options.topK === undefined ? {} : { topK: options.topK }),
      });
      managers.set(key, manager);
    }
    return manager;
  };
  const record = (item: { id: string; content: string; version: number; step: number }): MemoryRecord => ({
    id: item.id,
    memory: item.content,
    version: item.version,
    step: item.step,
  });
  // update and delete go through the user's manager queue position: after its pending steps.
  const applyOne = async (
    namespace: Namespace,
    operation: { type: "UPDATE"; id: string; content: string } | { type: "DELETE"; id: string },
    scope: UserScope,
  ): Promise<{ readonly result: OperationResult; readonly before: MemoryItem }> => {
    const manager = managerFor(namespace);
    await manager.flush(callOptions(scope));
    const view = await backend.view(namespace, callOptions(scope));
    const before = view.items.find((item) => item.id === operation.id);
    if (before === undefined) {
      throw new MemoryManagerError(
        "not_found",
        `no memory ${operation.id} for user ${namespace.user}: list them with getAll({ userId })`,
        ["memoryId"],
      );
    }
    const step = view.step + 1;
    const [result] = await backend.apply(
      { namespace, step, sourceChunkId: `edit-${step}`, operations: [{ operationId: `s${step}.0`, operation }] },
      callOptions(scope),
    );
    return { result: result!, before };
  };
  return {
    store: backend,
    async add(messages, scope) {
      const namespace = namespaceOf(scope);
      const turns = typeof messages === "string" ? [{ role: "user", content: messages }] : messages;
      if (!Array.isArray(turns) || turns.length === 0) {
        throw new MemoryManagerError(
          "invalid_turn",
          "messages must be a non-empty string or a non-empty list of { role, content }",
          ["messages"],
        );
      }
      for (const turn of turns) checkConversationTurn(turn);
      const manager = managerFor(namespace);
      const steps: MemoryStep[] = [];
      for (const turn of turns) steps.push(...(await manager.observe(turn, callOptions(scope))));
      steps.push(...(await manager.flush(callOptions(scope))));
      const results: MemoryEvent[] = [];
      for (const step of steps) {
        step.operations.forEach(({ operation }, index) => {
          const result = step.results[index];
          if (result?.status !== "applied" || result.itemId === null || operation.type === "SKIP") return;
          results.push({
            id: result.itemId,
            memory: operation.type === "DELETE" ? "" : operation.content,
            event: operation.type === "INSERT" ? "ADD" : operation.type,
          });
        });
      }
      return { results };
    },
    async search(query, scope) {
      const namespace = namespaceOf(scope);
      const recall = await managerFor(namespace).recall(query, {
        ...callOptions(scope),
        ...(scope.limit === undefined ? {} : { topK: scope.limit }),
      });
      return {
        results: recall.items.map((item) => ({
          ...record({ id: item.itemId, content: item.content, version: item.version, step: item.step }),
          score: item.score,
        })),
      };
    },
    async get(memoryId, scope) {
      const namespace = namespaceOf(scope);
      const item = (await backend.view(namespace, callOptions(scope))).items.find((entry) => entry.id === memoryId);
      return item === undefined ? null : record(item);
    },
    async getAll(scope) {
      const namespace = namespaceOf(scope);
      return { results: (await backend.view(namespace, callOptions(scope))).items.map(record) };
    },
    async update(memoryId, text, scope) {
      const namespace = namespaceOf(scope);
      if (typeof text !== "string" || text.trim().length === 0) {
        throw new MemoryManagerError("invalid_option", "the new text must hold something other than whitespace", [
          "text",
        ]);
      }
      await applyOne(namespace, { type: "UPDATE", id: memoryId, content: text.trim() }, scope);
      return { id: memoryId, memory: text.trim(), event: "UPDATE" };
    },
    async delete(memoryId, scope) {
      const namespace = namespaceOf(scope);
      const { before } = await applyOne(namespace, { type: "DELETE", id: memoryId }, scope);
      return { id: memoryId, memory: before.content, event: "DELETE" };
    },
    async history(memoryId, scope) {
      const namespace = namespaceOf(scope);
      const versions: readonly MemoryItemVersion[] = await backend.history(namespace, memoryId, callOptions(scope));
      return versions.map((version, index) => ({
        version: version.version,
        event: index === 0 ? "ADD" : version.content === "" ? "DELETE" : "UPDATE",
        oldMemory: index === 0 ? null : versions[index - 1]!.content || null,
        newMemory: version.content === "" ? null : version.content,
        step: version.step,
      }));
    },
    async close() {
      if (ownsStore) await backend.close();
    },
  };
}
