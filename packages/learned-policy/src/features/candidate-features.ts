import type { MemoryItem } from "@finemem/spec";
import { ACTION_KINDS, type ActionKind, PAIR_FEATURES } from "./feature-groups.js";
import { isFunctionWord, type SentenceTokens, sentenceTokens } from "./sentence-tokens.js";

/** A stored item read once per content: its words, and the step that wrote it. */
export interface IndexedItem {
  readonly item: MemoryItem;
  readonly tokens: SentenceTokens;
  /** Its words less function words, each once. */
  readonly terms: ReadonlySet<string>;
}

/**
 * The items of the view, indexed for one step: an inverted index from word to items and each word's
 * document frequency, so a fact's candidates are found from the items that share a word with it.
 */
export class StepIndex {
  readonly items: readonly IndexedItem[];
  readonly #byTerm = new Map<string, IndexedItem[]>();

  constructor(items: readonly IndexedItem[]) {
    this.items = items;
    for (const indexed of items) {
      for (const term of indexed.terms) {
        const list = this.#byTerm.get(term);
        if (list === undefined) this.#byTerm.set(term, [indexed]);
        else list.push(indexed);
      }
    }
  }

  /** BM25's idf (floored at a small positive value so a word in every item still counts a little). */
  idf(term: string): number {
    const n = this.items.length;
    const df = this.#byTerm.get(term)?.length ?? 0;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  /** Items sharing at least one word with `terms`. */
  sharing(terms: ReadonlySet<string>): Set<IndexedItem> {
    const found = new Set<IndexedItem>();
    for (const term of terms) for (const indexed of this.#byTerm.get(term) ?? []) found.add(indexed);
    return found;
  }
}

export function termsOf(tokens: SentenceTokens): Set<string> {
  return new Set(tokens.all.filter((word) => !isFunctionWord(word)));
}

export function indexItem(item: MemoryItem): IndexedItem {
  const tokens = sentenceTokens(item.content);
  return { item, tokens, terms: termsOf(tokens) };
}

/** One fact of the chunk with its candidates (the k items most like it, best first) and their pair columns. */
export interface FactCandidates {
  readonly text: string;
  readonly tokens: SentenceTokens;
  readonly candidates: readonly { readonly item: MemoryItem; readonly pair: readonly number[] }[];
}

function shared<T>(a: ReadonlySet<T>, b: ReadonlySet<T>): number {
  let count = 0;
  for (const value of a) if (b.has(value)) count++;
  return count;
}

const share = (part: number, whole: number): number => (whole === 0 ? 0 : part / whole);

/**
 * The k items most like the fact, by the idf-weighted share of the fact's words they hold (ties: the
 * more recently written, then the id), skipping items in `taken` (already updated or deleted this step).
 */
export function factCandidates(
  text: string,
  index: StepIndex,
  step: number,
  k: number,
  taken: ReadonlySet<string>,
): FactCandidates {
  const tokens = sentenceTokens(text);
  const terms = termsOf(tokens);
  const idf = new Map([...terms].map((term) => [term, index.idf(term)]));
  let totalIdf = 0;
  for (const weight of idf.values()) totalIdf += weight;
  const scored = [...index.sharing(terms)]
    .filter((indexed) => !taken.has(indexed.item.id))
    .map((indexed) => {
      let weight = 0;
      for (const [term, termIdf] of idf) if (indexed.terms.has(term)) weight += termIdf;
      return { indexed, overlap: share(weight, totalIdf) };
    })
    .sort(
      (a, b) =>
        b.overlap - a.overlap ||
        b.indexed.item.step - a.indexed.item.step ||
        (a.indexed.item.id < b.indexed.item.id ? -1 : a.indexed.item.id > b.indexed.item.id ? 1 : 0),
    )
    .slice(0, k);
  const candidates = scored.map(({ indexed, overlap }, rank) => {
    const other = indexed.tokens;
    const namesShared = shared(tokens.names, other.names);
    const contentShared = shared(tokens.content, other.content);
    const termsShared = shared(terms, indexed.terms);
    const numbersDiffer =
      tokens.numbers.size > 0 && other.numbers.size > 0 && shared(tokens.numbers, other.numbers) < tokens.numbers.size;
    const pair = [
      share(namesShared, tokens.names.size),
      share(namesShared, other.names.size),
      shared(tokens.namePairs, other.namePairs) > 0 ? 1 : 0,
      share(contentShared, tokens.content.size),
      share(contentShared, other.content.size),
      overlap,
      1 / (rank + 1),
      tokens.all.length === other.all.length && tokens.all.every((word, i) => word === other.all[i]) ? 1 : 0,
      share(termsShared, terms.size + indexed.terms.size - termsShared),
      numbersDiffer ? 1 : 0,
      1 - Math.exp(-Math.max(0, step - indexed.item.step) / 5),
    ];
    return { item: indexed.item, pair };
  });
  return { text, tokens, candidates };
}

/** The rows of one fact's decision, in order: SKIP, INSERT, then UPDATE and DELETE of each candidate. */
export function decisionRows(fact: FactCandidates, mask: readonly number[]): { kinds: ActionKind[]; rows: number[][] } {
  const pairWidth = PAIR_FEATURES.length;
  const best = new Array<number>(pairWidth - 1).fill(0);
  for (const { pair } of fact.candidates)
    for (let i = 0; i < pairWidth - 1; i++) best[i] = Math.max(best[i]!, pair[i]!);
  const context = [...best, fact.candidates.length > 0 ? 1 : 0, fact.tokens.names.size > 0 ? 1 : 0];
  const prior = fact.candidates.length === 0 ? 0 : -Math.log(fact.candidates.length);
  const row = (kind: ActionKind, pair: readonly number[]) =>
    [
      ...ACTION_KINDS.map((k) => (k === kind ? 1 : 0)),
      kind === "UPDATE" || kind === "DELETE" ? prior : 0,
      ...pair,
      ...context,
    ].map((value, i) => value * mask[i]!);
  const none = new Array<number>(pairWidth).fill(0);
  const kinds: ActionKind[] = ["SKIP", "INSERT"];
  const rows = [row("SKIP", none), row("INSERT", none)];
  for (const { pair } of fact.candidates) {
    kinds.push("UPDATE", "DELETE");
    rows.push(row("UPDATE", pair), row("DELETE", pair));
  }
  return { kinds, rows };
}
