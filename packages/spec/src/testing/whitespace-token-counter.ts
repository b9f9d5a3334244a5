import type { TokenCounter } from "../retrieval.js";

/**
 * A {@link TokenCounter} that counts whitespace-separated words: predictable by hand in tests. Real
 * lengths use o200k (`@finemem/memory`).
 */
export function createWhitespaceTokenCounter(): TokenCounter {
  return {
    encoding: "whitespace",
    count: (text) => text.split(/\s+/u).filter((word) => word.length > 0).length,
  };
}
