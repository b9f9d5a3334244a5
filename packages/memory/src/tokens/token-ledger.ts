import type { MemoryItem, MemoryView, TokenCounter } from "@finemem/spec";

/**
 * Token counts of memory items, computed on first use and cached per item version. The store hands
 * out one immutable item object per version (shared by views and forks), so the cache is keyed by
 * that object and an UPDATE, which makes a new object, is counted afresh.
 */
export interface TokenLedger {
  readonly encoding: string;
  /** Tokens of one item's content. */
  item(item: MemoryItem): number;
  /** Tokens of every item of a view: L(M) of the compression reward. */
  view(view: MemoryView): number;
  /** Tokens of any text (not cached). */
  text(text: string): number;
}

export function createTokenLedger(counter: TokenCounter): TokenLedger {
  const counts = new WeakMap<MemoryItem, number>();
  const item = (memoryItem: MemoryItem): number => {
    let count = counts.get(memoryItem);
    if (count === undefined) {
      count = counter.count(memoryItem.content);
      counts.set(memoryItem, count);
    }
    return count;
  };
  return {
    encoding: counter.encoding,
    item,
    view(view) {
      let total = 0;
      for (const memoryItem of view.items) total += item(memoryItem);
      return total;
    },
    text: (text) => counter.count(text),
  };
}
