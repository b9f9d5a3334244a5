import type {
  Id,
  IdentifiedOperation,
  MemoryItem,
  MemoryItemVersion,
  MemoryLayout,
  MemoryType,
  MemoryView,
  Namespace,
  OperationResult,
} from "@finemem/spec";
import { Bm25Index, type Bm25Parameters } from "../bm25/bm25-index.js";
import { OperationLog } from "./operation-log.js";

/** One item's record: its version chain and the item object of its current version. */
export interface ItemRecord {
  readonly id: Id;
  /** Insertion order within the namespace; the BM25 key and the tie-break. */
  readonly seq: number;
  readonly memoryType: MemoryType | undefined;
  readonly createdStep: number;
  /** Oldest first; never empty. Version objects are frozen and shared with forks. */
  readonly versions: MemoryItemVersion[];
  /** The current item, or undefined when the last version is a tombstone. */
  current: MemoryItem | undefined;
}

/**
 * The item record the store itself creates (records restored from elsewhere may be plain objects of
 * the {@link ItemRecord} shape). Its newest version is held as fields of the record, and the version
 * and item objects are built from them only when something reads them (a view, a search hit, a
 * history, an export), then kept, so each is the same object on every read. Earlier versions sit in
 * an array once there are any. An INSERT so retains one record, not also a version, an item and a
 * versions array: fewer objects for the garbage collector to copy and mark.
 */
export class StoredItemRecord implements ItemRecord {
  // The newest version, as fields (its memoryType is the record's; previousVersion is version − 1).
  private content: string;
  private version: number;
  private timestamp: string | undefined;
  private step: number;
  private operationId: Id;
  private sourceChunkId: Id | undefined;
  private tombstone: boolean;
  /** The newest version's object, once built (or when it was given as one). */
  private versionObject: MemoryItemVersion | undefined;
  /** The versions before the newest, oldest first, once there are any. */
  private earlier: MemoryItemVersion[] | undefined = undefined;
  private item: MemoryItem | undefined = undefined;

  /** A record whose first version, number 1, has these fields. */
  constructor(
    readonly id: Id,
    readonly seq: number,
    readonly memoryType: MemoryType | undefined,
    readonly createdStep: number,
    content: string,
    timestamp: string | undefined,
    operationId: Id,
    sourceChunkId: Id | undefined,
  ) {
    this.content = content;
    this.version = 1;
    this.timestamp = timestamp;
    this.step = createdStep;
    this.operationId = operationId;
    this.sourceChunkId = sourceChunkId;
    this.tombstone = false;
    this.versionObject = undefined;
  }

  /**
   * A record as a snapshot image holds it: the newest version's fields and the versions before it
   * (frozen, oldest first; not copied).
   */
  static restore(
    id: Id,
    seq: number,
    memoryType: MemoryType | undefined,
    createdStep: number,
    newest: NewestVersionFields,
    earlier: MemoryItemVersion[] | undefined,
  ): StoredItemRecord {
    const record = new StoredItemRecord(
      id,
      seq,
      memoryType,
      createdStep,
      newest.content,
      newest.timestamp,
      newest.operationId,
      newest.sourceChunkId,
    );
    record.version = newest.version;
    record.step = newest.step;
    record.tombstone = newest.tombstone;
    if (earlier !== undefined && earlier.length > 0) record.earlier = earlier;
    return record;
  }

  /** The newest version's fields (for a snapshot image), without building the version. */
  newestFields(): NewestVersionFields {
    return {
      content: this.content,
      version: this.version,
      timestamp: this.timestamp,
      step: this.step,
      operationId: this.operationId,
      sourceChunkId: this.sourceChunkId,
      tombstone: this.tombstone,
    };
  }

  /** The versions before the newest, oldest first (for a snapshot image; not a copy). */
  earlierVersions(): readonly MemoryItemVersion[] {
    return this.earlier ?? [];
  }

  /** Oldest first (a fresh array on each read: append with {@link appendVersion}). */
  get versions(): MemoryItemVersion[] {
    const last = this.lastVersion();
    return this.earlier === undefined ? [last] : [...this.earlier, last];
  }

  get current(): MemoryItem | undefined {
    if (this.tombstone) return undefined;
    if (this.item === undefined)
      this.item = this.versionObject === undefined ? this.itemFromFields() : itemOf(this, this.versionObject);
    return this.item;
  }

  /**
   * The item {@link itemOf} makes of the newest version, built from the fields without building the
   * version too: a view reads every item, a history or an export only some records' versions. The
   * record's own fields carry the version's names (its memoryType is the version's), so the record
   * itself is what itemOf reads them from.
   */
  private itemFromFields(): MemoryItem {
    return itemOf(this, this as unknown as VersionFields);
  }

  /** The newest version. */
  lastVersion(): MemoryItemVersion {
    if (this.versionObject === undefined) {
      this.versionObject = makeVersion(
        this.id,
        this.version,
        this.content,
        this.memoryType,
        this.timestamp,
        this.step,
        this.operationId,
        this.sourceChunkId,
        this.version === 1 ? null : this.version - 1,
        this.tombstone,
      );
    }
    return this.versionObject;
  }

  /** The newest version's content (without building it). */
  lastContent(): string {
    return this.content;
  }

  /** Whether the newest version is a tombstone (without building it). */
  isDeleted(): boolean {
    return this.tombstone;
  }

  appendVersion(version: MemoryItemVersion): void {
    const last = this.lastVersion();
    if (this.earlier === undefined) this.earlier = [last];
    else this.earlier.push(last);
    this.content = version.content;
    this.version = version.version;
    this.timestamp = version.timestamp;
    this.step = version.step;
    this.operationId = version.operationId;
    this.sourceChunkId = version.sourceChunkId;
    this.tombstone = version.tombstone;
    this.versionObject = version;
    this.item = undefined;
  }

  /** A copy a forked state can write to (versions and items are frozen, so they are shared). */
  copy(): StoredItemRecord {
    const copy = StoredItemRecord.restore(
      this.id,
      this.seq,
      this.memoryType,
      this.createdStep,
      this.newestFields(),
      this.earlier === undefined ? undefined : [...this.earlier],
    );
    // Built here so that the original and the copy share one frozen version object.
    copy.versionObject = this.lastVersion();
    copy.item = this.item;
    return copy;
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The fields of a record's newest version that its record does not hold already. */
export interface NewestVersionFields {
  readonly content: string;
  readonly version: number;
  readonly timestamp: string | undefined;
  readonly step: number;
  readonly operationId: Id;
  readonly sourceChunkId: Id | undefined;
  readonly tombstone: boolean;
}

/**
 * Builds a version with its keys always in one order (exports compare byte for byte) and absent
 * optional fields left out. Property assignment rather than conditional spreads: this is on the path
 * of every write. Versions are frozen: views, histories and forks share them.
 */
export function makeVersion(
  itemId: Id,
  versionNumber: number,
  content: string,
  memoryType: MemoryType | undefined,
  timestamp: string | undefined,
  step: number,
  operationId: Id,
  sourceChunkId: Id | undefined,
  previousVersion: number | null,
  tombstone: boolean,
): MemoryItemVersion {
  const version = { itemId, version: versionNumber, content } as Mutable<MemoryItemVersion>;
  if (memoryType !== undefined) version.memoryType = memoryType;
  if (timestamp !== undefined) version.timestamp = timestamp;
  version.step = step;
  version.operationId = operationId;
  if (sourceChunkId !== undefined) version.sourceChunkId = sourceChunkId;
  version.previousVersion = previousVersion;
  version.tombstone = tombstone;
  return Object.freeze(version);
}

/** The newest version of any record. */
export function lastVersionOf(record: ItemRecord): MemoryItemVersion {
  return record instanceof StoredItemRecord ? record.lastVersion() : record.versions.at(-1)!;
}

/** Whether a record's item is deleted (its newest version a tombstone), without building its item. */
export function isDeleted(record: ItemRecord): boolean {
  return record instanceof StoredItemRecord ? record.isDeleted() : record.current === undefined;
}

/** Appends `version` to any record, and updates a plain record's current item. */
export function appendVersion(record: ItemRecord, version: MemoryItemVersion): void {
  if (record instanceof StoredItemRecord) {
    record.appendVersion(version);
    return;
  }
  record.versions.push(version);
  record.current = version.tombstone ? undefined : itemOf(record, version);
}

/** A writable copy of a record for a forked state. */
function copyRecord(record: ItemRecord): ItemRecord {
  return record instanceof StoredItemRecord ? record.copy() : { ...record, versions: [...record.versions] };
}

/** What {@link itemOf} reads of a version. */
type VersionFields = Pick<
  MemoryItemVersion,
  "content" | "memoryType" | "timestamp" | "version" | "step" | "operationId" | "sourceChunkId"
>;

/** The item a version makes current, with its keys always in one order (exports compare byte for byte). */
export function itemOf(record: ItemRecord, version: VersionFields): MemoryItem {
  const item = { id: record.id, content: version.content } as Mutable<MemoryItem>;
  if (version.memoryType !== undefined) item.memoryType = version.memoryType;
  if (version.timestamp !== undefined) item.timestamp = version.timestamp;
  item.version = version.version;
  item.createdStep = record.createdStep;
  item.step = version.step;
  item.operationId = version.operationId;
  if (version.sourceChunkId !== undefined) item.sourceChunkId = version.sourceChunkId;
  return Object.freeze(item);
}

/**
 * The number in an id of the store's own numbering (`m1`, `m2`, …: "m" and a decimal without leading
 * zeros, below 2³⁰), or -1 for any other id.
 */
export function itemNumberOf(id: Id): number {
  const length = id.length;
  if (length < 2 || length > 10 || id.charCodeAt(0) !== 109 /* m */) return -1;
  let number = 0;
  for (let position = 1; position < length; position++) {
    const digit = id.charCodeAt(position) - 48;
    if (digit < 0 || digit > 9 || (digit === 0 && position === 1)) return -1;
    number = number * 10 + digit;
  }
  return number < 0x40000000 ? number : -1;
}

/**
 * The records of a namespace by item id, as a map would hold them. Ids of the store's own numbering
 * (nearly all of them) are kept in an array by their number rather than in a hash table: an INSERT
 * then costs no hash-table insertion, which on a large namespace is a cache miss as costly as much of
 * the rest of the INSERT. Any other id (the core paragraph's) goes to a map.
 */
export class ItemsById {
  private readonly numbered: (ItemRecord | undefined)[] = [];
  private numberedCount = 0;
  private readonly others = new Map<Id, ItemRecord>();
  // Restored from a snapshot and not yet asked for: each item number's seq + 1 (0 for none), and the
  // table that builds a record from its seq.
  private restoredSeqs: Int32Array | undefined;
  private restoredTable: RecordTable | undefined;

  /**
   * Ids restored from a snapshot: `seqByNumber[n]` is the seq + 1 of the record whose id has number n
   * (0 for none), `numberedCount` how many are not 0; `others` the records of other ids. Records are
   * built when first asked for.
   */
  static restored(
    seqByNumber: Int32Array,
    numberedCount: number,
    table: RecordTable,
    others: readonly ItemRecord[],
  ): ItemsById {
    const items = new ItemsById();
    items.restoredSeqs = seqByNumber;
    items.restoredTable = table;
    items.numberedCount = numberedCount;
    for (const record of others) items.others.set(record.id, record);
    return items;
  }

  get size(): number {
    return this.numberedCount + this.others.size;
  }

  get(id: Id): ItemRecord | undefined {
    const number = itemNumberOf(id);
    if (number === -1) return this.others.get(id);
    return this.numbered[number] ?? this.restoredRecord(number);
  }

  has(id: Id): boolean {
    return this.get(id) !== undefined;
  }

  set(id: Id, record: ItemRecord): this {
    const number = itemNumberOf(id);
    if (number === -1) this.others.set(id, record);
    else {
      // Numbers are handed out in increasing order, so the array grows at its end (holes only where
      // an import moved the numbering on).
      if (this.numbered[number] === undefined && this.restoredRecord(number) === undefined) this.numberedCount += 1;
      this.numbered[number] = record;
    }
    return this;
  }

  delete(id: Id): boolean {
    const number = itemNumberOf(id);
    if (number === -1) return this.others.delete(id);
    if (this.get(id) === undefined) return false;
    this.numbered[number] = undefined;
    if (this.restoredSeqs !== undefined && number < this.restoredSeqs.length) this.restoredSeqs[number] = 0;
    this.numberedCount -= 1;
    return true;
  }

  /** Numbered items by number, then the others in insertion order. */
  *entries(): IterableIterator<[Id, ItemRecord]> {
    const end = Math.max(this.numbered.length, this.restoredSeqs?.length ?? 0);
    for (let number = 0; number < end; number++) {
      const record = this.numbered[number] ?? this.restoredRecord(number);
      if (record !== undefined) yield [record.id, record];
    }
    yield* this.others.entries();
  }

  *keys(): IterableIterator<Id> {
    for (const [id] of this.entries()) yield id;
  }

  *values(): IterableIterator<ItemRecord> {
    for (const [, record] of this.entries()) yield record;
  }

  [Symbol.iterator](): IterableIterator<[Id, ItemRecord]> {
    return this.entries();
  }

  /** The restored record of an item number, built and kept on first use; undefined when none. */
  private restoredRecord(number: number): ItemRecord | undefined {
    const seqs = this.restoredSeqs;
    if (seqs === undefined || number >= seqs.length || seqs[number] === 0) return undefined;
    const record = this.restoredTable!.at(seqs[number]! - 1);
    this.numbered[number] = record;
    return record;
  }
}

/**
 * A namespace's records in sequence order (a record's seq is its position). Records restored from a
 * snapshot are built from the image when first read, so a reopen builds none of them; each is built
 * once and is then the same object on every read.
 */
export class RecordTable implements Iterable<ItemRecord> {
  private readonly records: (ItemRecord | undefined)[];
  private readonly build: ((seq: number) => ItemRecord) | undefined;

  /** An empty table, or one of `count` restored records that `build` makes from their seq. */
  constructor(count = 0, build?: (seq: number) => ItemRecord) {
    this.records = count === 0 ? [] : new Array(count);
    this.build = build;
  }

  get length(): number {
    return this.records.length;
  }

  at(seq: number): ItemRecord {
    let record = this.records[seq];
    if (record === undefined) {
      if (this.build === undefined || seq < 0 || seq >= this.records.length)
        throw new RangeError(`no record at seq ${seq}`);
      record = this.build(seq);
      this.records[seq] = record;
    }
    return record;
  }

  push(record: ItemRecord): void {
    this.records.push(record);
  }

  [Symbol.iterator](): Iterator<ItemRecord> {
    let seq = 0;
    return {
      next: (): IteratorResult<ItemRecord> =>
        seq < this.records.length ? { done: false, value: this.at(seq++) } : { done: true, value: undefined },
    };
  }
}

/** One applied operation as the operation log keeps it (the source of truth for import). */
export interface LoggedOperation {
  readonly step: number;
  readonly sourceChunkId?: Id;
  readonly operationId: Id;
  readonly operation: IdentifiedOperation["operation"];
  readonly result: OperationResult;
}

/** BM25 kinds: one small integer per memory type (the index filters by kind). */
export const KIND_OF_TYPE: Readonly<Record<MemoryType | "flat", number>> = {
  flat: 0,
  core: 1,
  semantic: 2,
  episodic: 3,
};

/** What a snapshot restores of a namespace eagerly, and how to build the rest when first needed. */
export interface RestoredStateParts {
  readonly step: number;
  readonly nextItemNumber: number;
  readonly nextSeq: number;
  /** The records, in sequence order. */
  readonly records: RecordTable;
  /** The records by id. */
  readonly items: ItemsById;
  readonly log: OperationLog;
  /** Builds the set of applied operation ids (on the first write). */
  readonly operationIds: () => Set<Id>;
  /** Builds the duplicate index (on the first write). */
  readonly contents: () => Map<string, Id | readonly Id[]>;
}

/**
 * Everything a store knows about one namespace. A state is owned by one store until a fork shares it;
 * from then on it is frozen, and whichever store writes to it first works on its own clone
 * (copy-on-write at namespace granularity: a fork costs O(namespaces), the first write after it
 * O(items of that namespace)).
 *
 * A state restored from a snapshot builds its operation-id set and duplicate index on first use (a
 * write reads them, a search or a view does not), and its log stays encoded until read: a reopen then
 * costs the records and the index, not every object a replay would make.
 */
export class NamespaceState {
  frozen = false;
  step = 0;
  nextItemNumber = 1;
  nextSeq = 0;
  readonly items: ItemsById;
  readonly bySeq: RecordTable;
  readonly log: OperationLog;
  readonly index: Bm25Index;
  private cachedView: MemoryView | undefined;
  private contentsBuilt: Map<string, Id | readonly Id[]> | undefined;
  private operationIdsBuilt: Set<Id> | undefined;
  private buildContents: (() => Map<string, Id | readonly Id[]>) | undefined;
  private buildOperationIds: (() => Set<Id>) | undefined;

  constructor(
    readonly namespace: Namespace,
    readonly layout: MemoryLayout,
    bm25: Partial<Bm25Parameters> | Bm25Index,
    source?: NamespaceState,
  ) {
    if (source === undefined) {
      this.items = new ItemsById();
      this.bySeq = new RecordTable();
      this.contentsBuilt = new Map();
      this.log = new OperationLog();
      this.operationIdsBuilt = new Set();
      this.index = bm25 instanceof Bm25Index ? bm25 : new Bm25Index(bm25);
      return;
    }
    this.step = source.step;
    this.nextItemNumber = source.nextItemNumber;
    this.nextSeq = source.nextSeq;
    this.items = new ItemsById();
    this.bySeq = new RecordTable();
    for (const record of source.bySeq) {
      const copy = copyRecord(record);
      this.items.set(copy.id, copy);
      this.bySeq.push(copy);
    }
    // Holder lists are appended to in place, so each state has its own.
    this.contentsBuilt = new Map();
    for (const [key, holders] of source.contents)
      this.contentsBuilt.set(key, typeof holders === "string" ? holders : [...holders]);
    this.log = source.log.copy();
    this.operationIdsBuilt = new Set(source.operationIds);
    this.index = bm25 as Bm25Index;
    this.cachedView = source.cachedView;
  }

  /** A state restored from a snapshot (see {@link RestoredStateParts}). */
  static restored(
    namespace: Namespace,
    layout: MemoryLayout,
    index: Bm25Index,
    parts: RestoredStateParts,
  ): NamespaceState {
    const state = new NamespaceState(namespace, layout, index);
    state.step = parts.step;
    state.nextItemNumber = parts.nextItemNumber;
    state.nextSeq = parts.nextSeq;
    const restored = state as { items: ItemsById; bySeq: RecordTable; log: OperationLog };
    restored.items = parts.items;
    restored.bySeq = parts.records;
    restored.log = parts.log;
    state.contentsBuilt = undefined;
    state.operationIdsBuilt = undefined;
    state.buildContents = parts.contents;
    state.buildOperationIds = parts.operationIds;
    return state;
  }

  /** Current contents (per kind in the typed layout) → the item holding it, or the items when several do. */
  get contents(): Map<string, Id | readonly Id[]> {
    if (this.contentsBuilt === undefined) {
      this.contentsBuilt = this.buildContents!();
      this.buildContents = undefined;
    }
    return this.contentsBuilt;
  }

  /** The ids of the operations applied in this namespace. */
  get operationIds(): Set<Id> {
    if (this.operationIdsBuilt === undefined) {
      this.operationIdsBuilt = this.buildOperationIds!();
      this.buildOperationIds = undefined;
    }
    return this.operationIdsBuilt;
  }

  /** A private, writable copy of this state (the copy-on-write step). */
  clone(): NamespaceState {
    return new NamespaceState(this.namespace, this.layout, this.index.clone(), this);
  }

  /** The current view; the same object until the next write, so retrievers can recognise it. */
  view(): MemoryView {
    if (this.cachedView === undefined) {
      const items: MemoryItem[] = [];
      for (let seq = 0; seq < this.bySeq.length; seq++) {
        const current = this.bySeq.at(seq).current;
        if (current !== undefined) items.push(current);
      }
      this.cachedView = Object.freeze({
        namespace: this.namespace,
        layout: this.layout,
        step: this.step,
        items: Object.freeze(items),
      });
    }
    return this.cachedView;
  }

  /** Whether `view` is this state's current view object. */
  isCurrentView(view: MemoryView): boolean {
    return this.cachedView !== undefined && view === this.cachedView;
  }

  invalidateView(): void {
    this.cachedView = undefined;
  }

  /** The record whose BM25 key is `seq`. */
  recordAt(seq: number): ItemRecord {
    return this.bySeq.at(seq);
  }
}

/** The duplicate-detection key: the content itself in the flat layout, prefixed by the kind in the typed one. */
export function contentKey(memoryType: MemoryType | undefined, content: string): string {
  return memoryType === undefined ? content : `${memoryType}\u0000${content}`;
}
