import type { MemoryItem, MemoryView } from "@finemem/spec";
import type { FactKey } from "./fact-key.js";

/** An item of the view read as a fact: what the heuristic matches new sentences against. */
export interface StoredFact {
  readonly id: string;
  readonly key: FactKey;
  readonly content: string;
  /** The step that wrote the item (later wins ties). */
  readonly recency: number;
  /** Rises with the item's position in the view: a subject's facts are listed in view order. */
  readonly order: number;
}

interface Entry {
  item: MemoryItem;
  readonly order: number;
  fact: StoredFact | undefined;
  mark: number;
}

/**
 * The facts of a memory view, grouped by subject, and the set of stored sentences: the maps the
 * heuristic policy reads each step. Given the next view of the same memory, they are updated by the
 * diff (items added, rewritten or removed, found by id and item identity) rather than rebuilt, so a
 * step costs what it changed plus one pass of identity checks over the view, not a re-read of every
 * item. Any view can be given: one whose kept items are in another order than before, or whose new
 * items come before a kept one, is not a continuation and the maps are rebuilt from it, so the maps
 * always equal those built from scratch.
 */
export class StoredFacts {
  private view: MemoryView | undefined;
  private entries = new Map<string, Entry>();
  // Trimmed contents of the fact items, with how many items hold each.
  private contents = new Map<string, number>();
  private groups = new Map<string, StoredFact[]>();
  private nextOrder = 0;
  private generation = 0;

  constructor(
    private readonly isFact: (item: MemoryItem) => boolean,
    private readonly keyOf: (item: MemoryItem) => FactKey,
  ) {}

  /** The view the maps currently describe. */
  get current(): MemoryView | undefined {
    return this.view;
  }

  /** Makes the maps describe `view`. */
  sync(view: MemoryView): void {
    if (view === this.view) return;
    if (!this.applyDiff(view)) this.rebuild(view);
    this.view = view;
  }

  /** Whether a fact item holds exactly this (trimmed) sentence. */
  holds(sentence: string): boolean {
    return this.contents.has(sentence);
  }

  /** The facts about a subject, in view order. */
  about(subject: string): readonly StoredFact[] {
    return this.groups.get(subject) ?? [];
  }

  private rebuild(view: MemoryView): void {
    this.entries = new Map();
    this.contents = new Map();
    this.groups = new Map();
    this.generation += 1;
    view.items.forEach((item, order) => {
      const entry: Entry = { item, order, fact: this.factOf(item, order), mark: this.generation };
      this.entries.set(item.id, entry);
      this.addFact(entry.fact);
    });
    this.nextOrder = view.items.length;
  }

  // False when `view` is not a continuation of the current one (the maps are then rebuilt).
  private applyDiff(view: MemoryView): boolean {
    if (this.view === undefined) return false;
    const generation = ++this.generation;
    let lastOrder = -1;
    for (const item of view.items) {
      const entry = this.entries.get(item.id);
      if (entry === undefined) {
        const order = this.nextOrder++;
        const added: Entry = { item, order, fact: this.factOf(item, order), mark: generation };
        this.entries.set(item.id, added);
        this.addFact(added.fact);
        lastOrder = order;
        continue;
      }
      // A repeated id, an item moved, or a kept item after a new one: not a continuation.
      if (entry.mark === generation || entry.order <= lastOrder) return false;
      entry.mark = generation;
      lastOrder = entry.order;
      if (entry.item !== item) {
        if (
          entry.item.content !== item.content ||
          entry.item.step !== item.step ||
          this.isFact(entry.item) !== this.isFact(item)
        ) {
          this.removeFact(entry.fact);
          entry.fact = this.factOf(item, entry.order);
          this.addFact(entry.fact);
        }
        entry.item = item;
      }
    }
    // Every item of the view now has an entry (ids are distinct): any more are items it no longer holds.
    if (this.entries.size > view.items.length) {
      for (const [id, entry] of this.entries) {
        if (entry.mark === generation) continue;
        this.removeFact(entry.fact);
        this.entries.delete(id);
      }
    }
    return true;
  }

  private factOf(item: MemoryItem, order: number): StoredFact | undefined {
    if (!this.isFact(item)) return undefined;
    return { id: item.id, key: this.keyOf(item), content: item.content, recency: item.step, order };
  }

  private addFact(fact: StoredFact | undefined): void {
    if (fact === undefined) return;
    const content = fact.content.trim();
    this.contents.set(content, (this.contents.get(content) ?? 0) + 1);
    const subject = fact.key.subject;
    if (subject === undefined) return;
    const group = this.groups.get(subject);
    if (group === undefined) {
      this.groups.set(subject, [fact]);
      return;
    }
    // Usually the newest item, so the end of the list; an item that changed subject goes to its place.
    let at = group.length;
    while (at > 0 && group[at - 1]!.order > fact.order) at -= 1;
    group.splice(at, 0, fact);
  }

  private removeFact(fact: StoredFact | undefined): void {
    if (fact === undefined) return;
    const content = fact.content.trim();
    const count = this.contents.get(content)!;
    if (count === 1) this.contents.delete(content);
    else this.contents.set(content, count - 1);
    const subject = fact.key.subject;
    if (subject === undefined) return;
    const group = this.groups.get(subject)!;
    if (group.length === 1) this.groups.delete(subject);
    else group.splice(group.indexOf(fact), 1);
  }
}
