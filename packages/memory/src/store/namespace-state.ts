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
  readonly items: Map<Id, ItemRecord>;
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
      this.items = new Map();
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
    this.items = new Map();
    this.bySeq = [];
    for (const record of source.bySeq) {
      const copy: ItemRecord = { ...record, versions: [...record.versions] };
      this.items.set(copy.id, copy);
      this.bySeq.push(copy);
    }
    this.contents = new Map(source.contents);
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
