import type { MemoryItem, MemoryView } from "@finemem/spec";
import { Bm25Index, type Bm25Parameters } from "../bm25/bm25-index.js";
import { KIND_OF_TYPE } from "../store/namespace-state.js";

/** A view's BM25 index: documents under keys that rise with the items' positions in the view. */
export interface IndexedView {
  readonly index: Bm25Index;
  /** The view's item under a document key. */
  itemOfKey(key: number): MemoryItem;
}

export interface ViewIndexCacheOptions {
  readonly parameters?: Partial<Bm25Parameters> | undefined;
  /** Indexes kept for reuse (least recently used dropped first). Default 16. */
  readonly capacity?: number;
}

interface Entry extends IndexedView {
  /**
   * The view this index holds, weakly: an episode that finished drops its views, and its index must
   * go with them rather than wait for later misses (none come between two episodes that ask only
   * about their final memory), or a run would keep one index per finished episode.
   */
  view: WeakRef<MemoryView>;
  layout: MemoryView["layout"];
  namespace: string;
  firstItem: MemoryItem | undefined;
  // The miss this index last answered (see `indexOf`).
  lastUsed: number;
  readonly keyOfId: Map<string, number>;
  readonly items: Map<number, MemoryItem>;
  nextKey: number;
}

// What a diff found: the keys of retained items in view order, the items to (re)index, the keys to drop.
interface Plan {
  readonly entry: Entry;
  readonly keys: number[];
  // Positions whose item is another object than the cached one (new, rewritten, or only re-versioned).
  readonly repoint: number[];
  readonly reindex: Set<number>;
  readonly removed: number[];
  readonly changes: number;
}

const kindOf = (item: MemoryItem) => KIND_OF_TYPE[item.memoryType ?? "flat"];

/**
 * BM25 indexes of views that no store answers for, kept so that the next view of the same memory (one
 * step later: a few items added, updated or deleted) costs what changed rather than a fresh index of
 * every item. A view is matched to the cached index it differs least from; the index is updated by the
 * diff and moves to the new view (the old view, if asked about again, is indexed afresh).
 *
 * The results equal a fresh index's: the documents, N, the document frequencies and the lengths are the
 * same, and the keys keep the items' order in the view, so ties break alike. (One caveat is the
 * index's own: the average idf, used only for a query term in more than half of the documents, is
 * summed in the index's vocabulary order, as rank_bm25 sums it, which after removals may differ from a
 * fresh build's, so a score may differ in its last bit.) A view whose retained items are in another order than the cached view's, or whose new
 * items come before a retained one, is not a continuation of it and is indexed afresh.
 */
export class ViewIndexCache {
  private readonly parameters: Partial<Bm25Parameters> | undefined;
  private readonly capacity: number;
  private readonly byView = new WeakMap<MemoryView, Entry>();
  // When the view an index holds is collected (its episode is over), the index is dropped with it.
  private readonly released = new FinalizationRegistry<Entry>((entry) => {
    const position = this.entries.indexOf(entry);
    if (position !== -1) this.entries.splice(position, 1);
  });
  // Least recently used first.
  private entries: Entry[] = [];
  private misses = 0;

  constructor(options: ViewIndexCacheOptions = {}) {
    this.parameters = options.parameters;
    this.capacity = options.capacity ?? 16;
  }

  /** The index of `view`: the cached one, one updated from a similar view's, or a fresh one. */
  indexOf(view: MemoryView): IndexedView {
    let entry = this.byView.get(view);
    if (entry === undefined) {
      this.misses += 1;
      this.dropStale();
      const plan = this.bestPlan(view);
      entry = plan === undefined ? this.build(view) : this.update(plan, view);
      this.byView.set(view, entry);
    }
    entry.lastUsed = this.misses;
    this.touch(entry);
    return entry;
  }

  // A memory in use asks about a new view every few misses (one per episode in flight); an index
  // unused for twice the capacity in misses belongs to a finished episode, and holding it would keep
  // that memory's index alive until enough others pushed it out.
  private dropStale(): void {
    while (this.entries.length > 0 && this.misses - this.entries[0]!.lastUsed > 2 * this.capacity) {
      this.forget(this.entries.shift()!);
    }
  }

  /** Stops caching `entry` under its view (the entry itself may move to another view). */
  private forget(entry: Entry): void {
    const view = entry.view.deref();
    if (view === undefined) return;
    this.byView.delete(view);
    this.released.unregister(view);
  }

  /** Makes `entry` the index of `view`. */
  private hold(entry: Entry, view: MemoryView): void {
    entry.view = new WeakRef(view);
    entry.layout = view.layout;
    entry.namespace = JSON.stringify(view.namespace);
    entry.firstItem = view.items[0];
    this.released.register(view, entry, view);
  }

  private touch(entry: Entry): void {
    const position = this.entries.indexOf(entry);
    if (position !== -1) this.entries.splice(position, 1);
    this.entries.push(entry);
    if (this.entries.length > this.capacity) {
      const dropped = this.entries.shift()!;
      this.forget(dropped);
    }
  }

  private build(view: MemoryView): Entry {
    const index = new Bm25Index(this.parameters);
    const keyOfId = new Map<string, number>();
    const items = new Map<number, MemoryItem>();
    view.items.forEach((item, position) => {
      index.add(position, item.content, kindOf(item));
      keyOfId.set(item.id, position);
      items.set(position, item);
    });
    const entry: Entry = {
      view: new WeakRef(view),
      layout: view.layout,
      namespace: JSON.stringify(view.namespace),
      firstItem: view.items[0],
      lastUsed: this.misses,
      index,
      keyOfId,
      items,
      nextKey: view.items.length,
      itemOfKey: (key) => items.get(key)!,
    };
    this.released.register(view, entry, view);
    return entry;
  }

  // The cached index `view` differs least from, when updating it costs less than indexing `view` anew.
  private bestPlan(view: MemoryView): Plan | undefined {
    let best: Plan | undefined;
    // The index of the same memory, when there is one, is usually the one whose view starts with the
    // same item object: trying it first makes the others give up after a few items.
    const first = view.items[0];
    const candidates = [...this.entries].sort((a, b) => Number(b.firstItem === first) - Number(a.firstItem === first));
    // Only a view of the same memory (namespace) is a candidate: concurrent episodes number their items
    // alike (the same ids), and taking another memory's index would move it back and forth between two
    // views asked about in turn, costing a near-rebuild on every question.
    const namespace = JSON.stringify(view.namespace);
    for (const entry of candidates) {
      if (entry.layout !== view.layout || entry.namespace !== namespace) continue;
      const limit = Math.min(best?.changes ?? Number.POSITIVE_INFINITY, view.items.length);
      const plan = planDiff(entry, view, limit);
      if (plan !== undefined) best = plan;
    }
    return best;
  }

  private update(plan: Plan, view: MemoryView): Entry {
    const { entry } = plan;
    this.forget(entry);
    for (const key of plan.removed) {
      entry.index.remove(key);
      // A removed item's id is not in the new view (it would have kept its key).
      entry.keyOfId.delete(entry.items.get(key)!.id);
      entry.items.delete(key);
    }
    for (const position of plan.repoint) {
      const item = view.items[position]!;
      const key = plan.keys[position]!;
      if (plan.reindex.has(position)) entry.index.add(key, item.content, kindOf(item));
      entry.items.set(key, item);
      entry.keyOfId.set(item.id, key);
    }
    entry.nextKey = Math.max(entry.nextKey, (plan.keys.at(-1) ?? -1) + 1);
    this.hold(entry, view);
    return entry;
  }
}

/**
 * How `view` differs from `entry`'s view, or `undefined` when it is not a continuation of it (items
 * out of order, a new item before a retained one) or needs at least `limit` document changes.
 */
function planDiff(entry: Entry, view: MemoryView, limit: number): Plan | undefined {
  const keys: number[] = new Array(view.items.length);
  const repoint: number[] = [];
  const reindex = new Set<number>();
  let lastKey = -1;
  let nextKey = entry.nextKey;
  let retained = 0;
  let changes = 0;
  for (let position = 0; position < view.items.length; position += 1) {
    const item = view.items[position]!;
    const key = entry.keyOfId.get(item.id);
    if (key === undefined) {
      keys[position] = nextKey;
      lastKey = nextKey;
      nextKey += 1;
      repoint.push(position);
      reindex.add(position);
      changes += 1;
    } else {
      if (key <= lastKey) return undefined;
      lastKey = key;
      keys[position] = key;
      retained += 1;
      const cached = entry.items.get(key)!;
      if (cached !== item) {
        repoint.push(position);
        if (cached.content !== item.content || kindOf(cached) !== kindOf(item)) {
          reindex.add(position);
          changes += 1;
        }
      }
    }
    if (changes >= limit) return undefined;
  }
  const removed: number[] = [];
  if (retained < entry.items.size) {
    const kept = new Set(keys);
    for (const key of entry.items.keys()) {
      if (kept.has(key)) continue;
      removed.push(key);
      changes += 1;
      if (changes >= limit) return undefined;
    }
  }
  return { entry, keys, repoint, reindex, removed, changes };
}
