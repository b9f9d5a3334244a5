import type { MemoryItem, MemoryType, MemoryView } from "@finemem/spec";

export interface RecentItemsOptions {
  /**
   * Keep at most this many items per memory type (per layout in the flat one), the most recently
   * written first; the core paragraph is always kept. Mem-α shows the agent a window like this.
   */
  readonly perType: number;
}

/**
 * The part of a view a prompt shows: the whole memory (no options), or the most recent N items of each
 * kind, where "recent" is the step that wrote the current version (ties: later insertion is more
 * recent). The items keep the view's insertion order, so the prompt reads in the order memory grew.
 */
export function promptView(view: MemoryView, options?: RecentItemsOptions): MemoryView {
  if (options === undefined) return view;
  const limit = Math.max(0, Math.floor(options.perType));
  const byKind = new Map<MemoryType | "flat", { item: MemoryItem; position: number }[]>();
  view.items.forEach((item, position) => {
    const kind = item.memoryType ?? "flat";
    let list = byKind.get(kind);
    if (list === undefined) {
      list = [];
      byKind.set(kind, list);
    }
    list.push({ item, position });
  });
  const kept = new Set<number>();
  for (const [kind, list] of byKind) {
    if (kind === "core") {
      for (const entry of list) kept.add(entry.position);
      continue;
    }
    list
      .sort((a, b) => b.item.step - a.item.step || b.position - a.position)
      .slice(0, limit)
      .forEach((entry) => {
        kept.add(entry.position);
      });
  }
  return { ...view, items: view.items.filter((_, position) => kept.has(position)) };
}
