import { Bm25Index, type Bm25Parameters, createInMemoryStore, type MemoryBackend } from "@finemem/memory";
import {
  type CallOptions,
  CORE_ITEM_ID,
  type Id,
  type IdentifiedOperation,
  type MemoryItemVersion,
  type MemoryOperation,
  type Namespace,
  namespaceValidator,
} from "@finemem/spec";
import {
  BaseStore,
  type GetOperation,
  type Item,
  type ListNamespacesOperation,
  type MatchCondition,
  type Operation,
  type OperationResults,
  type PutOperation,
  type SearchItem,
  type SearchOperation,
  validateNamespace,
} from "@langchain/langgraph-checkpoint";
import { LangGraphStoreError } from "./langgraph-store-error.js";
import {
  decodeRecord,
  encodeRecord,
  indexedText,
  isPlainObject,
  itemKey,
  type LangGraphRecord,
  type LangGraphValue,
  matchesFilter,
} from "./records.js";

/** Options of {@link createFineMemStore}; all optional. */
export interface FineMemStoreOptions {
  /** The memory store that keeps the items: any `@finemem/memory` backend. Default: a new in-memory store. Never closed by the adapter. */
  readonly store?: MemoryBackend;
  /** The store namespace that holds every LangGraph item (give the adapter one of its own). Default `{}`. */
  readonly namespace?: Namespace;
  /** The value fields BM25 ranks when a put gives no `index`: `"$"` (every leaf of the value) or paths such as `"text"`, `"notes[*]"`. Default `["$"]`. */
  readonly fields?: readonly string[];
  /** BM25 parameters of the query ranking (rank_bm25's BM25Okapi defaults). */
  readonly bm25?: Partial<Bm25Parameters>;
  /** The clock of `createdAt` / `updatedAt`. Default `() => new Date()`. */
  readonly now?: () => Date;
  /** Passed to every call on the memory store; once aborted, every later operation rejects with `aborted`. */
  readonly signal?: AbortSignal;
}

/** Where a LangGraph item lives in the memory store. */
export interface FineMemItemLocation {
  /** The memory item that holds it. */
  readonly itemId: Id;
  /** The version of its current value (1 for the first put, one more for each later put). */
  readonly version: number;
  /** The step of the put that created it. */
  readonly createdStep: number;
  /** The step of the put that wrote its current value. */
  readonly step: number;
}

interface Entry {
  readonly itemId: Id;
  readonly record: LangGraphRecord;
  readonly content: string;
  /** The BM25 document of the indexed text; `undefined` when nothing of the value is indexed. */
  readonly document: number | undefined;
  readonly version: number;
  readonly createdStep: number;
  readonly step: number;
}

interface State {
  /** LangGraph namespace (joined) → key → entry, both in first-write order, as LangGraph's InMemoryStore iterates. */
  readonly namespaces: Map<string, Map<string, Entry>>;
  readonly index: Bm25Index;
  nextDocument: number;
  lastStep: number;
}

const DEFAULT_SEARCH_LIMIT = 10;

/**
 * A LangGraph.js `BaseStore` over a Fine-Mem memory store. Every LangGraph item is one memory item of
 * one store namespace, its content the JSON text of the item's namespace tuple, key, timestamps and
 * value. A batch's puts are one memory step (one transaction on PGlite and PostgreSQL): INSERT for a new
 * key, UPDATE of the key's item for a changed value, DELETE for `null`, with operation ids
 * `s<step>.<position>` and source chunk `put-<step>`, so each value's version history and provenance
 * name the put that wrote it. Search filters with LangGraph's operators and ranks a query by BM25.
 */
export class FineMemStore extends BaseStore {
  /** The memory store the items live in. */
  readonly backend: MemoryBackend;
  /** The store namespace holding the items. */
  readonly namespace: Namespace;
  private readonly fields: readonly string[];
  private readonly bm25: Partial<Bm25Parameters>;
  private readonly now: () => Date;
  private readonly callOptions: CallOptions;
  private tail: Promise<unknown> = Promise.resolve();
  private state: Promise<State> | undefined;

  constructor(options: FineMemStoreOptions = {}) {
    super();
    if (typeof options !== "object" || options === null)
      throw new LangGraphStoreError("invalid_option", "options must be an object");
    const namespace = options.namespace ?? {};
    const checked = namespaceValidator.validate(namespace);
    if (!checked.ok) {
      const issue = checked.error;
      throw new LangGraphStoreError(
        "invalid_option",
        `namespace: ${issue.message}`,
        ["namespace", ...issue.path],
        issue,
      );
    }
    const fields = options.fields ?? ["$"];
    if (!Array.isArray(fields) || fields.length === 0 || !fields.every((f) => typeof f === "string" && f !== "")) {
      throw new LangGraphStoreError("invalid_option", "fields must be a non-empty list of field paths", ["fields"]);
    }
    if (options.now !== undefined && typeof options.now !== "function") {
      throw new LangGraphStoreError("invalid_option", "now must be a function returning a Date", ["now"]);
    }
    this.backend = options.store ?? createInMemoryStore();
    this.namespace = namespace;
    this.fields = [...fields];
    this.bm25 = options.bm25 ?? {};
    this.now = options.now ?? (() => new Date());
    this.callOptions = options.signal === undefined ? {} : { signal: options.signal };
  }

  /** Reads the store namespace once (the key → item index and the BM25 index); `batch` does it on first use. */
  override async start(): Promise<void> {
    await this.serial(() => this.load());
  }

  /** Where an item lives in the memory store, or `null` for a key the namespace does not hold. */
  async locate(namespace: string[], key: string): Promise<FineMemItemLocation | null> {
    return this.serial(async () => {
      const entry = (await this.load()).namespaces.get(namespace.join(":"))?.get(key);
      if (entry === undefined) return null;
      return { itemId: entry.itemId, version: entry.version, createdStep: entry.createdStep, step: entry.step };
    });
  }

  /** The memory item's version chain behind a current item, oldest first (`[]` for an absent key). */
  async history(namespace: string[], key: string): Promise<readonly MemoryItemVersion[]> {
    const location = await this.locate(namespace, key);
    if (location === null) return [];
    return this.backend.history(this.namespace, location.itemId, this.callOptions);
  }

  /**
   * Runs LangGraph operations as its `InMemoryStore` does: gets, searches and namespace listings read
   * the state before the batch's puts; the puts (the last one per namespace and key) are then applied
   * together, as one memory step.
   */
  async batch<Op extends Operation[]>(operations: Op): Promise<OperationResults<Op>> {
    return this.serial(async () => {
      const state = await this.load();
      const results: unknown[] = [];
      const puts = new Map<string, { operation: PutOperation; position: number }>();
      operations.forEach((operation, position) => {
        if ("namespacePrefix" in operation) {
          if (operation.namespacePrefix.length > 0)
            validateNamespace(operation.namespacePrefix, { allowReservedRoot: true });
          results.push(this.search_(state, operation));
        } else if ("value" in operation) {
          validateNamespace(operation.namespace, { allowReservedRoot: true });
          this.checkPut(operation, position);
          puts.set(itemKey(operation.namespace, operation.key), { operation, position });
          results.push(null);
        } else if ("key" in operation) {
          validateNamespace(operation.namespace, { allowReservedRoot: true });
          results.push(this.get_(state, operation));
        } else if ("limit" in operation) {
          results.push(listNamespaces(state, operation));
        } else {
          throw new LangGraphStoreError("invalid_value", "not a LangGraph store operation", ["operations", position]);
        }
      });
      if (puts.size > 0) await this.write(state, [...puts.values()]);
      return results as OperationResults<Op>;
    });
  }

  private serial<T>(job: () => Promise<T>): Promise<T> {
    const result = this.tail.then(job);
    this.tail = result.catch(() => undefined);
    return result;
  }

  private load(): Promise<State> {
    this.state ??= this.read();
    // A failed read is not cached: the next call reads again.
    this.state.catch(() => {
      this.state = undefined;
    });
    return this.state;
  }

  private async read(): Promise<State> {
    const view = await this.backend.view(this.namespace, this.callOptions);
    const state: State = {
      namespaces: new Map(),
      index: new Bm25Index(this.bm25),
      nextDocument: 0,
      lastStep: view.step,
    };
    view.items.forEach((item, position) => {
      if (item.id === CORE_ITEM_ID && item.memoryType === "core") return;
      const record = decodeRecord(item.content);
      if (record === undefined) {
        throw new LangGraphStoreError(
          "invalid_content",
          `item ${item.id} of the store namespace ${JSON.stringify(this.namespace)} is not a LangGraph record; give the adapter a namespace of its own`,
          ["items", position],
        );
      }
      this.remember(state, item.id, record, item.content, item.version, item.createdStep, item.step);
    });
    return state;
  }

  private remember(
    state: State,
    itemId: Id,
    record: LangGraphRecord,
    content: string,
    version: number,
    createdStep: number,
    step: number,
  ): void {
    const joined = record.namespace.join(":");
    let keys = state.namespaces.get(joined);
    if (keys === undefined) {
      keys = new Map();
      state.namespaces.set(joined, keys);
    }
    const previous = keys.get(record.key);
    if (previous?.document !== undefined) state.index.remove(previous.document);
    const text = record.index === false ? "" : indexedText(record.value, record.index ?? this.fields);
    let document: number | undefined;
    if (text.trim() !== "") {
      document = state.nextDocument++;
      state.index.add(document, text);
    }
    keys.set(record.key, { itemId, record, content, document, version, createdStep, step });
  }

  private forget(state: State, namespace: readonly string[], key: string): void {
    const joined = namespace.join(":");
    const keys = state.namespaces.get(joined);
    const entry = keys?.get(key);
    if (keys === undefined || entry === undefined) return;
    if (entry.document !== undefined) state.index.remove(entry.document);
    keys.delete(key);
    if (keys.size === 0) state.namespaces.delete(joined);
  }

  private checkPut(operation: PutOperation, position: number): void {
    if (typeof operation.key !== "string" || operation.key === "") {
      throw new LangGraphStoreError("invalid_value", "a put's key must be a non-empty string", [
        "operations",
        position,
        "key",
      ]);
    }
    if (operation.value !== null && !isPlainObject(operation.value)) {
      throw new LangGraphStoreError("invalid_value", "a put's value must be a JSON object, or null to delete", [
        "operations",
        position,
        "value",
      ]);
    }
  }

  private async write(state: State, puts: readonly { operation: PutOperation; position: number }[]): Promise<void> {
    const step = state.lastStep + 1;
    const at = this.now().toISOString();
    const typed = this.backend.layout === "typed";
    const planned: { operation: MemoryOperation; put: PutOperation; record?: LangGraphRecord; content?: string }[] = [];
    for (const { operation: put } of puts) {
      const existing = state.namespaces.get(put.namespace.join(":"))?.get(put.key);
      if (put.value === null) {
        if (existing !== undefined) planned.push({ operation: { type: "DELETE", id: existing.itemId }, put });
        continue;
      }
      const record: LangGraphRecord = {
        namespace: [...put.namespace],
        key: put.key,
        createdAt: existing?.record.createdAt ?? at,
        updatedAt: at,
        ...(put.index === undefined ? {} : { index: put.index === false ? false : [...put.index] }),
        value: JSON.parse(JSON.stringify(put.value)) as LangGraphValue,
      };
      const content = encodeRecord(record);
      const operation: MemoryOperation =
        existing === undefined
          ? { type: "INSERT", content, ...(typed ? { memoryType: "semantic" as const } : {}) }
          : { type: "UPDATE", id: existing.itemId, content };
      planned.push({ operation, put, record, content });
    }
    if (planned.length === 0) return;
    const operations: IdentifiedOperation[] = planned.map(({ operation }, position) => ({
      operationId: `s${step}.${position}`,
      operation,
    }));
    const results = await this.backend.apply(
      { namespace: this.namespace, step, sourceChunkId: `put-${step}`, operations },
      this.callOptions,
    );
    state.lastStep = step;
    const rejected: string[] = [];
    results.forEach((result, position) => {
      const plan = planned[position]!;
      if (result.status === "rejected") {
        rejected.push(`${JSON.stringify(plan.put.namespace)} / ${plan.put.key}: ${result.reason} (${result.message})`);
        return;
      }
      if (plan.record === undefined) {
        this.forget(state, plan.put.namespace, plan.put.key);
        return;
      }
      const existing = state.namespaces.get(plan.put.namespace.join(":"))?.get(plan.put.key);
      this.remember(
        state,
        result.itemId ?? plan.put.key,
        plan.record,
        plan.content!,
        result.version ?? 1,
        existing?.createdStep ?? step,
        step,
      );
    });
    if (rejected.length > 0) {
      throw new LangGraphStoreError(
        "operation_rejected",
        `the memory store rejected ${rejected.length} put(s) of step ${step}: ${rejected.join("; ")}`,
      );
    }
  }

  private get_(state: State, operation: GetOperation): Item | null {
    const entry = state.namespaces.get(operation.namespace.join(":"))?.get(operation.key);
    return entry === undefined ? null : toItem(entry.record);
  }

  private search_(state: State, operation: SearchOperation): SearchItem[] {
    const prefix = operation.namespacePrefix.join(":");
    const candidates: Entry[] = [];
    for (const [joined, keys] of state.namespaces) {
      if (prefix !== "" && joined !== prefix && !joined.startsWith(`${prefix}:`)) continue;
      for (const entry of keys.values()) {
        if (operation.filter === undefined || matchesFilter(entry.record.value, operation.filter))
          candidates.push(entry);
      }
    }
    const offset = operation.offset ?? 0;
    const limit = operation.limit ?? DEFAULT_SEARCH_LIMIT;
    if (operation.query === undefined || operation.query === "") {
      return candidates.slice(offset, offset + limit).map((entry) => toItem(entry.record));
    }
    const scores = new Map<number, number>();
    for (const hit of state.index.search(operation.query, { topK: state.index.size })) scores.set(hit.key, hit.score);
    const ranked = candidates
      .filter((entry) => entry.document !== undefined)
      .map((entry) => ({ entry, score: scores.get(entry.document!) ?? 0 }))
      .sort((a, b) => b.score - a.score);
    const unranked = candidates.filter((entry) => entry.document === undefined);
    return [
      ...ranked.map(({ entry, score }): SearchItem => ({ ...toItem(entry.record), score })),
      ...unranked.map((entry) => toItem(entry.record)),
    ].slice(offset, offset + limit);
  }
}

/** A LangGraph `BaseStore` over a Fine-Mem memory store; see {@link FineMemStore}. */
export function createFineMemStore(options: FineMemStoreOptions = {}): FineMemStore {
  return new FineMemStore(options);
}

function toItem(record: LangGraphRecord): Item {
  return {
    value: JSON.parse(JSON.stringify(record.value)) as LangGraphValue,
    key: record.key,
    namespace: [...record.namespace],
    createdAt: new Date(record.createdAt),
    updatedAt: new Date(record.updatedAt),
  };
}

function listNamespaces(state: State, operation: ListNamespacesOperation): string[][] {
  let namespaces = [...state.namespaces.values()].map((keys) => [...keys.values().next().value!.record.namespace]);
  const conditions = operation.matchConditions ?? [];
  namespaces = namespaces.filter((namespace) => conditions.every((condition) => matches(condition, namespace)));
  if (operation.maxDepth !== undefined) {
    const depth = operation.maxDepth;
    const unique = new Map<string, string[]>();
    for (const namespace of namespaces) {
      const cut = namespace.slice(0, depth);
      unique.set(cut.join(":"), cut);
    }
    namespaces = [...unique.values()];
  }
  namespaces.sort((a, b) => a.join(":").localeCompare(b.join(":")));
  const offset = operation.offset ?? 0;
  return namespaces.slice(offset, offset + (operation.limit ?? namespaces.length));
}

function matches(condition: MatchCondition, namespace: readonly string[]): boolean {
  const { path } = condition;
  if (path.length > namespace.length) return false;
  const start = condition.matchType === "prefix" ? 0 : namespace.length - path.length;
  return path.every((label, index) => label === "*" || namespace[start + index] === label);
}
