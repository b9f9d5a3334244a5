import { createRequire } from "node:module";
import type { TokenCounter } from "@finemem/spec";
import type { TiktokenBPE } from "js-tiktoken/lite";

interface O200kTables {
  /** Rank of each token, keyed by its bytes as a binary string (one char per byte, 0–255). */
  readonly ranks: ReadonlyMap<string, number>;
  /** The encoding's pre-tokenizer: each match is encoded on its own. */
  readonly pieces: RegExp;
  /** Special-token texts, which js-tiktoken's `encode` refuses by default. */
  readonly special: RegExp;
}

let shared: O200kTables | undefined;

/**
 * The o200k tables, built on the first count and then shared by every counter in the process. The
 * ranks are 2 MB of JavaScript, so they are required then too, not imported with this module: a
 * package that takes other helpers from here and never counts tokens does not parse them.
 *
 * js-tiktoken's own encoder takes about 0.8 s to build here (it keys its map by comma-joined byte
 * lists and keeps an inverse map for decoding), which every `finemem eval` paid before its first
 * step. A counter needs neither: binary-string keys decoded with `atob` build in about a tenth of that.
 */
function tables(): O200kTables {
  if (shared === undefined) {
    const require = createRequire(import.meta.url);
    const bpe = require("js-tiktoken/ranks/o200k_base") as TiktokenBPE;
    const ranks = new Map<string, number>();
    // Each line: a label, the rank of its first token, then base64 tokens of consecutive ranks.
    for (const line of bpe.bpe_ranks.split("\n")) {
      if (line.length === 0) continue;
      const fields = line.split(" ");
      const offset = Number.parseInt(fields[1]!, 10);
      for (let field = 2; field < fields.length; field += 1) ranks.set(atob(fields[field]!), offset + field - 2);
    }
    const escapeRegExp = (text: string) => text.replace(/[\\^$*+?.()|[\]{}]/g, "\\$&");
    shared = {
      ranks,
      pieces: new RegExp(bpe.pat_str, "gu"),
      special: new RegExp(Object.keys(bpe.special_tokens).map(escapeRegExp).join("|")),
    };
  }
  return shared;
}

// The UTF-8 bytes of a piece as a binary string (ASCII text is its own).
function bytesOf(piece: string): string {
  for (let at = 0; at < piece.length; at += 1)
    if (piece.charCodeAt(at) > 0x7f) return Buffer.from(piece, "utf8").toString("latin1");
  return piece;
}

/**
 * How many tokens byte-pair merging leaves of a piece that is not itself a token: tiktoken's merge
 * (repeatedly join the adjacent pair whose bytes have the lowest rank, the leftmost on a tie), with
 * each pair's rank kept and only the merged part's neighbours looked up again.
 */
function mergedLength(bytes: string, ranks: ReadonlyMap<string, number>): number {
  const starts: number[] = [];
  for (let at = 0; at <= bytes.length; at += 1) starts.push(at);
  const rankOf = (part: number) =>
    part + 2 < starts.length
      ? (ranks.get(bytes.slice(starts[part]!, starts[part + 2]!)) ?? Number.POSITIVE_INFINITY)
      : Number.POSITIVE_INFINITY;
  // pairRanks[i]: the rank of parts i and i + 1 joined.
  const pairRanks: number[] = [];
  for (let part = 0; part + 1 < bytes.length; part += 1) pairRanks.push(rankOf(part));
  while (pairRanks.length > 0) {
    let best = 0;
    for (let pair = 1; pair < pairRanks.length; pair += 1) if (pairRanks[pair]! < pairRanks[best]!) best = pair;
    if (pairRanks[best] === Number.POSITIVE_INFINITY) break;
    starts.splice(best + 1, 1);
    pairRanks.splice(best, 1);
    if (best < pairRanks.length) pairRanks[best] = rankOf(best);
    if (best > 0) pairRanks[best - 1] = rankOf(best - 1);
  }
  return starts.length - 1;
}

/**
 * The number of tokens js-tiktoken's `o200k_base` `encode(text)` returns, computed without building
 * its encoder: the same pre-tokenizer, the same ranks and the same merge, counting instead of
 * collecting ids. Like `encode` with its defaults, text that contains a special token
 * (`<|endoftext|>`) is refused.
 */
function countTokens(text: string): number {
  const { ranks, pieces, special } = tables();
  const specialToken = special.exec(text);
  if (specialToken !== null)
    throw new Error(`The text contains a special token that is not allowed: ${specialToken[0]}`);
  let count = 0;
  for (const match of text.matchAll(pieces)) {
    const bytes = bytesOf(match[0]);
    count += bytes.length === 1 || ranks.has(bytes) ? 1 : mergedLength(bytes, ranks);
  }
  return count;
}

/**
 * Token counts in OpenAI's `o200k_base` encoding (gpt-4o-mini's, which Mem-α counts memory and chunk
 * lengths with), equal to js-tiktoken's. The store counts memory with it, chunking packs sentences to
 * an o200k budget and the long-context baseline trims to one: a single counter keeps those lengths
 * comparable, and no package needs the store only to count. Its tables are built on the first
 * `count` (about 0.1 s) and shared by every counter in the process.
 */
export function createO200kTokenCounter(): TokenCounter {
  return { encoding: "o200k_base", count: countTokens };
}
