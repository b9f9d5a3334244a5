import {
  type ApplyRequest,
  type CallOptions,
  type Id,
  type MemoryItemVersion,
  type MemoryLayout,
  type MemoryView,
  type Namespace,
  type OperationResult,
  type ProvenancePolicy,
  type RetrievedItem,
  SPECIFICATION_VERSION,
  type StepWeights,
  throwIfAborted,
} from "@finemem/spec";
import { decodeExport, retargetExport } from "../export/export-format.js";
import type { EmbeddingCache } from "../hybrid/embedding-cache.js";
import { StoreClosedError } from "../store/errors.js";
import {
  createInMemoryStore,
  type InMemoryStore,
  type InMemoryStoreOptions,
  StoreOptionsError,
} from "../store/in-memory-store.js";
import type { DeleteBySourceOptions, ImportOptions, MemoryBackend, SearchOptions } from "../store/memory-backend.js";
import { namespaceFromKey, namespaceKey } from "../store/namespace-key.js";
import type { TokenLedger } from "../tokens/token-ledger.js";
import {
  checkSnapshotOption,
  restoreFromSnapshot,
  type SnapshotFileRead,
  type SnapshotOption,
  writeSnapshot,
} from "./replica-snapshots.js";
import type { SqlClient } from "./sql-client.js";
import { checkSchemaName, ensureSchema, PERSISTENT_SCHEMA_VERSION } from "./store-schema.js";
import { versionEmbeddingCache } from "./version-embedding-cache.js";

export interface PersistentStoreOptions extends InMemoryStoreOptions {
  /** The PostgreSQL schema holding this store's tables (default `finemem`). One store per schema. */
  readonly schema?: string;
  /**
   * Whether other processes may write the same schema (a shared PostgreSQL server). Then every call
   * first reads the log rows others committed, and writers serialise on an advisory lock. PGlite
   * stores are single-writer (a directory lock), so they skip both.
   */
  readonly shared?: boolean;
  /**
   * Group commit: writes that arrive within `windowMs` of the first waiting one are committed together,
   * in call order, in one transaction (each keeps its own log row). Each write's promise settles only
   * after that transaction commits, so an acknowledged write is never lost; a crash loses only writes
   * not yet acknowledged. It pays off when several writers (namespaces, agents, episodes) share one
   * store: a single caller that awaits each step before the next gains nothing and waits the window.
   * A write rejected by the store (a bad request) is rejected alone; a failed commit rejects the whole
   * group. Default: off (one transaction per write).
   */
  readonly groupCommit?: { readonly windowMs: number };
  /**
   * Snapshots of the replica, so a reopen restores the state as of the snapshot and replays only the
   * log rows after it: one is written (in its own transaction, after the write that crossed the
   * interval has been acknowledged) every `everyRows` log rows, and on close; only the newest is
   * kept. A snapshot is a cache of the log: one whose checksum, format, settings or log fingerprint
   * does not match is ignored with a warning and the whole log is replayed; a failed snapshot write
   * warns and never fails a write. Default off (`false`: neither write nor read snapshots): at 100k items a
   * snapshot takes about as long to write as it saves on a reopen, so it pays when a store reopens often.
   */
  readonly snapshot?: SnapshotOption;
  /** Called with a warning (an ignored snapshot, a failed snapshot write). Default `process.emitWarning`. */
  readonly onWarning?: (message: string) => void;
  /** @internal A test hook run inside a write's transaction after part of its rows are written. */
  readonly beforeCommit?: (seq: number) => Promise<void>;
  /**
   * @internal A test hook run mid-snapshot: inside its transaction after its row is written, or for
   * a snapshot file after the file is written and before it replaces the old one.
   */
  readonly beforeSnapshotCommit?: (seq: number) => Promise<void>;
}

/** A write waiting for its group's transaction. */
interface PendingWrite {
  readonly kind: LogRow["kind"];
  readonly payload: unknown | (() => NamespacedImport);
  readonly run: (replica: InMemoryStore) => Promise<readonly OperationResult[]>;
  readonly options: CallOptions | undefined;
  readonly resolve: (results: readonly OperationResult[]) => void;
  readonly reject: (error: unknown) => void;
}

interface LogRow extends Record<string, unknown> {
  seq: string | number;
  kind: "apply" | "forget" | "import";
  /** Set on an import row when the import was under a namespace (its payload is already rewritten). */
  namespace_key: string | null;
  payload: string;
}

/** What an import under a namespace logs: the target and the export rewritten under it. */
interface NamespacedImport {
  readonly namespace: Namespace;
  readonly text: string;
}

/** How a store opened (see {@link PersistentStore.openStats}). */
export interface OpenStats {
  /** Where the replica came from: a snapshot and the log rows after it, or the whole log. */
  readonly restoredFrom: "snapshot" | "log";
  /** The log row the restored snapshot holds the state of (0 when there was none, or it was ignored). */
  readonly snapshotRow: number;
  /** Log rows replayed on open (the rows after the snapshot, or every row). */
  readonly replayedRows: number;
  /**
   * Milliseconds from the database being ready to the store being ready: the schema and settings
   * checks, reading and checking the snapshot, restoring it, and replaying the log.
   */
  readonly storeMs: number;
  /** Milliseconds the database took to start, where the store started it (PGlite); else undefined. */
  readonly databaseMs: number | undefined;
}

/** @internal What a store's opener knows beyond its options. */
export interface OpenContext {
  /** For a store that owns a folder: keep snapshots in this file rather than the schema's table. */
  readonly snapshotFile?: string | undefined;
  /** The snapshot file, read while the database started (see `readSnapshotFile`). */
  readonly snapshotFileRead?: Promise<SnapshotFileRead> | undefined;
  /** How long the opener took to start the database. */
  readonly databaseMs?: number;
}

interface ForgetPayload {
  readonly namespace: Namespace;
  readonly sourceChunkId: Id;
  readonly options: DeleteBySourceOptions;
}

/**
 * A {@link MemoryBackend} on PostgreSQL (a server through `pg`, or PGlite embedded). The operation
 * log is the source of truth: each write (one step's apply, a forget by source chunk, an import) is
 * one transaction that appends a log row and the item versions it created, so a step's operations
 * are all durable or none is. On open the log is replayed into an in-memory replica, which answers
 * reads and BM25 search at in-memory speed and computes each write's results before it commits.
 * Forks are in-memory (rollouts never write the database).
 */
export class PersistentStore implements MemoryBackend {
  readonly specificationVersion = SPECIFICATION_VERSION;
  readonly layout: MemoryLayout;
  private closed = false;
  private queue: Promise<unknown> = Promise.resolve();
  private pending: PendingWrite[] = [];
  private windowTimer: ReturnType<typeof setTimeout> | undefined;
  private opened: OpenStats = {
    restoredFrom: "log",
    snapshotRow: 0,
    replayedRows: 0,
    storeMs: 0,
    databaseMs: undefined,
  };
  /** The log seq of the newest snapshot this store restored or wrote (0: none). */
  private snapshotSeq = 0;

  private constructor(
    private readonly client: SqlClient,
    private readonly schema: string,
    private replica: InMemoryStore,
    private lastSeq: number,
    private readonly options: PersistentStoreOptions,
    private readonly onClose: () => Promise<void>,
    private readonly settings: string,
    private readonly snapshotEveryRows: number | undefined,
    private readonly snapshotFile: string | undefined,
  ) {
    this.layout = replica.layout;
  }

  /**
   * Opens the store in `schema`, creating its tables when missing and replaying its log. A schema
   * written under other settings (layout, caps, token encoding) is refused with a
   * {@link StoreOptionsError} rather than reinterpreted.
   */
  static async open(
    client: SqlClient,
    options: PersistentStoreOptions = {},
    onClose: () => Promise<void> = async () => {},
    context: OpenContext = {},
  ): Promise<PersistentStore> {
    const openStart = performance.now();
    const { snapshotFile } = context;
    const schema = checkSchemaName(options.schema ?? "finemem");
    checkGroupCommit(options.groupCommit);
    const snapshotEveryRows = checkSnapshotOption(options.snapshot);
    await ensureSchema(client, schema);
    const replica = createInMemoryStore(options);
    const settings = settingsOf(await replica.exportJsonl());
    await client.transaction(async (tx) => {
      // Two first opens at once must not both record their settings: the second waits and compares.
      await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`finemem-meta:${schema}`]);
      const rows = (await tx.query<{ key: string; value: string }>(`SELECT key, value FROM "${schema}".finemem_meta`))
        .rows;
      const meta = new Map(rows.map((row) => [row.key, row.value]));
      const version = meta.get("schema_version");
      if (version !== undefined && Number(version) > PERSISTENT_SCHEMA_VERSION) {
        throw new StoreOptionsError(
          "schema",
          `schema ${schema} was written by a newer store (schema version ${version}, this one reads ${PERSISTENT_SCHEMA_VERSION})`,
        );
      }
      const stored = meta.get("settings");
      if (stored !== undefined && stored !== settings) {
        throw new StoreOptionsError(
          "settings",
          `schema ${schema} holds a store with settings ${stored}; this one was opened with ${settings}`,
        );
      }
      if (version !== undefined && Number(version) < PERSISTENT_SCHEMA_VERSION) {
        // An older schema: ensureSchema has added the tables it lacked.
        await tx.query(`UPDATE "${schema}".finemem_meta SET value = $1 WHERE key = 'schema_version'`, [
          String(PERSISTENT_SCHEMA_VERSION),
        ]);
      }
      if (stored === undefined) {
        await tx.query(
          `INSERT INTO "${schema}".finemem_meta (key, value) VALUES ('schema_version', $1), ('settings', $2) ON CONFLICT (key) DO NOTHING`,
          [String(PERSISTENT_SCHEMA_VERSION), settings],
        );
      }
    });
    const warn = options.onWarning ?? ((message: string) => process.emitWarning(message, { code: "FINEMEM_SNAPSHOT" }));
    const restoredSeq =
      snapshotEveryRows === undefined
        ? 0
        : await restoreFromSnapshot(client, schema, settings, replica, warn, snapshotFile, context.snapshotFileRead);
    const store = new PersistentStore(
      client,
      schema,
      replica,
      restoredSeq,
      { ...options, onWarning: warn },
      onClose,
      settings,
      snapshotEveryRows,
      snapshotFile,
    );
    store.snapshotSeq = restoredSeq;
    const replayedRows = await store.catchUp(client);
    store.opened = {
      restoredFrom: restoredSeq > 0 ? "snapshot" : "log",
      snapshotRow: restoredSeq,
      replayedRows,
      storeMs: performance.now() - openStart,
      databaseMs: context.databaseMs,
    };
    return store;
  }

  /** How this store opened: from a snapshot or the whole log, how many log rows it replayed, how long it took. */
  get openStats(): OpenStats {
    return this.opened;
  }

  /** Token counts of the current items, cached per version. */
  get tokens(): TokenLedger {
    return this.replica.tokens;
  }

  apply(request: ApplyRequest, options?: CallOptions): Promise<readonly OperationResult[]> {
    return this.write("apply", request, (working) => working.apply(request, options), options);
  }

  deleteBySource(
    namespace: Namespace,
    sourceChunkId: Id,
    options: DeleteBySourceOptions,
    callOptions?: CallOptions,
  ): Promise<readonly OperationResult[]> {
    const payload: ForgetPayload = { namespace, sourceChunkId, options };
    return this.write(
      "forget",
      payload,
      (working) => working.deleteBySource(namespace, sourceChunkId, options, callOptions),
      callOptions,
    );
  }

  /**
   * Imports an export (see {@link MemoryBackend.importJsonl}). An import under `options.namespace` is
   * logged as the export rewritten under that namespace, with the namespace's key on its log row, so
   * replaying it merges into whatever the earlier rows wrote.
   */
  async importJsonl(text: string, options?: ImportOptions): Promise<void> {
    const target = options?.namespace;
    await this.write(
      "import",
      target === undefined ? text : () => ({ namespace: target, text: retargetExport(decodeExport(text), target) }),
      async (working) => {
        await working.importJsonl(text, options);
        return [];
      },
      options,
    );
  }

  async view(namespace: Namespace, options?: CallOptions): Promise<MemoryView> {
    return (await this.reader(options)).view(namespace, options);
  }

  async history(namespace: Namespace, itemId: Id, options?: CallOptions): Promise<readonly MemoryItemVersion[]> {
    return (await this.reader(options)).history(namespace, itemId, options);
  }

  async provenance(
    namespace: Namespace,
    itemId: Id,
    policy: ProvenancePolicy,
    options?: CallOptions,
  ): Promise<StepWeights> {
    return (await this.reader(options)).provenance(namespace, itemId, policy, options);
  }

  async search(
    namespace: Namespace,
    query: string,
    options?: SearchOptions,
    callOptions?: CallOptions,
  ): Promise<readonly RetrievedItem[]> {
    return (await this.reader(callOptions)).search(namespace, query, options, callOptions);
  }

  /** Answers from this store's BM25 index when `view` is its current view (see `createBm25Retriever`). */
  searchView(view: MemoryView, query: string, options: SearchOptions): readonly RetrievedItem[] | undefined {
    return this.closed ? undefined : this.replica.searchView(view, query, options);
  }

  /**
   * An embedding cache (for `createHybridRetriever({ cache })`) that stores each vector on its item
   * version's row, so embeddings survive restarts and are computed once per version.
   */
  embeddingCache(): EmbeddingCache {
    return versionEmbeddingCache(this.client, this.schema);
  }

  /** An in-memory fork of the current state: its writes stay in memory and never reach the database. */
  async fork(options?: CallOptions): Promise<MemoryBackend> {
    return (await this.reader(options)).fork(options);
  }

  async namespaces(options?: CallOptions): Promise<readonly Namespace[]> {
    return (await this.reader(options)).namespaces(options);
  }

  async exportJsonl(options?: CallOptions): Promise<string> {
    return (await this.reader(options)).exportJsonl(options);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Writes still in the window go to the queue now; as writes queued before close, they are rejected
    // with StoreClosedError, never dropped without an answer.
    this.flushWindow();
    this.closed = true;
    await this.queue.catch(() => undefined);
    if (this.snapshotEveryRows !== undefined && this.lastSeq > this.snapshotSeq) await this.snapshot();
    await this.onClose();
  }

  private ensureOpen(what: string, options: CallOptions | undefined): void {
    if (this.closed) throw new StoreClosedError(what);
    throwIfAborted(options?.signal);
  }

  /** The replica, brought up to date with what other processes committed (shared schemas only). */
  private async reader(options: CallOptions | undefined): Promise<InMemoryStore> {
    this.ensureOpen("read", options);
    if (this.options.shared === true) await this.serialised(() => this.catchUp(this.client));
    return this.replica;
  }

  /** Replays the log rows committed after the last one this replica has seen; returns how many. */
  private async catchUp(client: SqlClient): Promise<number> {
    const { rows } = await client.query<LogRow>(
      `SELECT seq, kind, namespace_key, payload FROM "${this.schema}".finemem_log WHERE seq > $1 ORDER BY seq`,
      [this.lastSeq],
    );
    for (const row of rows) {
      await replay(this.replica, row);
      this.lastSeq = Number(row.seq);
    }
    return rows.length;
  }

  /** Rebuilds the replica from the whole log: after a write whose commit failed had already changed it. */
  private async rebuild(): Promise<void> {
    this.replica = createInMemoryStore(this.options);
    this.lastSeq = 0;
    await this.catchUp(this.client);
  }

  /** In-process writes and catch-ups run one at a time, in call order. */
  private serialised<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /**
   * One write: applied to the replica, then recorded in one transaction (the log row and the versions
   * it created). Applying to the replica in place keeps a step O(its operations); if the commit fails
   * after that, the replica is rebuilt from the log, so the database and the replica never disagree.
   * With `groupCommit`, the write waits for the window and shares its group's transaction.
   */
  private write(
    kind: LogRow["kind"],
    payload: unknown | (() => NamespacedImport),
    run: (replica: InMemoryStore) => Promise<readonly OperationResult[]>,
    options: CallOptions | undefined,
  ): Promise<readonly OperationResult[]> {
    this.ensureOpen(kind === "apply" ? "apply" : kind === "forget" ? "deleteBySource" : "importJsonl", options);
    const windowMs = this.options.groupCommit?.windowMs;
    return new Promise((resolve, reject) => {
      const entry: PendingWrite = { kind, payload, run, options, resolve, reject };
      if (windowMs === undefined) {
        void this.serialised(() => this.commit([entry]));
        return;
      }
      this.pending.push(entry);
      this.windowTimer ??= setTimeout(() => this.flushWindow(), windowMs);
    });
  }

  /** Sends the writes waiting in the group-commit window to the queue as one group. */
  private flushWindow(): void {
    if (this.windowTimer !== undefined) clearTimeout(this.windowTimer);
    this.windowTimer = undefined;
    if (this.pending.length === 0) return;
    const group = this.pending;
    this.pending = [];
    void this.serialised(() => this.commit(group));
  }

  /** Commits a group of writes in one transaction and settles each write's promise after it. */
  private async commit(group: readonly PendingWrite[]): Promise<void> {
    const outcomes: ({ results: readonly OperationResult[] } | { error: unknown })[] = [];
    const rows: LogRowToWrite[] = [];
    let touched = false;
    try {
      await this.client.transaction(async (tx) => {
        if (this.options.shared === true) {
          await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`finemem-writer:${this.schema}`]);
          await this.catchUp(tx);
        }
        for (const entry of group) {
          let results: readonly OperationResult[];
          try {
            this.ensureOpen(entry.kind, entry.options);
            // A rejected request (ApplyRequestError, a bad import) throws before it changes anything,
            // so it fails alone and the rest of its group still commits.
            results = await entry.run(this.replica);
          } catch (error) {
            outcomes.push({ error });
            continue;
          }
          touched = true;
          const row = await this.logRowOf(entry, results);
          if (row !== undefined) rows.push(row);
          outcomes.push({ results });
        }
        await this.insertRows(tx, rows);
      });
    } catch (error) {
      // A failed commit leaves the replica ahead of the database: rebuild it from what was committed.
      if (touched) {
        try {
          await this.rebuild();
        } catch {
          // The commit's own error is the one to report; the next write rebuilds again if it must.
        }
      }
      for (const entry of group) entry.reject(error);
      return;
    }
    group.forEach((entry, index) => {
      const outcome = outcomes[index]!;
      if ("error" in outcome) entry.reject(outcome.error);
      else entry.resolve(outcome.results);
    });
    // Acknowledged first; the snapshot runs after, before the next queued write.
    const every = this.snapshotEveryRows;
    if (every !== undefined && this.lastSeq - this.snapshotSeq >= every) await this.snapshot();
  }

  /** Writes a snapshot of the replica as of `lastSeq`; a failure only warns (the log is the truth). */
  private async snapshot(): Promise<void> {
    const seq = this.lastSeq;
    try {
      await writeSnapshot(
        this.client,
        this.schema,
        this.settings,
        this.replica,
        seq,
        this.options.beforeSnapshotCommit,
        this.snapshotFile,
      );
    } catch (error) {
      this.options.onWarning?.(
        `finemem: could not write a snapshot of schema ${this.schema} at log row ${seq}: ${(error as Error).message}`,
      );
    }
    // Tried at this row: the next try waits for another interval.
    this.snapshotSeq = seq;
  }

  /** The log row of one applied write and the versions it created; none for a forget that deleted nothing. */
  private async logRowOf(entry: PendingWrite, results: readonly OperationResult[]): Promise<LogRowToWrite | undefined> {
    const { kind, payload } = entry;
    if (kind === "forget" && results.length === 0) return undefined;
    const seq = this.lastSeq + 1;
    // A namespaced import's payload is computed once the replica has accepted the import.
    const namespaced = typeof payload === "function" ? (payload as () => NamespacedImport)() : undefined;
    const request = (namespaced ?? payload) as { namespace?: Namespace; step?: number };
    const text = namespaced?.text ?? (typeof payload === "string" ? payload : JSON.stringify(payload));
    const step =
      kind === "apply" ? (request.step ?? null) : kind === "forget" ? (payload as ForgetPayload).options.step : null;
    const versions =
      kind === "import" ? importedVersions(text) : await createdVersions(this.replica, request.namespace!, results);
    this.lastSeq = seq;
    return {
      params: [seq, kind, request.namespace === undefined ? null : namespaceKey(request.namespace), step, text],
      seq,
      versions,
    };
  }

  /**
   * Writes a group's log rows in one statement and their versions in at most two more (a whole group
   * costs about what one write does). The test hook runs between the two version statements, after
   * the log rows and half the versions are written.
   */
  private async insertRows(tx: SqlClient, rows: readonly LogRowToWrite[]): Promise<void> {
    if (rows.length === 0) return;
    // PostgreSQL takes at most 65,535 parameters in one statement: 5,000 rows of 5 at a time.
    for (let start = 0; start < rows.length; start += 5000) {
      const batch = rows.slice(start, start + 5000);
      const values = batch.map(
        (_, index) => `(${[1, 2, 3, 4, 5].map((column) => `$${index * 5 + column}`).join(", ")})`,
      );
      await tx.query(
        `INSERT INTO "${this.schema}".finemem_log (seq, kind, namespace_key, step, payload) VALUES ${values.join(", ")}`,
        batch.flatMap((row) => row.params),
      );
    }
    const versions = rows.flatMap((row) => row.versions.map((version) => ({ ...version, seq: row.seq })));
    const half = Math.ceil(versions.length / 2);
    await insertVersions(tx, this.schema, versions.slice(0, half));
    await this.options.beforeCommit?.(rows.at(-1)!.seq);
    await insertVersions(tx, this.schema, versions.slice(half));
  }
}

/** One log row to write: its parameters (seq, kind, namespace key, step, payload) and its versions. */
interface LogRowToWrite {
  readonly params: readonly unknown[];
  readonly seq: number;
  readonly versions: readonly { namespace: Namespace; version: MemoryItemVersion }[];
}

/** The group-commit window must be a finite, non-negative number of milliseconds (at most a minute). */
function checkGroupCommit(groupCommit: PersistentStoreOptions["groupCommit"]): void {
  if (groupCommit === undefined) return;
  const windowMs = (groupCommit as { windowMs?: unknown } | null)?.windowMs;
  if (typeof windowMs !== "number" || !Number.isFinite(windowMs) || windowMs < 0 || windowMs > 60_000)
    throw new StoreOptionsError(
      "groupCommit.windowMs",
      `expected milliseconds from 0 to 60000 (a few ms batches concurrent writers), got ${String(windowMs)}`,
    );
}

async function replay(store: InMemoryStore, row: LogRow): Promise<void> {
  if (row.kind === "apply") await store.apply(JSON.parse(row.payload) as ApplyRequest);
  else if (row.kind === "forget") {
    const { namespace, sourceChunkId, options } = JSON.parse(row.payload) as ForgetPayload;
    await store.deleteBySource(namespace, sourceChunkId, options);
  } else if (row.namespace_key === null || row.namespace_key === undefined) await store.importJsonl(row.payload);
  else await store.importJsonl(row.payload, { namespace: namespaceFromKey(row.namespace_key) });
}

/** The versions a step's applied results wrote, read back from the working replica. */
async function createdVersions(working: InMemoryStore, namespace: Namespace, results: readonly OperationResult[]) {
  const out: { namespace: Namespace; version: MemoryItemVersion }[] = [];
  for (const result of results) {
    if (result.status !== "applied" || result.itemId === null || result.version === null) continue;
    const version = (await working.history(namespace, result.itemId)).find(
      (candidate) => candidate.version === result.version,
    );
    if (version !== undefined) out.push({ namespace, version });
  }
  return out;
}

function importedVersions(text: string): { namespace: Namespace; version: MemoryItemVersion }[] {
  return decodeExport(text).records.flatMap(({ record }) =>
    record.record === "version" ? [{ namespace: record.namespace, version: record.version }] : [],
  );
}

const VERSION_COLUMNS = 10;

async function insertVersions(
  tx: SqlClient,
  schema: string,
  versions: readonly { namespace: Namespace; version: MemoryItemVersion; seq: number }[],
): Promise<void> {
  // PostgreSQL takes at most 65,535 parameters in one statement.
  for (let start = 0; start < versions.length; start += 5000) {
    const batch = versions.slice(start, start + 5000);
    const params: unknown[] = [];
    const rows = batch.map(({ namespace, version, seq }) => {
      const base = params.length;
      params.push(
        namespaceKey(namespace),
        version.itemId,
        version.version,
        version.memoryType ?? null,
        version.content,
        version.tombstone,
        version.step,
        version.operationId,
        version.sourceChunkId ?? null,
        seq,
      );
      return `(${Array.from({ length: VERSION_COLUMNS }, (_, index) => `$${base + index + 1}`).join(", ")})`;
    });
    await tx.query(
      `INSERT INTO "${schema}".finemem_versions (namespace_key, item_id, version, memory_type, content, deleted, step, operation_id, source_chunk_id, seq) VALUES ${rows.join(", ")}`,
      params,
    );
  }
}

/** The settings line of an export header, as canonical JSON. */
function settingsOf(exported: string): string {
  const header = JSON.parse(exported.slice(0, exported.indexOf("\n"))) as { settings: Record<string, unknown> };
  return JSON.stringify(Object.fromEntries(Object.entries(header.settings).sort(([a], [b]) => (a < b ? -1 : 1))));
}
