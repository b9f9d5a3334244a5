import {
  type ApplyRequest,
  type CallOptions,
  FineMemError,
  ID_PATTERN,
  type Id,
  isNamespaceId,
  type MemoryItemVersion,
  type MemoryLayout,
  type MemoryView,
  type Namespace,
  namespaceValidator,
  type OperationResult,
  type ProvenancePolicy,
  type RetrievedItem,
  SPECIFICATION_VERSION,
  type StepWeights,
  type TokenCounter,
  throwIfAborted,
} from "@finemem/spec";
import { createO200kTokenCounter, finiteAtLeast, integerAtLeast, positiveInteger } from "@finemem/utils";
import type { Bm25Parameters } from "../bm25/bm25-index.js";
import {
  type DecodedExport,
  decodeExport,
  type ExportRecord,
  type ExportSettings,
  encodeExport,
  firstDifferingLine,
  MEMORY_EXPORT_FORMAT,
  MEMORY_EXPORT_FORMAT_VERSION,
  retargetExport,
} from "../export/export-format.js";
import { searchByType } from "../retrieval/search-by-type.js";
import { createTokenLedger, type TokenLedger } from "../tokens/token-ledger.js";
import { applyStep, type StoreRules } from "./apply-step.js";
import { ApplyRequestError, MemoryImportError, StoreClosedError } from "./errors.js";
import type { DeleteBySourceOptions, ImportOptions, MemoryBackend, SearchOptions } from "./memory-backend.js";
import { canonicalNamespace, namespaceKey } from "./namespace-key.js";
import { NamespaceState } from "./namespace-state.js";
import { stepWeightsOf } from "./provenance.js";

/** Options of {@link createInMemoryStore}. */
export interface InMemoryStoreOptions {
  /** `flat` (Fine-Mem, the default) or `typed` (Mem-α: core, semantic, episodic). */
  readonly layout?: MemoryLayout;
  /** Token cap of the core paragraph (typed layout). Default 512, as Mem-α. */
  readonly coreTokenCap?: number;
  /** What an over-long core UPDATE does: `truncate` (default, the cut is marked) or `reject` (`over_cap`). */
  readonly coreOverflow?: "truncate" | "reject";
  /** Reject (`over_cap`) any other item longer than this many tokens. Default: no cap. */
  readonly maxItemTokens?: number;
  /** Reject (`over_cap`) an INSERT when a namespace already holds this many items (core not counted). */
  readonly maxItems?: number;
  /**
   * Accept an INSERT whose content equals a current item's (default false: rejected with
   * `duplicate_insert`, as Mem-α counts it unsuccessful). Allow it to store every chunk verbatim.
   */
  readonly allowDuplicateInserts?: boolean;
  /** Counts tokens for the caps and the token ledger. Default: o200k_base through js-tiktoken. */
  readonly tokenCounter?: TokenCounter;
  /** BM25 parameters; default rank_bm25's BM25Okapi (k1 1.5, b 0.75, epsilon 0.25). */
  readonly bm25?: Partial<Bm25Parameters>;
}

/** A store option that is out of range or of the wrong kind. */
export class StoreOptionsError extends FineMemError {
  constructor(key: string, message: string) {
    super("invalid_option", `${key}: ${message}`, { path: [key] });
  }
}

/** The error factory the store passes to `@finemem/utils`' option checks: `<key>: expected <expected>, got <value>`. */
const storeOptionError = (key: string, expected: string, value: unknown): StoreOptionsError =>
  new StoreOptionsError(key, `expected ${expected}, got ${String(value)}`);

/**
 * The store each view came from, so a BM25 retriever that was not given a store can still answer a
 * store's current view from the store's own index (the same results as indexing the view) instead of
 * building a second index of the same memory: in an evaluation, the reader asks about each episode's
 * final view, a memory of up to hundreds of thousands of items.
 */
const viewSources = new WeakMap<MemoryView, InMemoryStore>();

/** @internal The store that handed out `view`, when one in this process did. */
export function storeOfView(view: MemoryView): InMemoryStore | undefined {
  return viewSources.get(view);
}

/**
 * The in-memory {@link MemoryBackend}: the reference implementation every other backend is checked
 * against, and the fastest store for training rollouts (forks are copy-on-write).
 */
export class InMemoryStore implements MemoryBackend {
  readonly specificationVersion = SPECIFICATION_VERSION;
  readonly layout: MemoryLayout;
  /** Token counts of items, cached per item version (o200k_base unless another counter was given). */
  readonly tokens: TokenLedger;
  private closed = false;

  /** @internal use {@link createInMemoryStore}. */
  constructor(
    private readonly rules: StoreRules,
    private readonly bm25: Partial<Bm25Parameters>,
    private readonly settings: ExportSettings,
    tokens: TokenLedger,
    private states: Map<string, NamespaceState>,
  ) {
    this.layout = rules.layout;
    this.tokens = tokens;
  }

  async apply(request: ApplyRequest, options?: CallOptions): Promise<readonly OperationResult[]> {
    this.ensureOpen("apply", options);
    checkApplyRequest(request);
    const state = this.writableState(request.namespace);
    if (request.step < state.step) {
      throw new ApplyRequestError(
        "step_order",
        `step ${request.step} comes before step ${state.step}, which this namespace has already applied`,
        { path: ["step"] },
      );
    }
    return applyStep(state, request, this.rules);
  }

  async view(namespace: Namespace, options?: CallOptions): Promise<MemoryView> {
    this.ensureOpen("view", options);
    const state = this.stateOf(namespace);
    if (state === undefined) return emptyView(namespace, this.layout);
    const view = state.view();
    viewSources.set(view, this);
    return view;
  }

  async history(namespace: Namespace, itemId: Id, options?: CallOptions): Promise<readonly MemoryItemVersion[]> {
    this.ensureOpen("history", options);
    return [...(this.stateOf(namespace)?.items.get(itemId)?.versions ?? [])];
  }

  async provenance(
    namespace: Namespace,
    itemId: Id,
    policy: ProvenancePolicy,
    options?: CallOptions,
  ): Promise<StepWeights> {
    this.ensureOpen("provenance", options);
    const record = this.stateOf(namespace)?.items.get(itemId);
    return record === undefined ? {} : stepWeightsOf(record.versions, record.createdStep, policy);
  }

  async search(
    namespace: Namespace,
    query: string,
    options: SearchOptions = {},
    callOptions?: CallOptions,
  ): Promise<readonly RetrievedItem[]> {
    this.ensureOpen("search", callOptions);
    const state = this.stateOf(namespace);
    return state === undefined ? [] : this.searchState(state, query, options);
  }

  /** @internal the synchronous search the BM25 retriever uses on a view this store produced. */
  searchView(view: MemoryView, query: string, options: SearchOptions): readonly RetrievedItem[] | undefined {
    if (this.closed) return undefined;
    const state = this.states.get(namespaceKey(view.namespace));
    if (state === undefined || !state.isCurrentView(view)) return undefined;
    return this.searchState(state, query, options);
  }

  async deleteBySource(
    namespace: Namespace,
    sourceChunkId: Id,
    options: DeleteBySourceOptions,
    callOptions?: CallOptions,
  ): Promise<readonly OperationResult[]> {
    this.ensureOpen("deleteBySource", callOptions);
    if (!ID_PATTERN.test(sourceChunkId))
      throw new ApplyRequestError("invalid_request", `sourceChunkId "${sourceChunkId}" is not a valid id`, {
        path: ["sourceChunkId"],
      });
    const state = this.stateOf(namespace);
    if (state === undefined) return [];
    const scope = options.scope ?? "any-version";
    const targets = [...state.bySeq].filter((record) => {
      if (record.current === undefined) return false;
      if (scope === "current-version") return record.current.sourceChunkId === sourceChunkId;
      return record.versions.some((version) => version.sourceChunkId === sourceChunkId);
    });
    let counter = state.log.length;
    const operations = targets.map((record) => {
      let operationId: string;
      do operationId = `forget.${++counter}`;
      while (state.operationIds.has(operationId));
      return { operationId, operation: { type: "DELETE" as const, id: record.id } };
    });
    if (operations.length === 0) return [];
    return this.apply({ namespace, step: options.step, operations }, callOptions);
  }

  async fork(options?: CallOptions): Promise<InMemoryStore> {
    this.ensureOpen("fork", options);
    for (const state of this.states.values()) state.frozen = true;
    return new InMemoryStore(this.rules, this.bm25, this.settings, this.tokens, new Map(this.states));
  }

  async namespaces(options?: CallOptions): Promise<readonly Namespace[]> {
    this.ensureOpen("namespaces", options);
    return this.orderedStates().map((state) => state.namespace);
  }

  async exportJsonl(options?: CallOptions): Promise<string> {
    this.ensureOpen("exportJsonl", options);
    const records: ExportRecord[] = [];
    for (const state of this.orderedStates()) {
      const namespace = state.namespace;
      records.push({ record: "namespace", namespace, step: state.step, nextItemNumber: state.nextItemNumber });
      for (const entry of state.log) {
        records.push({
          record: "operation",
          namespace,
          step: entry.step,
          ...(entry.sourceChunkId === undefined ? {} : { sourceChunkId: entry.sourceChunkId }),
          operationId: entry.operationId,
          operation: entry.operation,
          result: entry.result,
        });
      }
      for (const record of state.bySeq)
        for (const version of record.versions) records.push({ record: "version", namespace, version });
      for (const record of state.bySeq)
        if (record.current !== undefined) records.push({ record: "item", namespace, item: record.current });
    }
    return encodeExport(
      { format: MEMORY_EXPORT_FORMAT, formatVersion: MEMORY_EXPORT_FORMAT_VERSION, settings: this.settings },
      records,
    );
  }

  /**
   * Loads an export by replaying its operation log into a fresh copy, then checks that the copy's own
   * export equals the input byte for byte (so a hand-edited item, version or result is caught). The
   * store is changed only when everything matched. With `options.namespace` the (one-namespace) export
   * is checked as is, then replayed again under that namespace, which must be empty; other namespaces
   * are kept.
   */
  async importJsonl(text: string, options?: ImportOptions): Promise<void> {
    this.ensureOpen("importJsonl", options);
    const target = options?.namespace;
    if (target === undefined) {
      if (this.orderedStates().length > 0)
        throw new MemoryImportError(
          "not_empty",
          "import needs an empty store; this one already holds memory (pass the namespace option to import under a new namespace)",
        );
      this.states = (await this.replayExport(text, decodeExport(text), options)).states;
      return;
    }
    checkNamespace(target);
    const key = namespaceKey(target);
    if ((this.states.get(key)?.log.length ?? 0) > 0)
      throw new MemoryImportError(
        "not_empty",
        `namespace ${JSON.stringify(canonicalNamespace(target))} already holds memory; import under a namespace that holds none`,
      );
    const decoded = decodeExport(text);
    await this.replayExport(text, decoded, options);
    const retargeted = retargetExport(decoded, target);
    const state = (await this.replayExport(retargeted, decodeExport(retargeted), options)).states.get(key);
    if (state !== undefined) this.states.set(key, state);
  }

  /** Checks an export against this store's settings and replays it into a fresh store, which it returns. */
  private async replayExport(text: string, decoded: DecodedExport, options: CallOptions | undefined) {
    for (const key of Object.keys(this.settings) as (keyof ExportSettings)[]) {
      if (decoded.header.settings[key] !== this.settings[key]) {
        throw new MemoryImportError(
          key === "layout" ? "layout_mismatch" : "settings_mismatch",
          `the export was written by a store with ${key} ${JSON.stringify(decoded.header.settings[key])}, this store has ${JSON.stringify(this.settings[key])}`,
          { line: 1 },
        );
      }
    }
    const scratch = new InMemoryStore(this.rules, this.bm25, this.settings, this.tokens, new Map());
    for (const { line, record } of decoded.records) {
      throwIfAborted(options?.signal);
      if (record.record !== "operation") continue;
      const request: ApplyRequest = {
        namespace: record.namespace,
        step: record.step,
        ...(record.sourceChunkId === undefined ? {} : { sourceChunkId: record.sourceChunkId }),
        operations: [{ operationId: record.operationId, operation: record.operation }],
      };
      let results: readonly OperationResult[];
      try {
        results = await scratch.apply(request);
      } catch (error) {
        throw new MemoryImportError(
          "inconsistent",
          `replaying operation ${record.operationId} failed: ${(error as Error).message}`,
          { line, cause: error },
        );
      }
      if (JSON.stringify(results[0]) !== JSON.stringify(record.result)) {
        throw new MemoryImportError(
          "inconsistent",
          `operation ${record.operationId} replays as ${JSON.stringify(results[0])}, the export says ${JSON.stringify(record.result)}`,
          { line },
        );
      }
    }
    for (const { line, record } of decoded.records) {
      if (record.record !== "namespace") continue;
      const state = scratch.states.get(namespaceKey(record.namespace));
      if (state === undefined)
        throw new MemoryImportError("inconsistent", "a namespace record with no operations", { line });
      // The step counter and item numbering are part of the state, not derivable from the log alone.
      state.step = record.step;
      state.nextItemNumber = record.nextItemNumber;
      state.invalidateView();
    }
    const rebuilt = await scratch.exportJsonl();
    const differing = firstDifferingLine(text.endsWith("\n") ? text : `${text}\n`, rebuilt);
    if (differing !== null) {
      throw new MemoryImportError(
        "inconsistent",
        "this line differs from what replaying the operation log gives (edited or out of order)",
        { line: differing },
      );
    }
    return scratch;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private searchState(state: NamespaceState, query: string, options: SearchOptions): RetrievedItem[] {
    return searchByType(
      state.index,
      this.layout,
      query,
      { ...options, topK: options.topK ?? 20 },
      (key) => state.recordAt(key).current!,
    );
  }

  private ensureOpen(what: string, options: CallOptions | undefined): void {
    if (this.closed) throw new StoreClosedError(what);
    throwIfAborted(options?.signal);
  }

  /** @internal The namespace states, for a persistent store's snapshot of its replica. */
  namespaceStates(): readonly NamespaceState[] {
    return this.orderedStates();
  }

  /** @internal Makes this empty store hold `states` (restored from a snapshot). */
  adoptStates(states: readonly NamespaceState[]): void {
    if (this.states.size > 0) throw new Error("adoptStates needs an empty store");
    for (const state of states) this.states.set(namespaceKey(state.namespace), state);
  }

  /** @internal The BM25 parameters a namespace's index is built with. */
  bm25Parameters(): Partial<Bm25Parameters> {
    return this.bm25;
  }

  private stateOf(namespace: Namespace): NamespaceState | undefined {
    return this.states.get(namespaceKey(namespace));
  }

  private writableState(namespace: Namespace): NamespaceState {
    const key = namespaceKey(namespace);
    let state = this.states.get(key);
    if (state === undefined) {
      state = new NamespaceState(canonicalNamespace(namespace), this.layout, this.bm25);
      this.states.set(key, state);
    } else if (state.frozen) {
      state = state.clone();
      this.states.set(key, state);
    }
    return state;
  }

  private orderedStates(): NamespaceState[] {
    return [...this.states.entries()]
      .filter(([, state]) => state.log.length > 0)
      .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0))
      .map(([, state]) => state);
  }
}

/** Creates an empty in-memory store. */
export function createInMemoryStore(options: InMemoryStoreOptions = {}): InMemoryStore {
  const layout = options.layout ?? "flat";
  if (layout !== "flat" && layout !== "typed")
    throw new StoreOptionsError("layout", `expected "flat" or "typed", got ${JSON.stringify(layout)}`);
  const coreTokenCap = options.coreTokenCap ?? 512;
  integerAtLeast("coreTokenCap", coreTokenCap, 16, storeOptionError);
  const coreOverflow = options.coreOverflow ?? "truncate";
  if (coreOverflow !== "truncate" && coreOverflow !== "reject")
    throw new StoreOptionsError("coreOverflow", `expected "truncate" or "reject", got ${JSON.stringify(coreOverflow)}`);
  for (const key of ["maxItemTokens", "maxItems"] as const) {
    const value = options[key];
    if (value !== undefined) positiveInteger(key, value, storeOptionError);
  }
  if (options.allowDuplicateInserts !== undefined && typeof options.allowDuplicateInserts !== "boolean") {
    throw new StoreOptionsError(
      "allowDuplicateInserts",
      `expected a boolean, got ${JSON.stringify(options.allowDuplicateInserts)}`,
    );
  }
  for (const [key, value] of Object.entries(options.bm25 ?? {})) {
    finiteAtLeast(`bm25.${key}`, value, 0, storeOptionError);
  }
  const counter = options.tokenCounter ?? createO200kTokenCounter();
  const rules: StoreRules = {
    layout,
    coreTokenCap,
    coreOverflow,
    maxItemTokens: options.maxItemTokens,
    maxItems: options.maxItems,
    allowDuplicateInserts: options.allowDuplicateInserts ?? false,
    tokenCounter: () => counter,
  };
  const settings: ExportSettings = {
    layout,
    coreTokenCap,
    coreOverflow,
    maxItemTokens: options.maxItemTokens ?? null,
    maxItems: options.maxItems ?? null,
    allowDuplicateInserts: options.allowDuplicateInserts ?? false,
    tokenEncoding: counter.encoding,
  };
  return new InMemoryStore(rules, { ...options.bm25 }, settings, createTokenLedger(counter), new Map());
}

/**
 * A fast check that accepts only namespaces the spec's validator also accepts: a plain object whose
 * own keys are among user, agent and run, each a namespace id. Anything else goes to the validator,
 * which names the defect. It runs once per apply request, where the validator cost as much as an INSERT.
 */
function isPlainValidNamespace(namespace: unknown): boolean {
  if (typeof namespace !== "object" || namespace === null || Object.getPrototypeOf(namespace) !== Object.prototype)
    return false;
  for (const key in namespace) {
    if (key !== "user" && key !== "agent" && key !== "run") return false;
    if (!Object.hasOwn(namespace, key) || !isNamespaceId((namespace as Record<string, unknown>)[key])) return false;
  }
  return true;
}

/** Refuses a malformed namespace (of an apply request or an import target), saying once where and what. */
function checkNamespace(namespace: unknown): void {
  if (isPlainValidNamespace(namespace)) return;
  const checked = namespaceValidator.validate(namespace);
  if (!checked.ok)
    throw new ApplyRequestError("invalid_request", checked.error.messageAt(["namespace"]), {
      path: ["namespace", ...checked.error.path],
      cause: checked.error,
    });
}

function checkApplyRequest(request: ApplyRequest): void {
  if (typeof request !== "object" || request === null)
    throw new ApplyRequestError("invalid_request", "an apply request must be an object");
  checkNamespace(request.namespace);
  if (!Number.isInteger(request.step) || request.step < 0)
    throw new ApplyRequestError("invalid_request", `step must be an integer ≥ 0, got ${String(request.step)}`, {
      path: ["step"],
    });
  if (
    request.sourceChunkId !== undefined &&
    !(typeof request.sourceChunkId === "string" && ID_PATTERN.test(request.sourceChunkId))
  ) {
    throw new ApplyRequestError(
      "invalid_request",
      `sourceChunkId "${String(request.sourceChunkId)}" is not a valid id`,
      { path: ["sourceChunkId"] },
    );
  }
  if (!Array.isArray(request.operations))
    throw new ApplyRequestError("invalid_request", "operations must be an array", { path: ["operations"] });
}

function emptyView(namespace: Namespace, layout: MemoryLayout): MemoryView {
  return { namespace: canonicalNamespace(namespace), layout, step: 0, items: [] };
}
