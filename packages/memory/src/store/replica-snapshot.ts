// A binary image of an in-memory store's state (its namespaces' records, operation logs and BM25
// indexes), so a persistent store can restore its replica without replaying its whole log. The
// image is laid out to be read in place: the BM25 index's arrays and the records' fields are typed
// columns the restored store uses as they lie in the image's buffer, strings are one Latin-1 (or
// UTF-16) text sliced when first read, and the operation log stays encoded until something reads it.
// The image is read back only into a store created with the same settings; anything that does not
// fit (another layout of the state classes, a truncated or edited image) throws a SnapshotFormatError,
// and the caller falls back to a full replay.
import type { Id, MemoryItemVersion, MemoryType, Namespace } from "@finemem/spec";
import { Bm25Index, type PackedPostings, type TermSource } from "../bm25/bm25-index.js";
import { framePrefix, readFrame } from "./framed-bytes.js";
import {
  SnapshotFormatError,
  StringTableReader,
  StringTableWriter,
  type TapeColumns,
  TapeReader,
  TapeWriter,
} from "./image-tape.js";
import type { InMemoryStore } from "./in-memory-store.js";
import { namespaceKey } from "./namespace-key.js";
import {
  contentKey,
  type ItemRecord,
  ItemsById,
  itemNumberOf,
  type LoggedOperation,
  NamespaceState,
  type NewestVersionFields,
  RecordTable,
  StoredItemRecord,
} from "./namespace-state.js";
import { OperationLog } from "./operation-log.js";

export { SnapshotFormatError } from "./image-tape.js";

/** Bumped whenever the image's layout changes; an image of another version is never read. */
export const REPLICA_SNAPSHOT_FORMAT_VERSION = 2;

const MAGIC = "FMSNAP02";
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// The fields of a NamespaceState this codec knows how to save and rebuild.
const STATE_FIELDS = [
  "buildContents",
  "buildOperationIds",
  "bySeq",
  "cachedView",
  "contentsBuilt",
  "frozen",
  "index",
  "items",
  "layout",
  "log",
  "namespace",
  "nextItemNumber",
  "nextSeq",
  "operationIdsBuilt",
  "step",
].join(",");

type TypedArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array;
type TypedArrayType = {
  new (length: number): TypedArray;
  new (buffer: ArrayBuffer, byteOffset: number, length: number): TypedArray;
  readonly BYTES_PER_ELEMENT: number;
};
const TYPED_ARRAYS: Record<string, TypedArrayType> = {
  Int8Array,
  Uint8Array,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
} as never;

/** A field of the BM25 index, as the image's header describes it (values other than arrays are on the tape). */
type EncodedField =
  | { readonly t: "tape" }
  | { readonly t: "map" }
  /**
   * The index's terms by term id (a blob of string ids), and the term ids in the terms' order (a
   * blob): a search finds a term by binary search until the index builds its dictionary.
   */
  | { readonly t: "terms"; readonly blob: number; readonly sorted: number }
  /** Not stored: the index rebuilds it from its other fields when it needs it. */
  | { readonly t: "derived" }
  /** A plain array of 32-bit integers, as an Int32 blob. */
  | { readonly t: "ints"; readonly blob: number }
  | { readonly t: "zeros"; readonly c: string; readonly n: number }
  | { readonly t: "typed"; readonly c: string; readonly blob: number }
  /** The posting lists, packed (see Bm25Index.packPostings): Int32 blobs of cells and of list starts. */
  | { readonly t: "postings"; readonly cells: number; readonly starts: number };

/** Blob numbers of a tape's columns, and its object shapes. */
interface EncodedTape {
  readonly tags: number;
  readonly ints: number;
  readonly floats: number;
  readonly shapes: [string[], boolean][];
}

/** Blob numbers of the records' columns (one element per record, in sequence order). */
interface RecordColumns {
  /** Int32: string ids. */
  readonly id: number;
  /** Uint8: 0 none, else 1 + the position in MEMORY_TYPES. */
  readonly memoryType: number;
  /** Int32. */
  readonly createdStep: number;
  /** Int32: the newest version's number. */
  readonly version: number;
  /** Int32: string ids. */
  readonly content: number;
  /** Int32: string ids, -1 for none. */
  readonly timestamp: number;
  /** Int32. */
  readonly step: number;
  /** Int32: string ids. */
  readonly operationId: number;
  /** Int32: string ids, -1 for none. */
  readonly sourceChunkId: number;
  /** Uint8: 1 when the newest version is a tombstone. */
  readonly tombstone: number;
}

interface EncodedState {
  readonly key: string;
  readonly layout: string;
  readonly records: number;
  readonly columns: RecordColumns;
  /** Int32, by item number (the store's own ids, `m<n>`): the seq + 1 of its record, 0 for none. */
  readonly seqByNumber: number;
  /** Int32: the seqs of the records whose ids are not of the store's numbering. */
  readonly otherSeqs: number;
  /** Int32 string ids of the applied operation ids, in the set's order. */
  readonly operationIds: number;
  /** Whether the store keeps a duplicate index (a store that allows duplicates keeps none). */
  readonly contentsTracked: boolean;
  readonly logEntries: number;
  readonly log: EncodedTape;
  /** The index fields in order; their tape values follow the state's on the main tape. */
  readonly index: [string, EncodedField][];
}

interface Header {
  readonly formatVersion: number;
  readonly littleEndian: boolean;
  readonly stateFields: string;
  readonly strings: { readonly latin1: boolean; readonly text: number; readonly ends: number };
  readonly tape: EncodedTape;
  readonly states: EncodedState[];
  /** Byte offset and length of each blob, relative to the start of the blob region. */
  readonly blobs: [number, number][];
}

const MEMORY_TYPES: readonly MemoryType[] = ["core", "semantic", "episodic"];

function stateFieldsOf(layout: "flat" | "typed"): string {
  return Object.keys(new NamespaceState({}, layout, {}))
    .sort()
    .join(",");
}

class BlobWriter {
  readonly parts: Uint8Array[] = [];
  readonly blobs: [number, number][] = [];
  private offset = 0;

  add(bytes: Uint8Array): number {
    const padding = (8 - (this.offset % 8)) % 8;
    if (padding > 0) {
      this.parts.push(new Uint8Array(padding));
      this.offset += padding;
    }
    this.parts.push(bytes);
    this.blobs.push([this.offset, bytes.byteLength]);
    this.offset += bytes.byteLength;
    return this.blobs.length - 1;
  }

  addArray(array: TypedArray): number {
    return this.add(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
  }

  addTape(tape: TapeWriter): EncodedTape {
    const { tags, ints, floats, shapes } = tape.columns();
    return { tags: this.addArray(tags), ints: this.addArray(ints), floats: this.addArray(floats), shapes };
  }
}

function typedName(value: unknown): string | undefined {
  if (!ArrayBuffer.isView(value)) return undefined;
  const name = value.constructor.name;
  return TYPED_ARRAYS[name] === undefined ? undefined : name;
}

// Index fields the index rebuilds itself (see Bm25Index): its dictionary from its terms, its term
// pool from its postings, and where its terms come from.
const INDEX_DERIVED_FIELDS = new Set(["termIds", "termPool", "termSource", "packedPostings"]);

// Query and add scratch space of the BM25 index: nothing in it outlives a call (each call moves an
// epoch on before reading it), so it comes back zeroed rather than being stored.
const INDEX_SCRATCH_FIELDS = new Set([
  "accumulator",
  "touchedEpoch",
  "touched",
  "termSeenInDocument",
  "termPositionInDocument",
  "scratchTerms",
  "scratchFrequencies",
]);

function encodeIndexField(
  field: string,
  value: unknown,
  index: Bm25Index,
  blobs: BlobWriter,
  strings: StringTableWriter,
  tape: TapeWriter,
): EncodedField {
  if (INDEX_DERIVED_FIELDS.has(field)) return { t: "derived" };
  if (field === "postings") {
    const { cells, starts } = index.packPostings();
    return { t: "postings", cells: blobs.addArray(cells), starts: blobs.addArray(starts) };
  }
  if (field === "termNames") {
    const terms = index.terms();
    const ids = new Int32Array(terms.length);
    for (let termId = 0; termId < terms.length; termId++) ids[termId] = strings.id(terms[termId]!);
    const sorted = Int32Array.from(terms.keys()).sort((left, right) =>
      terms[left]! < terms[right]! ? -1 : terms[left]! > terms[right]! ? 1 : 0,
    );
    return { t: "terms", blob: blobs.addArray(ids), sorted: blobs.addArray(sorted) };
  }
  const typed = typedName(value);
  if (typed !== undefined) {
    const array = value as TypedArray;
    if (INDEX_SCRATCH_FIELDS.has(field)) return { t: "zeros", c: typed, n: array.length };
    // Arrays of zeros come back as fresh zeroed ones; the rest whole (spare capacity included), so
    // the restored index uses them in place.
    if (array.every((element) => element === 0 && !Object.is(element, -0)))
      return { t: "zeros", c: typed, n: array.length };
    return { t: "typed", c: typed, blob: blobs.addArray(array) };
  }
  if (value instanceof Map) {
    tape.write([[...value.keys()], [...value.values()]]);
    return { t: "map" };
  }
  if (Array.isArray(value) && value.every((element) => (element | 0) === element && !Object.is(element, -0)))
    return { t: "ints", blob: blobs.addArray(Int32Array.from(value)) };
  try {
    tape.write(value);
  } catch (error) {
    throw new SnapshotFormatError(`index field ${field}: ${(error as Error).message}`);
  }
  return { t: "tape" };
}

function encodeState(
  key: string,
  state: NamespaceState,
  blobs: BlobWriter,
  strings: StringTableWriter,
  tape: TapeWriter,
): EncodedState {
  const count = state.bySeq.length;
  const id = new Int32Array(count);
  const memoryType = new Uint8Array(count);
  const createdStep = new Int32Array(count);
  const version = new Int32Array(count);
  const content = new Int32Array(count);
  const timestamp = new Int32Array(count);
  const step = new Int32Array(count);
  const operationId = new Int32Array(count);
  const sourceChunkId = new Int32Array(count);
  const tombstone = new Uint8Array(count);
  const earlier: [number, readonly MemoryItemVersion[]][] = [];
  const numbered: number[] = [];
  const otherSeqs: number[] = [];
  for (let seq = 0; seq < count; seq++) {
    const record = state.bySeq.at(seq);
    if (record.seq !== seq) throw new SnapshotFormatError(`record ${record.id} is out of sequence`);
    if (!(record instanceof StoredItemRecord)) throw new SnapshotFormatError(`record ${record.id} is of another kind`);
    const newest = record.newestFields();
    id[seq] = strings.id(record.id);
    const number = itemNumberOf(record.id);
    if (number === -1) otherSeqs.push(seq);
    else numbered.push(number, seq);
    memoryType[seq] = record.memoryType === undefined ? 0 : 1 + MEMORY_TYPES.indexOf(record.memoryType);
    createdStep[seq] = record.createdStep;
    version[seq] = newest.version;
    content[seq] = strings.id(newest.content);
    timestamp[seq] = newest.timestamp === undefined ? -1 : strings.id(newest.timestamp);
    step[seq] = newest.step;
    operationId[seq] = strings.id(newest.operationId);
    sourceChunkId[seq] = newest.sourceChunkId === undefined ? -1 : strings.id(newest.sourceChunkId);
    tombstone[seq] = newest.tombstone ? 1 : 0;
    if (
      !Number.isInteger(record.createdStep) ||
      Math.abs(record.createdStep) > 0x7fffffff ||
      !Number.isInteger(newest.step) ||
      Math.abs(newest.step) > 0x7fffffff
    )
      throw new SnapshotFormatError(`record ${record.id} has a step outside 32 bits`);
    const before = record.earlierVersions();
    if (before.length > 0) earlier.push([seq, before]);
  }
  if (state.items.size !== count) throw new SnapshotFormatError("items and records disagree");
  const operationIds = new Int32Array(state.operationIds.size);
  let position = 0;
  for (const operation of state.operationIds) operationIds[position++] = strings.id(operation);
  const contents = state.contents;
  const shared: [string, Id[]][] = [];
  for (const [content, holders] of contents) if (typeof holders !== "string") shared.push([content, [...holders]]);
  tape.write([state.namespace, state.step, state.nextItemNumber, state.nextSeq, earlier, shared]);
  const logTape = new TapeWriter(strings);
  const log = state.log.toArray();
  logTape.write(log);
  const indexFields = Object.entries(state.index).map(
    ([field, value]) =>
      [field, encodeIndexField(field, value, state.index, blobs, strings, tape)] as [string, EncodedField],
  );
  return {
    key,
    layout: state.layout,
    records: count,
    columns: {
      id: blobs.addArray(id),
      memoryType: blobs.addArray(memoryType),
      createdStep: blobs.addArray(createdStep),
      version: blobs.addArray(version),
      content: blobs.addArray(content),
      timestamp: blobs.addArray(timestamp),
      step: blobs.addArray(step),
      operationId: blobs.addArray(operationId),
      sourceChunkId: blobs.addArray(sourceChunkId),
      tombstone: blobs.addArray(tombstone),
    },
    seqByNumber: blobs.addArray(seqByNumberOf(numbered)),
    otherSeqs: blobs.addArray(Int32Array.from(otherSeqs)),
    operationIds: blobs.addArray(operationIds),
    contentsTracked: contents.size > 0,
    logEntries: log.length,
    log: blobs.addTape(logTape),
    index: indexFields,
  };
}

/** The seq + 1 of each item number's record (0 for none), from [number, seq, number, seq, …]. */
function seqByNumberOf(numbered: readonly number[]): Int32Array {
  let largest = -1;
  for (let at = 0; at < numbered.length; at += 2) largest = Math.max(largest, numbered[at]!);
  const seqs = new Int32Array(largest + 1);
  for (let at = 0; at < numbered.length; at += 2) seqs[numbered[at]!] = numbered[at + 1]! + 1;
  return seqs;
}

/**
 * The image of a store's state. Throws a SnapshotFormatError when the state holds something this
 * codec does not know how to save (for example a state class that gained a field).
 */
export function encodeReplicaSnapshot(store: InMemoryStore): Uint8Array {
  const fields = stateFieldsOf(store.layout);
  if (fields !== STATE_FIELDS) throw new SnapshotFormatError(`unknown namespace state fields ${fields}`);
  const blobs = new BlobWriter();
  const strings = new StringTableWriter();
  const tape = new TapeWriter(strings);
  const states = store
    .namespaceStates()
    .map((state) => encodeState(namespaceKey(state.namespace), state, blobs, strings, tape));
  const table = strings.encode();
  const header: Header = {
    formatVersion: REPLICA_SNAPSHOT_FORMAT_VERSION,
    littleEndian: LITTLE_ENDIAN,
    stateFields: fields,
    strings: { latin1: table.latin1, text: blobs.add(table.text), ends: blobs.addArray(table.ends) },
    tape: blobs.addTape(tape),
    states,
    blobs: blobs.blobs,
  };
  const prefix = framePrefix(MAGIC, header);
  const blobBytes = blobs.parts.reduce((sum, part) => sum + part.byteLength, 0);
  const out = new Uint8Array(prefix.byteLength + blobBytes);
  out.set(prefix, 0);
  let at = prefix.byteLength;
  for (const part of blobs.parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

/** The blobs of an image, as typed arrays over its buffer (no copies). */
type BlobReader = (position: number, type: string) => TypedArray;

function decodeIndex(
  fields: [string, EncodedField][],
  parameters: Bm25Index["parameters"],
  blob: BlobReader,
  strings: StringTableReader,
  tape: TapeReader,
): Bm25Index {
  const index = new Bm25Index(parameters);
  const expected = Object.keys(index).sort().join(",");
  if (
    fields
      .map(([field]) => field)
      .sort()
      .join(",") !== expected
  )
    throw new SnapshotFormatError("the BM25 index fields differ from this version's");
  const target = index as unknown as Record<string, unknown>;
  let terms: TermSource | undefined;
  let packed: PackedPostings | undefined;
  const kind = (v: unknown) =>
    typedName(v) ?? (v instanceof Map ? "map" : Array.isArray(v) ? "array" : v === undefined ? "object" : typeof v);
  for (const [field, encoded] of fields) {
    let decoded: unknown;
    if (encoded.t === "tape") decoded = tape.read();
    else if (encoded.t === "typed") decoded = blob(encoded.blob, encoded.c);
    else if (encoded.t === "zeros") {
      const Type = TYPED_ARRAYS[encoded.c];
      if (Type === undefined || !Number.isInteger(encoded.n) || encoded.n < 0 || encoded.n > 2 ** 30)
        throw new SnapshotFormatError(`index field ${field} is damaged`);
      decoded = new Type(encoded.n);
    } else if (encoded.t === "map") {
      const [keys, values] = tape.read() as [unknown[], unknown[]];
      if (!Array.isArray(keys) || !Array.isArray(values) || keys.length !== values.length)
        throw new SnapshotFormatError(`index field ${field} is damaged`);
      const map = new Map();
      for (let position = 0; position < keys.length; position++) map.set(keys[position], values[position]);
      decoded = map;
    } else if (encoded.t === "derived") {
      if (!INDEX_DERIVED_FIELDS.has(field)) throw new SnapshotFormatError(`index field ${field} cannot be derived`);
      decoded = undefined;
    } else if (encoded.t === "ints") {
      decoded = Array.from(blob(encoded.blob, "Int32Array"));
    } else if (encoded.t === "terms") {
      if (field !== "termNames") throw new SnapshotFormatError(`index field ${field} is not the terms`);
      const ids = blob(encoded.blob, "Int32Array");
      const sorted = blob(encoded.sorted, "Int32Array") as Int32Array;
      if (sorted.length !== ids.length) throw new SnapshotFormatError("the BM25 terms are damaged");
      const name = (termId: number) => {
        if (!(termId >= 0 && termId < ids.length)) throw new SnapshotFormatError("the BM25 terms are damaged");
        return strings.at(ids[termId]!);
      };
      terms = { count: ids.length, name, find: (term: string) => findSorted(sorted, name, term) };
      decoded = undefined;
    } else if (encoded.t === "postings") {
      // The lists stay packed: the index makes each (a view of the image) when first used.
      const cells = blob(encoded.cells, "Int32Array") as Int32Array;
      const starts = blob(encoded.starts, "Int32Array") as Int32Array;
      if (field !== "postings" || starts.length === 0 || starts[0] !== 0 || starts[starts.length - 1] !== cells.length)
        throw new SnapshotFormatError(`index field ${field} is damaged`);
      packed = { cells, starts };
      decoded = new Array(starts.length - 1);
    } else throw new SnapshotFormatError(`index field ${field} has an unknown encoding`);
    if (field === "parameters") {
      if (JSON.stringify(decoded) !== JSON.stringify(parameters))
        throw new SnapshotFormatError("the BM25 parameters differ from this store's");
      continue;
    }
    const reference = target[field];
    // A field restored as another kind than a fresh index holds means the image is of another class.
    if (reference !== undefined && decoded !== undefined && kind(reference) !== kind(decoded))
      throw new SnapshotFormatError(`BM25 index field ${field} is a ${kind(decoded)}, expected a ${kind(reference)}`);
    target[field] = decoded;
  }
  if (terms === undefined || packed === undefined) throw new SnapshotFormatError("the BM25 index has no terms");
  target.termSource = terms;
  target.packedPostings = packed;
  return index;
}

/** The term id whose term is `term`, by binary search over term ids in their terms' order. */
function findSorted(sorted: Int32Array, name: (termId: number) => string, term: string): number | undefined {
  let low = 0;
  let high = sorted.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const termId = sorted[middle]!;
    const candidate = name(termId);
    if (candidate === term) return termId;
    if (candidate < term) low = middle + 1;
    else high = middle - 1;
  }
  return undefined;
}

/** What the main tape holds per namespace, before its index fields. */
type StateRoot = [Namespace, number, number, number, [number, MemoryItemVersion[]][], [string, Id[]][]];

function column<T extends TypedArray>(blob: BlobReader, position: number, type: string, count: number): T {
  const array = blob(position, type);
  if (array.length !== count) throw new SnapshotFormatError("a record column is damaged");
  return array as T;
}

function decodeState(
  encoded: EncodedState,
  root: StateRoot,
  layout: "flat" | "typed",
  index: Bm25Index,
  blob: BlobReader,
  strings: StringTableReader,
): NamespaceState {
  const [namespace, step, nextItemNumber, nextSeq, earlier, shared] = root;
  const count = encoded.records;
  if (!Number.isInteger(count) || count < 0) throw new SnapshotFormatError("the record count is damaged");
  const { columns } = encoded;
  const id = column<Int32Array>(blob, columns.id, "Int32Array", count);
  const memoryType = column<Uint8Array>(blob, columns.memoryType, "Uint8Array", count);
  const createdStep = column<Int32Array>(blob, columns.createdStep, "Int32Array", count);
  const version = column<Int32Array>(blob, columns.version, "Int32Array", count);
  const content = column<Int32Array>(blob, columns.content, "Int32Array", count);
  const timestamp = column<Int32Array>(blob, columns.timestamp, "Int32Array", count);
  const stepOf = column<Int32Array>(blob, columns.step, "Int32Array", count);
  const operationId = column<Int32Array>(blob, columns.operationId, "Int32Array", count);
  const sourceChunkId = column<Int32Array>(blob, columns.sourceChunkId, "Int32Array", count);
  const tombstone = column<Uint8Array>(blob, columns.tombstone, "Uint8Array", count);
  if (!Array.isArray(earlier) || !Array.isArray(shared)) throw new SnapshotFormatError("a namespace is damaged");
  // Earlier versions by seq (few records have any).
  const earlierOf = new Map<number, MemoryItemVersion[]>();
  for (const entry of earlier) {
    if (!Array.isArray(entry) || !Number.isInteger(entry[0]) || !Array.isArray(entry[1]))
      throw new SnapshotFormatError("a namespace's earlier versions are damaged");
    earlierOf.set(entry[0], entry[1]);
  }
  const newest: { -readonly [K in keyof NewestVersionFields]: NewestVersionFields[K] } = {
    content: "",
    version: 0,
    timestamp: undefined,
    step: 0,
    operationId: "",
    sourceChunkId: undefined,
    tombstone: false,
  };
  // The checksum vouches for the bytes, so nothing here scans the columns: each record is checked as it
  // is built (strings are read through bounds checks, the memory type here), and a damaged one fails
  // with a SnapshotFormatError.
  const records = new RecordTable(count, (seq) => {
    const type = memoryType[seq]!;
    if (type > MEMORY_TYPES.length) throw new SnapshotFormatError(`record ${seq} is damaged`);
    newest.content = strings.at(content[seq]!);
    newest.version = version[seq]!;
    newest.timestamp = timestamp[seq] === -1 ? undefined : strings.at(timestamp[seq]!);
    newest.step = stepOf[seq]!;
    newest.operationId = strings.at(operationId[seq]!);
    newest.sourceChunkId = sourceChunkId[seq] === -1 ? undefined : strings.at(sourceChunkId[seq]!);
    newest.tombstone = tombstone[seq] === 1;
    return StoredItemRecord.restore(
      strings.at(id[seq]!),
      seq,
      type === 0 ? undefined : MEMORY_TYPES[type - 1],
      createdStep[seq]!,
      newest,
      earlierOf.get(seq),
    );
  });
  const seqByNumber = blob(encoded.seqByNumber, "Int32Array") as Int32Array;
  const others: ItemRecord[] = [];
  const otherSeqs = blob(encoded.otherSeqs, "Int32Array");
  for (const seq of otherSeqs) others.push(records.at(seq));
  if (otherSeqs.length > count) throw new SnapshotFormatError("the record index is damaged");
  const items = ItemsById.restored(seqByNumber, count - others.length, records, others);
  const operationIdColumn = blob(encoded.operationIds, "Int32Array");
  const logEntries = encoded.logEntries;
  if (!Number.isInteger(logEntries) || logEntries < 0) throw new SnapshotFormatError("the log length is damaged");
  const logColumns = tapeColumns(encoded.log, blob);
  const log = new OperationLog([], {
    count: logEntries,
    decode: () => {
      const reader = new TapeReader(logColumns, strings);
      const entries = reader.read() as LoggedOperation[];
      if (!Array.isArray(entries) || !reader.done()) throw new SnapshotFormatError("the operation log is damaged");
      return entries;
    },
  });
  const tracked = encoded.contentsTracked === true;
  return NamespaceState.restored(namespace, layout, index, {
    step,
    nextItemNumber,
    nextSeq,
    records,
    items,
    log,
    operationIds: () => {
      const set = new Set<Id>();
      for (const string of operationIdColumn) set.add(strings.at(string));
      return set;
    },
    // Rebuilt from the current items in sequence order, the order a replay adds them in; the lists
    // of items sharing a content come from the image (their order is the order of the writes).
    contents: () => {
      const contents = new Map<string, Id | readonly Id[]>();
      if (!tracked) return contents;
      const multi = new Map(shared);
      for (let seq = 0; seq < count; seq++) {
        if (tombstone[seq] === 1) continue;
        const type = memoryType[seq]!;
        const key = contentKey(type === 0 ? undefined : MEMORY_TYPES[type - 1], strings.at(content[seq]!));
        const holders = multi.get(key);
        if (holders === undefined) contents.set(key, strings.at(id[seq]!));
        else if (!contents.has(key)) contents.set(key, holders);
      }
      return contents;
    },
  });
}

function tapeColumns(encoded: EncodedTape, blob: BlobReader): TapeColumns {
  return {
    tags: blob(encoded.tags, "Uint8Array") as Uint8Array,
    ints: blob(encoded.ints, "Int32Array") as Int32Array,
    floats: blob(encoded.floats, "Float64Array") as Float64Array,
    shapes: encoded.shapes,
  };
}

/**
 * Restores an image into `store`, which must be empty and created with the settings of the store the
 * image was taken of (the caller checks the settings). The restored store keeps using the image's
 * buffer (its arrays are views of it): the caller hands the buffer over and must not write to it.
 * Throws a SnapshotFormatError, leaving `store` unchanged, when the image cannot be read.
 */
export function restoreReplicaSnapshot(store: InMemoryStore, image: Uint8Array): void {
  // Views need the image aligned to 8 bytes within its buffer; a copy when it is not.
  const frame = readFrame(image.byteOffset % 8 === 0 ? image : image.slice());
  if (frame.magic !== MAGIC)
    throw new SnapshotFormatError(
      frame.magic !== undefined && /^FMSNAP\d\d$/.test(frame.magic)
        ? `an image of format ${Number(frame.magic.slice(6))}`
        : "not a replica image",
    );
  if (!frame.ok)
    throw new SnapshotFormatError(`the image's ${frame.why === "truncated" ? "frame is truncated" : frame.why}`);
  if (typeof frame.header !== "object" || frame.header === null)
    throw new SnapshotFormatError("the image's header is damaged: not an object");
  const header = frame.header as Header;
  const body = frame.body;
  if (header.formatVersion !== REPLICA_SNAPSHOT_FORMAT_VERSION)
    throw new SnapshotFormatError(
      `image format ${String(header.formatVersion)} is not ${REPLICA_SNAPSHOT_FORMAT_VERSION}`,
    );
  if (header.littleEndian !== LITTLE_ENDIAN) throw new SnapshotFormatError("the image is of another byte order");
  if (header.stateFields !== STATE_FIELDS || stateFieldsOf(store.layout) !== STATE_FIELDS)
    throw new SnapshotFormatError("the image is of another namespace state layout");
  const blob: BlobReader = (position, type) => {
    const entry = header.blobs[position];
    const Type = TYPED_ARRAYS[type];
    if (entry === undefined || Type === undefined) throw new SnapshotFormatError("the image refers to a missing blob");
    const [offset, length] = entry;
    if (
      !Number.isInteger(offset) ||
      !Number.isInteger(length) ||
      offset < 0 ||
      length < 0 ||
      offset % 8 !== 0 ||
      length % Type.BYTES_PER_ELEMENT !== 0 ||
      offset + length > body.byteLength
    )
      throw new SnapshotFormatError("the image is truncated or damaged");
    return new Type(body.buffer as ArrayBuffer, body.byteOffset + offset, length / Type.BYTES_PER_ELEMENT);
  };
  const parameters = new Bm25Index(store.bm25Parameters()).parameters;
  const states: NamespaceState[] = [];
  try {
    const { latin1, text, ends } = header.strings;
    const strings = new StringTableReader(
      blob(text, "Uint8Array") as Uint8Array,
      latin1 === true,
      blob(ends, "Int32Array") as Int32Array,
    );
    const tape = new TapeReader(tapeColumns(header.tape, blob), strings);
    for (const encoded of header.states) {
      if (encoded.layout !== store.layout) throw new SnapshotFormatError("the image is of another layout");
      const root = tape.read() as StateRoot;
      if (!Array.isArray(root) || namespaceKey(root[0]) !== encoded.key)
        throw new SnapshotFormatError("a namespace key does not match its namespace");
      const index = decodeIndex(encoded.index, parameters, blob, strings, tape);
      states.push(decodeState(encoded, root, store.layout, index, blob, strings));
    }
    if (!tape.done()) throw new SnapshotFormatError("the tape has data left over");
  } catch (error) {
    if (error instanceof SnapshotFormatError) throw error;
    throw new SnapshotFormatError(`the image is damaged: ${(error as Error).message}`);
  }
  store.adoptStates(states);
}
