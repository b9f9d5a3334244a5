import { logOfHalfInteger } from "./precise-log.js";
import { tokenizeForBm25 } from "./tokenize.js";

/** @internal A restored index's posting lists as its image holds them: list t is cells[starts[t] .. starts[t + 1]). */
export interface PackedPostings {
  readonly cells: Int32Array;
  readonly starts: Int32Array;
}

/** @internal Where a restored index's terms come from until it builds its own list and dictionary. */
export interface TermSource {
  readonly count: number;
  /** The term of a term id. */
  readonly name: (termId: number) => string;
  /** The term id of a term, or undefined (what the dictionary would answer). */
  readonly find: (term: string) => number | undefined;
}

/** rank_bm25's BM25Okapi defaults, which Mem-α uses unchanged. */
export interface Bm25Parameters {
  readonly k1: number;
  readonly b: number;
  /** Negative idf values are replaced by `epsilon × average idf`. */
  readonly epsilon: number;
}

export const BM25_OKAPI_DEFAULTS: Bm25Parameters = Object.freeze({ k1: 1.5, b: 0.75, epsilon: 0.25 });

/** One hit of {@link Bm25Index.search}. */
export interface Bm25Hit {
  /** The key the document was added under. */
  readonly key: number;
  readonly score: number;
}

export interface Bm25SearchOptions {
  readonly topK: number;
  /** Only documents whose kind is in this list (kinds are small integers given to `add`). */
  readonly kinds?: readonly number[];
}

const INITIAL_POSTINGS = 4;
// A term's posting list is compacted once it holds this many dead entries and more dead than live.
const COMPACT_MIN_DEAD = 16;
// Slots are renumbered once at least this many exist and fewer than a third are live.
const COMPACT_MIN_SLOTS = 4096;

/**
 * An incremental BM25 inverted index whose scores equal rank_bm25's `BM25Okapi.get_scores` over the
 * live documents, taken in the order they were added.
 *
 * - Documents are added under a caller's integer `key` (the tie-break: smaller keys rank first, as the
 *   earlier insertion does in Mem-α's stable sort) and an optional integer `kind` for filtering.
 * - `remove` makes a document dead at once: document frequencies, the document count and the average
 *   length fall immediately; its postings are skipped and compacted away lazily.
 * - Scores follow rank_bm25's floating-point order: query terms in order (repeats included), each
 *   term adding `idf · tf(k1+1) / (tf + k1(1 − b + b·dl/avgdl))`. The average idf (needed only when a
 *   query term has a negative idf) sums idf over the vocabulary in first-appearance order, which is
 *   rank_bm25's dict order for an index built without removals. After removals or re-adds the order
 *   is the index's own, so that one sum may differ from a fresh build in the last bits (about 1e-14).
 *
 * Logarithms are correctly rounded (`precise-log.ts`), as glibc's are for all but rare arguments,
 * rather than V8's `Math.log`, which rounds about 1% of them the other way from rank_bm25's.
 *
 * Storage is typed arrays: per term a growable list of (document slot, term frequency) pairs, per
 * slot its length, key, kind and liveness, so queries touch only the postings of the query's terms.
 */
export class Bm25Index {
  readonly parameters: Bm25Parameters;

  // Vocabulary.
  // An index restored from a snapshot image reads its terms from the image when it first needs its
  // dictionary (a search or an add), not when it opens: `terms()` and `dictionary()` build them.
  private termIds: Map<string, number> | undefined = new Map<string, number>();
  private termNames: string[] | undefined = [];
  private termSource: TermSource | undefined = undefined;
  private documentFrequency = new Int32Array(64);
  private postings: (Int32Array | undefined)[] = []; // interleaved [slot, tf, slot, tf, ...]
  // An index restored from a snapshot image holds its lists packed, as the image has them, and makes
  // each list (a view of the image) when first used: tens of thousands of array objects a reopen would
  // otherwise build and the garbage collector copy. `list()` reads through it.
  private packedPostings: PackedPostings | undefined = undefined;
  private postingLength = new Int32Array(64); // used int32 cells of each list
  private deadPostings = new Int32Array(64);
  // Live terms in first-appearance order; an entry is stale when `vocabularyPosition` points elsewhere.
  private vocabularyOrder: number[] = [];
  private vocabularyPosition = new Int32Array(64);
  private liveTerms = 0;
  // Per-document term counting without allocation: a term was seen in the document being added
  // when its mark equals the document epoch.
  private termSeenInDocument = new Int32Array(64);
  private termPositionInDocument = new Int32Array(64);
  private documentEpoch = 0;
  private scratchTerms = new Int32Array(64);
  private scratchFrequencies = new Int32Array(64);

  // Documents (slots are never reused, so a dead slot's postings can be recognised).
  private slotCount = 0;
  private slotLength = new Int32Array(64);
  private slotKey = new Float64Array(64);
  private slotKind = new Uint8Array(64);
  private slotAlive = new Uint8Array(64);
  // Each live slot's distinct terms, interleaved [termId, tf, ...], in one pool (read on removal).
  // An index restored from a snapshot image holds no pool (it is the postings transposed). An add
  // allocates it and appends its run after the restored ones, which stay unfilled (`unfilledSlots`:
  // slots below it have no run in the pool yet) until a removal, a compaction or a clone reads them:
  // `pool()` fills them from the postings then.
  private termPool: Int32Array | undefined = new Int32Array(1024);
  private unfilledSlots = 0;
  private poolUsed = 0;
  private deadPoolCells = 0;
  private slotTermsStart = new Int32Array(64);
  private slotTermsCount = new Int32Array(64);
  // Each live document's slot by key: small non-negative integer keys (a store's, which number its
  // documents 0, 1, 2, …) in an array holding slot + 1 (0 for none), any other key in the map. An
  // array read instead of a hash-table lookup and insertion on each add: on a large index those are
  // cache misses costing as much as the rest of the add.
  private slotOfKey = new Int32Array(64);
  private keyToSlot = new Map<number, number>();
  private liveDocuments = 0;
  private totalLength = 0;

  // Query scratch space, reused across queries.
  private accumulator = new Float64Array(64);
  private touchedEpoch = new Int32Array(64);
  private epoch = 0;
  private touched = new Int32Array(64);

  private averageIdfCache: { revision: number; value: number } | undefined;
  private revision = 0;

  constructor(parameters: Partial<Bm25Parameters> = {}) {
    this.parameters = Object.freeze({ ...BM25_OKAPI_DEFAULTS, ...parameters });
  }

  /** Live documents. */
  get size(): number {
    return this.liveDocuments;
  }

  /**
   * Document slots held, live and dead (each update or removal leaves a dead one). Past 4096 slots the
   * index renumbers them whenever fewer than a third are live, so long-lived memory stays bounded.
   */
  get allocatedSlots(): number {
    return this.slotCount;
  }

  /** Whether a document is live under `key`. */
  has(key: number): boolean {
    return this.slotFor(key) !== undefined;
  }

  /** Adds a document from its text (tokenized as Mem-α does). Replaces any live document under `key`. */
  add(key: number, text: string, kind = 0): void {
    this.addTokens(key, tokenizeForBm25(text), kind);
  }

  /** Adds a document from tokens already produced by {@link tokenizeForBm25}. */
  addTokens(key: number, tokens: readonly string[], kind = 0): void {
    if (this.slotFor(key) !== undefined) this.remove(key);
    if (this.termPool === undefined) this.startPool();
    const slot = this.slotCount++;
    this.ensureSlotCapacity(this.slotCount);
    this.slotLength[slot] = tokens.length;
    this.slotKey[slot] = key;
    this.slotKind[slot] = kind;
    this.slotAlive[slot] = 1;
    this.setSlotFor(key, slot);
    this.liveDocuments += 1;
    this.totalLength += tokens.length;

    // Term frequencies in first-appearance order within the document (rank_bm25's dict order),
    // counted in scratch arrays rather than a Map per document: adds are the hot path of a step.
    this.documentEpoch += 1;
    let distinct = 0;
    if (this.scratchTerms.length < tokens.length) {
      this.scratchTerms = new Int32Array(tokens.length * 2);
      this.scratchFrequencies = new Int32Array(tokens.length * 2);
    }
    const termIds = this.dictionary();
    for (const token of tokens) {
      let termId = termIds.get(token);
      if (termId === undefined) termId = this.createTerm(token);
      if (this.termSeenInDocument[termId] === this.documentEpoch) {
        this.scratchFrequencies[this.termPositionInDocument[termId]!]! += 1;
      } else {
        this.termSeenInDocument[termId] = this.documentEpoch;
        this.termPositionInDocument[termId] = distinct;
        this.scratchTerms[distinct] = termId;
        this.scratchFrequencies[distinct] = 1;
        distinct += 1;
      }
    }
    this.ensurePoolCapacity(this.poolUsed + distinct * 2);
    const pool = this.termPool!;
    this.slotTermsStart[slot] = this.poolUsed;
    this.slotTermsCount[slot] = distinct;
    for (let position = 0; position < distinct; position++) {
      const termId = this.scratchTerms[position]!;
      const frequency = this.scratchFrequencies[position]!;
      pool[this.poolUsed++] = termId;
      pool[this.poolUsed++] = frequency;
      if (this.documentFrequency[termId] === 0) {
        this.vocabularyPosition[termId] = this.vocabularyOrder.length;
        this.vocabularyOrder.push(termId);
        this.liveTerms += 1;
      }
      this.documentFrequency[termId]! += 1;
      this.appendPosting(termId, slot, frequency);
    }
    this.revision += 1;
  }

  /** Removes the live document under `key`; returns false when there is none. */
  remove(key: number): boolean {
    const slot = this.slotFor(key);
    if (slot === undefined) return false;
    // Before the slot is marked dead: a pool rebuilt from the postings holds only live slots' terms.
    const pool = this.pool();
    if (this.isArrayKey(key)) this.slotOfKey[key] = 0;
    else this.keyToSlot.delete(key);
    this.slotAlive[slot] = 0;
    this.liveDocuments -= 1;
    this.totalLength -= this.slotLength[slot]!;
    const start = this.slotTermsStart[slot]!;
    const end = start + this.slotTermsCount[slot]! * 2;
    this.deadPoolCells += end - start;
    for (let cursor = start; cursor < end; cursor += 2) {
      const termId = pool[cursor]!;
      this.documentFrequency[termId]! -= 1;
      this.deadPostings[termId]! += 1;
      if (this.documentFrequency[termId] === 0) {
        this.vocabularyPosition[termId] = -1;
        this.liveTerms -= 1;
        this.postingLength[termId] = 0;
        this.deadPostings[termId] = 0;
      } else if (
        this.deadPostings[termId]! >= COMPACT_MIN_DEAD &&
        this.deadPostings[termId]! > this.documentFrequency[termId]!
      ) {
        this.compactTerm(termId);
      }
    }
    if (this.vocabularyOrder.length > 64 && this.vocabularyOrder.length > 2 * this.liveTerms) this.compactVocabulary();
    // Slots are never reused (a dead slot's postings must stay recognisable), so a long-lived index
    // that keeps updating renumbers its live slots once most slots are dead.
    if (this.slotCount >= COMPACT_MIN_SLOTS && this.liveDocuments * 3 < this.slotCount) this.compactSlots();
    else if (this.deadPoolCells > 4096 && this.deadPoolCells * 2 > this.poolUsed) this.compactPool();
    this.revision += 1;
    return true;
  }

  /**
   * Scores every live document for a tokenized query, in the order documents were added
   * (rank_bm25's `get_scores`). Meant for tests and small corpora; `search` is the fast path.
   */
  scoreAll(queryTokens: readonly string[]): { keys: number[]; scores: number[] } {
    const keys: number[] = [];
    const scores: number[] = [];
    if (this.liveDocuments === 0) return { keys, scores };
    this.accumulate(queryTokens);
    const slots: number[] = [];
    for (let slot = 0; slot < this.slotCount; slot++) if (this.slotAlive[slot] === 1) slots.push(slot);
    slots.sort((a, b) => this.slotKey[a]! - this.slotKey[b]!);
    for (const slot of slots) {
      keys.push(this.slotKey[slot]!);
      scores.push(this.touchedEpoch[slot] === this.epoch ? this.accumulator[slot]! : 0);
    }
    return { keys, scores };
  }

  /**
   * The best `topK` live documents for a query: score descending, ties by smaller key. Documents the
   * query does not touch score 0 and are included when fewer than `topK` score above 0, as in
   * Mem-α, which sorts every memory by score and takes the first k.
   */
  search(query: string | readonly string[], options: Bm25SearchOptions): Bm25Hit[] {
    const topK = Math.floor(options.topK);
    if (this.liveDocuments === 0 || !(topK > 0)) return [];
    const tokens = typeof query === "string" ? tokenizeForBm25(query) : query;
    const touchedCount = this.accumulate(tokens);
    const kindMask = options.kinds === undefined ? undefined : kindsToMask(options.kinds);

    const positive = new TopK(topK);
    let negatives: number[] | undefined;
    for (let index = 0; index < touchedCount; index++) {
      const slot = this.touched[index]!;
      if (kindMask !== undefined && (kindMask & (1 << this.slotKind[slot]!)) === 0) continue;
      const score = this.accumulator[slot]!;
      if (score > 0) positive.offer(slot, score, this.slotKey[slot]!);
      else if (score < 0) {
        negatives ??= [];
        negatives.push(slot);
      }
    }
    const hits: Bm25Hit[] = positive
      .drain()
      .map((slot) => ({ key: this.slotKey[slot]!, score: this.accumulator[slot]! }));
    if (hits.length >= topK) return hits;

    // Fill with zero-score documents (touched with a zero sum, or untouched), smallest keys first.
    const zeros = new TopK(topK - hits.length);
    for (let slot = 0; slot < this.slotCount; slot++) {
      if (this.slotAlive[slot] === 0) continue;
      if (kindMask !== undefined && (kindMask & (1 << this.slotKind[slot]!)) === 0) continue;
      if (this.touchedEpoch[slot] === this.epoch && this.accumulator[slot] !== 0) continue;
      zeros.offer(slot, 0, this.slotKey[slot]!);
    }
    for (const slot of zeros.drain()) hits.push({ key: this.slotKey[slot]!, score: 0 });
    if (hits.length >= topK || negatives === undefined) return hits;

    negatives.sort((a, b) => this.accumulator[b]! - this.accumulator[a]! || this.slotKey[a]! - this.slotKey[b]!);
    for (const slot of negatives) {
      if (hits.length >= topK) break;
      hits.push({ key: this.slotKey[slot]!, score: this.accumulator[slot]! });
    }
    return hits;
  }

  /** An independent copy (used by copy-on-write forks of a store). */
  clone(): Bm25Index {
    const copy = new Bm25Index(this.parameters);
    copy.termIds = new Map(this.dictionary());
    copy.termNames = [...this.terms()];
    copy.documentFrequency = this.documentFrequency.slice();
    copy.postings = this.postingLists().map((list, termId) =>
      list.slice(0, this.postingLength[termId]! + INITIAL_POSTINGS),
    );
    copy.postingLength = this.postingLength.slice();
    copy.deadPostings = this.deadPostings.slice();
    copy.vocabularyOrder = [...this.vocabularyOrder];
    copy.vocabularyPosition = this.vocabularyPosition.slice();
    copy.liveTerms = this.liveTerms;
    copy.slotCount = this.slotCount;
    copy.slotLength = this.slotLength.slice();
    copy.slotKey = this.slotKey.slice();
    copy.slotKind = this.slotKind.slice();
    copy.slotAlive = this.slotAlive.slice();
    copy.termPool = this.pool().slice(0, Math.max(this.poolUsed, 1024));
    copy.poolUsed = this.poolUsed;
    copy.deadPoolCells = this.deadPoolCells;
    copy.slotTermsStart = this.slotTermsStart.slice();
    copy.slotTermsCount = this.slotTermsCount.slice();
    copy.termSeenInDocument = new Int32Array(this.termSeenInDocument.length);
    copy.termPositionInDocument = new Int32Array(this.termPositionInDocument.length);
    copy.slotOfKey = this.slotOfKey.slice();
    copy.keyToSlot = new Map(this.keyToSlot);
    copy.liveDocuments = this.liveDocuments;
    copy.totalLength = this.totalLength;
    copy.accumulator = new Float64Array(this.accumulator.length);
    copy.touchedEpoch = new Int32Array(this.touchedEpoch.length);
    copy.touched = new Int32Array(this.touched.length);
    copy.revision = this.revision;
    return copy;
  }

  /** rank_bm25's `average_idf`: the mean idf over the live vocabulary, in first-appearance order. */
  averageIdf(): number {
    if (this.averageIdfCache?.revision === this.revision) return this.averageIdfCache.value;
    const documents = this.liveDocuments;
    let sum = 0;
    let count = 0;
    for (let position = 0; position < this.vocabularyOrder.length; position++) {
      const termId = this.vocabularyOrder[position]!;
      if (this.vocabularyPosition[termId] !== position) continue;
      const frequency = this.documentFrequency[termId]!;
      sum += logOfHalfInteger(documents - frequency) - logOfHalfInteger(frequency);
      count += 1;
    }
    // rank_bm25 divides by zero here when every document is empty; no query term can then match, so
    // the value is never used and 0 keeps scores finite.
    const value = count === 0 ? 0 : sum / count;
    this.averageIdfCache = { revision: this.revision, value };
    return value;
  }

  /** Adds each query term's contribution into the accumulator; returns how many slots it touched. */
  private accumulate(queryTokens: readonly string[]): number {
    const { k1, b, epsilon } = this.parameters;
    const documents = this.liveDocuments;
    const averageLength = this.totalLength / documents;
    const k1PlusOne = k1 + 1;
    const oneMinusB = 1 - b;
    this.epoch += 1;
    if (this.epoch === 0x7fffffff) {
      this.touchedEpoch.fill(0);
      this.epoch = 1;
    }
    const epoch = this.epoch;
    const accumulator = this.accumulator;
    const touchedEpoch = this.touchedEpoch;
    const slotAlive = this.slotAlive;
    const slotLength = this.slotLength;
    let touchedCount = 0;
    // A restored index answers queries from its image's sorted terms until a write builds its dictionary.
    const termIds = this.termIds;
    const source = this.termSource;
    for (const token of queryTokens) {
      const termId = termIds !== undefined ? termIds.get(token) : source!.find(token);
      if (termId === undefined) continue;
      const frequency = this.documentFrequency[termId]!;
      if (frequency === 0) continue;
      let idf = logOfHalfInteger(documents - frequency) - logOfHalfInteger(frequency);
      if (idf < 0) idf = epsilon * this.averageIdf();
      // An idf of exactly 0 adds 0 to every document (rank_bm25 keeps it at 0, not at the floor).
      if (idf === 0) continue;
      const list = this.postings[termId] ?? this.list(termId);
      const length = this.postingLength[termId]!;
      for (let cursor = 0; cursor < length; cursor += 2) {
        const slot = list[cursor]!;
        if (slotAlive[slot] === 0) continue;
        const tf = list[cursor + 1]!;
        // The same operations in the same order as rank_bm25's numpy expression.
        const contribution =
          idf * ((tf * k1PlusOne) / (tf + k1 * (oneMinusB + (b * slotLength[slot]!) / averageLength)));
        if (touchedEpoch[slot] !== epoch) {
          touchedEpoch[slot] = epoch;
          accumulator[slot] = 0;
          this.touched[touchedCount++] = slot;
        }
        accumulator[slot]! += contribution;
      }
    }
    return touchedCount;
  }

  private createTerm(token: string): number {
    const termNames = this.terms();
    const termId = termNames.length;
    this.dictionary().set(token, termId);
    termNames.push(token);
    if (termId >= this.documentFrequency.length) {
      const capacity = this.documentFrequency.length * 2;
      this.documentFrequency = grow(this.documentFrequency, capacity);
      this.postingLength = grow(this.postingLength, capacity);
      this.deadPostings = grow(this.deadPostings, capacity);
      this.vocabularyPosition = grow(this.vocabularyPosition, capacity);
      this.termSeenInDocument = grow(this.termSeenInDocument, capacity);
      this.termPositionInDocument = grow(this.termPositionInDocument, capacity);
    }
    this.postings.push(new Int32Array(INITIAL_POSTINGS));
    return termId;
  }

  private appendPosting(termId: number, slot: number, frequency: number): void {
    let list = this.postings[termId] ?? this.list(termId);
    const length = this.postingLength[termId]!;
    if (length + 2 > list.length) {
      // Int32Array by name, not `grow`: one call site per array type keeps this hot path monomorphic.
      const bigger = new Int32Array(list.length * 2);
      bigger.set(list);
      list = bigger;
      this.postings[termId] = list;
    }
    list[length] = slot;
    list[length + 1] = frequency;
    this.postingLength[termId] = length + 2;
  }

  private compactTerm(termId: number): void {
    const list = this.list(termId);
    const length = this.postingLength[termId]!;
    let write = 0;
    for (let read = 0; read < length; read += 2) {
      if (this.slotAlive[list[read]!] === 0) continue;
      list[write] = list[read]!;
      list[write + 1] = list[read + 1]!;
      write += 2;
    }
    this.postingLength[termId] = write;
    this.deadPostings[termId] = 0;
  }

  private compactVocabulary(): void {
    const order: number[] = [];
    for (let position = 0; position < this.vocabularyOrder.length; position++) {
      const termId = this.vocabularyOrder[position]!;
      if (this.vocabularyPosition[termId] !== position) continue;
      this.vocabularyPosition[termId] = order.length;
      order.push(termId);
    }
    this.vocabularyOrder = order;
  }

  /**
   * Allocates the pool of an index restored without one, leaving the restored slots' runs to be filled
   * when first read (they lie below poolUsed, where adds never write).
   */
  private startPool(): Int32Array {
    this.termPool = new Int32Array(Math.max(1024, this.poolUsed));
    this.unfilledSlots = this.slotCount;
    return this.termPool;
  }

  /** Grows the pool to hold `needed` cells (addTokens has started a restored index's pool). */
  private ensurePoolCapacity(needed: number): void {
    const pool = this.termPool!;
    if (needed <= pool.length) return;
    let capacity = Math.max(pool.length, 1024);
    while (capacity < needed) capacity *= 2;
    this.termPool = grow(pool, capacity);
  }

  /** A term's posting list, made from the packed lists first when this index was restored with them. */
  private list(termId: number): Int32Array {
    let list = this.postings[termId];
    if (list === undefined) {
      const { cells, starts } = this.packedPostings!;
      const start = starts[termId]!;
      const end = starts[termId + 1]!;
      // An empty list gets room of its own: growing doubles the length, which 0 would keep.
      list = end > start ? cells.subarray(start, end) : new Int32Array(INITIAL_POSTINGS);
      this.postings[termId] = list;
    }
    return list;
  }

  /** Every posting list, made first where this index was restored with them packed. */
  private postingLists(): Int32Array[] {
    for (let termId = 0; termId < this.postings.length; termId++) this.list(termId);
    this.packedPostings = undefined;
    return this.postings as Int32Array[];
  }

  /**
   * @internal The posting lists packed as a snapshot image stores them (each up to its used length,
   * without spare capacity): the form a restored index makes its lists from.
   */
  packPostings(): PackedPostings {
    const lists = this.postingLists();
    const starts = new Int32Array(lists.length + 1);
    for (let termId = 0; termId < lists.length; termId++)
      starts[termId + 1] = starts[termId]! + this.postingLength[termId]!;
    const cells = new Int32Array(starts[lists.length]!);
    for (let termId = 0; termId < lists.length; termId++)
      cells.set(lists[termId]!.subarray(0, this.postingLength[termId]!), starts[termId]!);
    return { cells, starts };
  }

  /** @internal Every term, by term id (a snapshot image stores these rather than the dictionary). */
  terms(): string[] {
    if (this.termNames === undefined) {
      const { count, name } = this.termSource!;
      const names: string[] = new Array(count);
      for (let termId = 0; termId < count; termId++) names[termId] = name(termId);
      this.termNames = names;
    }
    return this.termNames;
  }

  /** Term → term id, built from the terms first when this index was restored without it. */
  private dictionary(): Map<string, number> {
    if (this.termIds === undefined) {
      const names = this.terms();
      const termIds = new Map<string, number>();
      for (let termId = 0; termId < names.length; termId++) termIds.set(names[termId]!, termId);
      this.termIds = termIds;
      // Searches use the dictionary from now on (the source answers them until then, terms built or not).
      this.termSource = undefined;
    }
    return this.termIds;
  }

  /** The term pool, rebuilt from the postings first when this index was restored without it. */
  private pool(): Int32Array {
    const pool = this.termPool ?? this.startPool();
    if (this.unfilledSlots > 0) {
      this.fillRunsFromPostings(pool, this.unfilledSlots);
      this.unfilledSlots = 0;
    }
    return pool;
  }

  /**
   * Writes the runs of the live slots below `slots` into `pool` as the postings give them: each where
   * it was, holding its terms in term-id order rather than the order they came in (nothing reads a run
   * in order: a removal visits each term once, compactions copy runs whole). Dead runs stay zero, as
   * they are never read again.
   */
  private fillRunsFromPostings(pool: Int32Array, slots: number): void {
    const next = this.slotTermsStart.slice(0, slots);
    for (let termId = 0; termId < this.postings.length; termId++) {
      const list = this.list(termId);
      const length = this.postingLength[termId]!;
      for (let cursor = 0; cursor < length; cursor += 2) {
        const slot = list[cursor]!;
        if (slot >= slots || this.slotAlive[slot] === 0) continue;
        pool[next[slot]!++] = termId;
        pool[next[slot]!++] = list[cursor + 1]!;
      }
    }
    for (let slot = 0; slot < slots; slot++)
      if (this.slotAlive[slot] === 1 && next[slot] !== this.slotTermsStart[slot]! + this.slotTermsCount[slot]! * 2)
        throw new Error(`the postings do not hold slot ${slot}'s terms`);
  }

  /**
   * Renumbers the live slots 0..n−1 in their order and rebuilds the postings and the term pool from
   * them. Scores do not depend on slot numbers or posting order, only on each document's terms.
   */
  private compactSlots(): void {
    const live: number[] = [];
    for (let slot = 0; slot < this.slotCount; slot++) if (this.slotAlive[slot] === 1) live.push(slot);
    const capacity = Math.max(64, live.length * 2);
    const length = new Int32Array(capacity);
    const key = new Float64Array(capacity);
    const kind = new Uint8Array(capacity);
    const alive = new Uint8Array(capacity);
    const termsStart = new Int32Array(capacity);
    const termsCount = new Int32Array(capacity);
    const oldPool = this.pool();
    const pool = new Int32Array(Math.max(1024, this.poolUsed - this.deadPoolCells));
    this.postingLength.fill(0);
    this.deadPostings.fill(0);
    let used = 0;
    live.forEach((oldSlot, slot) => {
      length[slot] = this.slotLength[oldSlot]!;
      key[slot] = this.slotKey[oldSlot]!;
      kind[slot] = this.slotKind[oldSlot]!;
      alive[slot] = 1;
      this.setSlotFor(key[slot]!, slot);
      const start = this.slotTermsStart[oldSlot]!;
      const cells = this.slotTermsCount[oldSlot]! * 2;
      termsStart[slot] = used;
      termsCount[slot] = cells / 2;
      for (let cursor = start; cursor < start + cells; cursor += 2) {
        const termId = oldPool[cursor]!;
        const frequency = oldPool[cursor + 1]!;
        pool[used++] = termId;
        pool[used++] = frequency;
        this.appendPosting(termId, slot, frequency);
      }
    });
    this.slotLength = length;
    this.slotKey = key;
    this.slotKind = kind;
    this.slotAlive = alive;
    this.slotTermsStart = termsStart;
    this.slotTermsCount = termsCount;
    this.slotCount = live.length;
    this.termPool = pool;
    this.poolUsed = used;
    this.deadPoolCells = 0;
    this.accumulator = new Float64Array(capacity);
    this.touchedEpoch = new Int32Array(capacity);
    this.touched = new Int32Array(capacity);
    this.epoch = 0;
  }

  /** Drops the term lists of dead slots from the pool. */
  private compactPool(): void {
    const oldPool = this.pool();
    const pool = new Int32Array(Math.max(1024, (this.poolUsed - this.deadPoolCells) * 2));
    let used = 0;
    // Live slots in slot order: the order their documents were added, as the key map's was.
    for (let slot = 0; slot < this.slotCount; slot++) {
      if (this.slotAlive[slot] === 0) continue;
      const start = this.slotTermsStart[slot]!;
      const cells = this.slotTermsCount[slot]! * 2;
      pool.set(oldPool.subarray(start, start + cells), used);
      this.slotTermsStart[slot] = used;
      used += cells;
    }
    this.termPool = pool;
    this.poolUsed = used;
    this.deadPoolCells = 0;
  }

  /** Whether `key`'s live document is recorded in the array (a nonzero cell). */
  private isArrayKey(key: number): boolean {
    const cell = this.slotOfKey[key];
    return cell !== undefined && cell !== 0;
  }

  /** The slot of the live document under `key`, if any. */
  private slotFor(key: number): number | undefined {
    // Integer keys index the array; a fractional or out-of-range key reads undefined there.
    const cell = this.slotOfKey[key];
    if (cell !== undefined && cell !== 0) return cell - 1;
    return this.keyToSlot.size === 0 ? undefined : this.keyToSlot.get(key);
  }

  /** Records `slot` under `key`, which has no live document elsewhere (or is being renumbered in place). */
  private setSlotFor(key: number, slot: number): void {
    if (this.isArrayKey(key) || (!this.keyToSlot.has(key) && this.fitsArray(key))) {
      this.slotOfKey[key] = slot + 1;
      return;
    }
    this.keyToSlot.set(key, slot);
  }

  /** Whether a new key goes to the array, growing it when that keeps it within a few cells per slot. */
  private fitsArray(key: number): boolean {
    if (!Number.isInteger(key) || key < 0 || key >= 0x40000000) return false;
    if (key < this.slotOfKey.length) return true;
    let capacity = this.slotOfKey.length;
    while (capacity <= key) capacity *= 2;
    if (capacity > Math.max(1024, 4 * this.slotLength.length)) return false;
    this.slotOfKey = grow(this.slotOfKey, capacity);
    return true;
  }

  private ensureSlotCapacity(needed: number): void {
    if (needed <= this.slotLength.length) return;
    let capacity = this.slotLength.length;
    while (capacity < needed) capacity *= 2;
    this.slotLength = grow(this.slotLength, capacity);
    this.slotKey = grow(this.slotKey, capacity);
    this.slotKind = grow(this.slotKind, capacity);
    this.slotAlive = grow(this.slotAlive, capacity);
    this.slotTermsStart = grow(this.slotTermsStart, capacity);
    this.slotTermsCount = grow(this.slotTermsCount, capacity);
    this.accumulator = grow(this.accumulator, capacity);
    this.touchedEpoch = grow(this.touchedEpoch, capacity);
    this.touched = grow(this.touched, capacity);
  }
}

type TypedArray = Int32Array | Float64Array | Uint8Array;

function grow<T extends TypedArray>(array: T, capacity: number): T {
  const bigger = new (array.constructor as new (length: number) => T)(capacity);
  bigger.set(array);
  return bigger;
}

function kindsToMask(kinds: readonly number[]): number {
  let mask = 0;
  for (const kind of kinds) mask |= 1 << kind;
  return mask;
}

/**
 * A bounded min-heap keeping the best `capacity` entries by (score descending, key ascending).
 * The root is the worst kept entry, so most candidates are rejected with one comparison.
 */
class TopK {
  private readonly slots: number[] = [];
  private readonly scores: number[] = [];
  private readonly keys: number[] = [];

  constructor(private readonly capacity: number) {}

  offer(slot: number, score: number, key: number): void {
    if (this.capacity <= 0) return;
    if (this.slots.length < this.capacity) {
      this.slots.push(slot);
      this.scores.push(score);
      this.keys.push(key);
      this.siftUp(this.slots.length - 1);
      return;
    }
    if (!better(score, key, this.scores[0]!, this.keys[0]!)) return;
    this.slots[0] = slot;
    this.scores[0] = score;
    this.keys[0] = key;
    this.siftDown(0);
  }

  /** The kept slots, best first. */
  drain(): number[] {
    const order = this.slots.map((_, index) => index);
    order.sort((a, b) => (better(this.scores[a]!, this.keys[a]!, this.scores[b]!, this.keys[b]!) ? -1 : 1));
    return order.map((index) => this.slots[index]!);
  }

  private siftUp(index: number): void {
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!better(this.scores[parent]!, this.keys[parent]!, this.scores[index]!, this.keys[index]!)) break;
      this.swap(index, parent);
      index = parent;
    }
  }

  private siftDown(index: number): void {
    const length = this.slots.length;
    for (;;) {
      const left = index * 2 + 1;
      const right = left + 1;
      let worst = index;
      if (left < length && better(this.scores[worst]!, this.keys[worst]!, this.scores[left]!, this.keys[left]!))
        worst = left;
      if (right < length && better(this.scores[worst]!, this.keys[worst]!, this.scores[right]!, this.keys[right]!))
        worst = right;
      if (worst === index) return;
      this.swap(index, worst);
      index = worst;
    }
  }

  private swap(a: number, b: number): void {
    [this.slots[a], this.slots[b]] = [this.slots[b]!, this.slots[a]!];
    [this.scores[a], this.scores[b]] = [this.scores[b]!, this.scores[a]!];
    [this.keys[a], this.keys[b]] = [this.keys[b]!, this.keys[a]!];
  }
}

/** True when (scoreA, keyA) ranks before (scoreB, keyB). */
function better(scoreA: number, keyA: number, scoreB: number, keyB: number): boolean {
  return scoreA > scoreB || (scoreA === scoreB && keyA < keyB);
}
