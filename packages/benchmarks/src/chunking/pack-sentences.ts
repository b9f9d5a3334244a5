import type { TokenCounter } from "@finemem/spec";
import { type SentenceSpan, splitSentences } from "@finemem/utils";

/** MemoryAgentBench's chunk size in o200k tokens. */
export const DEFAULT_CHUNK_TOKENS = 4096;

/** One packed chunk: its text, its sentences, and its size in tokens. */
export interface PackedChunk {
  /** The sentences joined by one space, as MemoryAgentBench's chunker joins them. */
  readonly text: string;
  readonly sentences: readonly SentenceSpan[];
  readonly tokens: number;
  /** True when the chunk is one sentence longer than the budget on its own. */
  readonly oversize: boolean;
}

export interface PackOptions {
  /** The budget in tokens (default 4096). */
  readonly maxTokens?: number;
  readonly tokenCounter: TokenCounter;
}

/**
 * Splits `text` into sentences and packs them greedily, in order, into chunks of at most `maxTokens`
 * tokens: a sentence that would overflow the current chunk starts the next one. A sentence longer than
 * the budget becomes a chunk of its own (never cut, never merged), flagged `oversize`.
 *
 * Sizes count the chunk's real text: the first sentence alone, each later one with the space that
 * joins it. o200k's pre-tokenizer never merges across that space, so the sum equals the count of the
 * joined text (the tests check this).
 */
export function packSentences(text: string, options: PackOptions): PackedChunk[] {
  const maxTokens = options.maxTokens ?? DEFAULT_CHUNK_TOKENS;
  if (!Number.isInteger(maxTokens) || maxTokens < 1)
    throw new RangeError(`maxTokens must be an integer ≥ 1, got ${maxTokens}`);
  const counter = options.tokenCounter;
  const chunks: PackedChunk[] = [];
  let current: SentenceSpan[] = [];
  let currentTokens = 0;
  const flush = () => {
    if (current.length === 0) return;
    chunks.push({
      text: current.map((s) => s.text).join(" "),
      sentences: current,
      tokens: currentTokens,
      oversize: current.length === 1 && currentTokens > maxTokens,
    });
    current = [];
    currentTokens = 0;
  };
  for (const sentence of splitSentences(text)) {
    if (current.length > 0) {
      const joined = counter.count(` ${sentence.text}`);
      if (currentTokens + joined <= maxTokens) {
        current.push(sentence);
        currentTokens += joined;
        continue;
      }
      flush();
    }
    current.push(sentence);
    currentTokens = counter.count(sentence.text);
  }
  flush();
  return chunks;
}
