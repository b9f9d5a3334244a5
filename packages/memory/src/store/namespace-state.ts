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
    const copy = new StoredItemRecord(
      this.id,
      this.seq,
      this.memoryType,
      this.createdStep,
      this.content,
      this.timestamp,
      this.operationId,
      this.sourceChunkId,
    );
    copy.version = this.version;
    copy.step = this.step;
    copy.tombstone = this.tombstone;
    // Built here so that the original and the copy share one frozen version object.
    copy.versionObject = this.lastVersion();
    if (this.earlier !== undefined) copy.earlier = [...this.earlier];
    copy.item = this.item;
    return copy;
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

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

  get size(): number {
    return this.numberedCount + this.others.size;
  }

  get(id: Id): ItemRecord | undefined {
    const number = itemNumberOf(id);
    return number === -1 ? this.others.get(id) : this.numbered[number];
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
      if (this.numbered[number] === undefined) this.numberedCount += 1;
      this.numbered[number] = record;
    }
    return this;
  }

  delete(id: Id): boolean {
    const number = itemNumberOf(id);
    if (number === -1) return this.others.delete(id);
    if (this.numbered[number] === undefined) return false;
    this.numbered[number] = undefined;
    this.numberedCount -= 1;
    return true;
  }

  /** Numbered items by number, then the others in insertion order. */
  *entries(): IterableIterator<[Id, ItemRecord]> {
    for (const record of this.numbered) if (record !== undefined) yield [record.id, record];
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

/**
 * Everything a store knows about one namespace. A state is owned by one store until a fork shares it;
 * from then on it is frozen, and whichever store writes to it first works on its own clone
 * (copy-on-write at namespace granularity: a fork costs O(namespaces), the first write after it
 * O(items of that namespace)).
 */
export class NamespaceState {
  frozen = false;
  step = 0;
  nextItemNumber = 1;
  nextSeq = 0;
  readonly items: ItemsById;
  readonly bySeq: ItemRecord[];
  /** Current contents (per kind in the typed layout) → the item holding it, or the items when several do. */
  readonly contents: Map<string, Id | readonly Id[]>;
  readonly log: LoggedOperation[];
  readonly operationIds: Set<Id>;
  readonly index: Bm25Index;
  private cachedView: MemoryView | undefined;

  constructor(
    readonly namespace: Namespace,
    readonly layout: MemoryLayout,
    bm25: Partial<Bm25Parameters> | Bm25Index,
    source?: NamespaceState,
  ) {
    if (source === undefined) {
      this.items = new ItemsById();
      this.bySeq = [];
      this.contents = new Map();
      this.log = [];
      this.operationIds = new Set();
      this.index = bm25 instanceof Bm25Index ? bm25 : new Bm25Index(bm25);
      return;
    }
    this.step = source.step;
    this.nextItemNumber = source.nextItemNumber;
    this.nextSeq = source.nextSeq;
    this.items = new ItemsById();
    this.bySeq = [];
    for (const record of source.bySeq) {
      const copy = copyRecord(record);
      this.items.set(copy.id, copy);
      this.bySeq.push(copy);
    }
    // Holder lists are appended to in place, so each state has its own.
    this.contents = new Map();
    for (const [key, holders] of source.contents)
      this.contents.set(key, typeof holders === "string" ? holders : [...holders]);
    this.log = [...source.log];
    this.operationIds = new Set(source.operationIds);
    this.index = bm25 as Bm25Index;
    this.cachedView = source.cachedView;
  }

  /** A private, writable copy of this state (the copy-on-write step). */
  clone(): NamespaceState {
    return new NamespaceState(this.namespace, this.layout, this.index.clone(), this);
  }

  /** The current view; the same object until the next write, so retrievers can recognise it. */
  view(): MemoryView {
    if (this.cachedView === undefined) {
      const items: MemoryItem[] = [];
      for (const record of this.bySeq) if (record.current !== undefined) items.push(record.current);
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
    return this.bySeq[seq]!;
  }
}

/** The duplicate-detection key: the content itself in the flat layout, prefixed by the kind in the typed one. */
export function contentKey(memoryType: MemoryType | undefined, content: string): string {
  return memoryType === undefined ? content : `${memoryType}\u0000${content}`;
}
