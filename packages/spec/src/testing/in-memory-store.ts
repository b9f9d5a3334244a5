import { type CallOptions, SPECIFICATION_VERSION } from "../call-options.js";
import { throwIfAborted } from "../errors.js";
import type { MemoryItem, MemoryItemVersion, MemoryLayout, MemoryView, Namespace } from "../memory.js";
import { CORE_ITEM_ID } from "../memory.js";
import {
  type IdentifiedOperation,
  memoryOperationValidator,
  type OperationResult,
  type RejectionReason,
} from "../operation.js";
import type { ProvenancePolicy, StepWeights } from "../provenance.js";
import type { ApplyRequest, MemoryStore } from "../store.js";

/**
 * A small, correct, unoptimised {@link MemoryStore} for unit tests of consumers. It keeps version
 * chains and tombstones and rejects bad operations with reason codes, but has none of the real
 * store's indexes, caps or persistence. Item ids are `m1`, `m2`, … per namespace.
 */
export interface InMemoryStoreDouble extends MemoryStore {
  /** Every apply request received, in order. */
  readonly applied: readonly ApplyRequest[];
}

interface Chain {
  readonly versions: MemoryItemVersion[];
  readonly createdStep: number;
  readonly order: number;
}

interface NamespaceState {
  readonly chains: Map<string, Chain>;
  nextId: number;
  step: number;
}

export function createInMemoryStoreDouble(options: { layout?: MemoryLayout } = {}): InMemoryStoreDouble {
  const layout = options.layout ?? "flat";
  const namespaces = new Map<string, NamespaceState>();
  const applied: ApplyRequest[] = [];
  let closed = false;

  const stateOf = (namespace: Namespace): NamespaceState => {
    const key = JSON.stringify([namespace.user ?? null, namespace.agent ?? null, namespace.run ?? null]);
    let state = namespaces.get(key);
    if (state === undefined) {
      state = { chains: new Map(), nextId: 1, step: 0 };
      namespaces.set(key, state);
    }
    return state;
  };
  const ensureOpen = (signal: AbortSignal | undefined) => {
    if (closed) throw new Error("store is closed");
    throwIfAborted(signal);
  };
  const current = (chain: Chain): MemoryItemVersion => chain.versions[chain.versions.length - 1]!;

  const applyOne = (state: NamespaceState, request: ApplyRequest, entry: IdentifiedOperation): OperationResult => {
    const reject = (reason: RejectionReason, message: string): OperationResult => ({
      operationId: entry.operationId,
      status: "rejected",
      reason,
      message,
    });
    const checked = memoryOperationValidator.validate(entry.operation);
    if (!checked.ok) {
      return reject(
        checked.error.code === "empty_content" ? "empty_content" : "invalid_operation",
        checked.error.message,
      );
    }
    const operation = checked.value;
    if (operation.type === "SKIP")
      return { operationId: entry.operationId, status: "applied", itemId: null, version: null };
    if ((operation.memoryType !== undefined) !== (layout === "typed")) {
      return reject("layout_mismatch", `a ${layout} store got ${operation.memoryType ?? "no"} memoryType`);
    }
    const stamp = {
      step: request.step,
      operationId: entry.operationId,
      ...(request.sourceChunkId === undefined ? {} : { sourceChunkId: request.sourceChunkId }),
    };
    if (operation.type === "INSERT") {
      if (operation.memoryType === "core")
        return reject("core_insert", "core memory can only be rewritten with UPDATE");
      for (const chain of state.chains.values()) {
        const latest = current(chain);
        if (!latest.tombstone && latest.content === operation.content && latest.memoryType === operation.memoryType) {
          return reject("duplicate_insert", `item ${latest.itemId} already holds this content`);
        }
      }
      const itemId = `m${state.nextId++}`;
      state.chains.set(itemId, {
        createdStep: request.step,
        order: state.chains.size,
        versions: [
          {
            itemId,
            version: 1,
            content: operation.content,
            ...(operation.memoryType === undefined ? {} : { memoryType: operation.memoryType }),
            ...(operation.timestamp === undefined ? {} : { timestamp: operation.timestamp }),
            ...stamp,
            previousVersion: null,
            tombstone: false,
          },
        ],
      });
      return { operationId: entry.operationId, status: "applied", itemId, version: 1 };
    }
    let chain = state.chains.get(operation.id);
    if (chain === undefined && layout === "typed" && operation.type === "UPDATE" && operation.id === CORE_ITEM_ID) {
      if (operation.memoryType !== "core") return reject("wrong_kind", "the core item has memoryType core");
      chain = { createdStep: request.step, order: state.chains.size, versions: [] };
      state.chains.set(CORE_ITEM_ID, chain);
    }
    if (chain === undefined) return reject("unknown_id", `no item ${operation.id}`);
    const latest = chain.versions.at(-1);
    if (latest?.tombstone) return reject("deleted_id", `item ${operation.id} was deleted`);
    if (latest !== undefined && operation.memoryType !== latest.memoryType) {
      return reject("wrong_kind", `item ${operation.id} is ${latest.memoryType ?? "untyped"}`);
    }
    const version = (latest?.version ?? 0) + 1;
    chain.versions.push({
      itemId: operation.id,
      version,
      content: operation.type === "UPDATE" ? operation.content : "",
      ...(operation.memoryType === undefined ? {} : { memoryType: operation.memoryType }),
      ...stamp,
      previousVersion: latest?.version ?? null,
      tombstone: operation.type === "DELETE",
    });
    return { operationId: entry.operationId, status: "applied", itemId: operation.id, version };
  };

  const viewOf = (namespace: Namespace, state: NamespaceState): MemoryView => {
    const items: MemoryItem[] = [];
    const chains = [...state.chains.values()].sort((a, b) => a.order - b.order);
    for (const chain of chains) {
      const latest = current(chain);
      if (latest.tombstone) continue;
      items.push({
        id: latest.itemId,
        content: latest.content,
        ...(latest.memoryType === undefined ? {} : { memoryType: latest.memoryType }),
        ...(latest.timestamp === undefined ? {} : { timestamp: latest.timestamp }),
        version: latest.version,
        createdStep: chain.createdStep,
        step: latest.step,
        operationId: latest.operationId,
        ...(latest.sourceChunkId === undefined ? {} : { sourceChunkId: latest.sourceChunkId }),
      });
    }
    return { namespace: { ...namespace }, layout, step: state.step, items };
  };

  return {
    specificationVersion: SPECIFICATION_VERSION,
    layout,
    applied,
    async apply(request: ApplyRequest, callOptions?: CallOptions) {
      ensureOpen(callOptions?.signal);
      applied.push(request);
      const state = stateOf(request.namespace);
      const results = request.operations.map((entry) => applyOne(state, request, entry));
      state.step = Math.max(state.step, request.step);
      return results;
    },
    async view(namespace, callOptions) {
      ensureOpen(callOptions?.signal);
      return viewOf(namespace, stateOf(namespace));
    },
    async history(namespace, itemId, callOptions) {
      ensureOpen(callOptions?.signal);
      return [...(stateOf(namespace).chains.get(itemId)?.versions ?? [])];
    },
    async provenance(namespace, itemId, policy: ProvenancePolicy, callOptions): Promise<StepWeights> {
      ensureOpen(callOptions?.signal);
      const chain = stateOf(namespace).chains.get(itemId);
      if (chain === undefined) return {};
      // A tombstone is not content: φ credits the steps that wrote the content that was retrieved.
      const written = chain.versions.filter((version) => !version.tombstone);
      if (written.length === 0) return {};
      if (policy === "creator") return { [chain.createdStep]: 1 };
      if (policy === "last-writer") return { [written[written.length - 1]!.step]: 1 };
      const weights: Record<number, number> = {};
      for (const version of written) weights[version.step] = (weights[version.step] ?? 0) + 1 / written.length;
      return weights;
    },
    async close() {
      closed = true;
    },
  };
}
