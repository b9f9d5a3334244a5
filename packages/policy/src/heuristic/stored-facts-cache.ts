import type { MemoryView } from "@finemem/spec";
import type { StoredFacts } from "./stored-facts.js";

interface Entry {
  readonly facts: StoredFacts;
  namespace: string;
  lastUsed: number;
}

/**
 * One {@link StoredFacts} per memory a policy is deciding for: episodes run concurrently share one
 * policy, and updating one memory's maps from another memory's view would cost a rebuild at every
 * step. A view goes to the maps of the memory it most likely continues: the maps whose view starts
 * with the same item object (a store hands out one object per item version, so only the same memory
 * or its forks share one), else the most recent of its namespace, else new maps (the least recently
 * used are dropped past `capacity`). Which maps a view goes to never changes the result (the maps
 * rebuild from a view that does not continue theirs), only its cost.
 */
export class StoredFactsCache {
  // Least recently used first.
  private readonly entries: Entry[] = [];
  private calls = 0;

  constructor(
    private readonly create: () => StoredFacts,
    private readonly capacity = 16,
  ) {}

  /** The maps synced to `view`. */
  factsOf(view: MemoryView): StoredFacts {
    this.calls += 1;
    // A memory in use is decided for every few calls (once per episode in flight); maps unused for
    // twice the capacity in calls belong to a finished episode and would only hold its items alive.
    while (this.entries.length > 0 && this.calls - this.entries[0]!.lastUsed > 2 * this.capacity) this.entries.shift();
    const namespace = JSON.stringify(view.namespace);
    const first = view.items[0];
    let chosen = this.find((facts) => facts.current === view);
    chosen ??= first === undefined ? undefined : this.find((facts) => facts.current?.items[0] === first);
    chosen ??= this.find((_, entryNamespace) => entryNamespace === namespace);
    if (chosen === undefined) {
      chosen = { facts: this.create(), namespace, lastUsed: this.calls };
      if (this.entries.length >= this.capacity) this.entries.shift();
    } else this.entries.splice(this.entries.indexOf(chosen), 1);
    chosen.namespace = namespace;
    chosen.lastUsed = this.calls;
    this.entries.push(chosen);
    chosen.facts.sync(view);
    return chosen.facts;
  }

  // The most recently used entry that matches.
  private find(matches: (facts: StoredFacts, namespace: string) => boolean): Entry | undefined {
    for (let at = this.entries.length - 1; at >= 0; at -= 1) {
      const entry = this.entries[at]!;
      if (matches(entry.facts, entry.namespace)) return entry;
    }
    return undefined;
  }
}
