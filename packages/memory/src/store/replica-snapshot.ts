// A compact binary image of an in-memory store's state (its namespaces' items, version chains,
// operation logs and BM25 indexes), so a persistent store can restore its replica without replaying
// its whole log. The image is read back only into a store created with the same settings; anything
// that does not fit (another layout of the state classes, a truncated or edited image) throws a
// SnapshotFormatError, and the caller falls back to a full replay.
import type { Id, MemoryItem, MemoryItemVersion, MemoryType, Namespace } from "@finemem/spec";
import { Bm25Index } from "../bm25/bm25-index.js";
import type { InMemoryStore } from "./in-memory-store.js";
import { namespaceKey } from "./namespace-key.js";
import { contentKey, type ItemRecord, itemOf, type LoggedOperation, NamespaceState } from "./namespace-state.js";

/** Bumped whenever the image's layout changes; an image of another version is never read. */
export const REPLICA_SNAPSHOT_FORMAT_VERSION = 1;

const MAGIC = "FMSNAP01";
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** An image this code cannot read or write (another format, a changed state class, a damaged image). */
export class SnapshotFormatError extends Error {
  override readonly name = "SnapshotFormatError";
}

// The fields of a NamespaceState this codec knows how to save and rebuild.
const STATE_FIELDS = [
  "bySeq",
  "cachedView",
  "contents",
  "frozen",
  "index",
  "items",
  "layout",
  "log",
  "namespace",
  "nextItemNumber",
  "nextSeq",
  "operationIds",
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
const TYPED_ARRAYS: Record<string, new (buffer: ArrayBuffer) => TypedArray> = {
  Int8Array,
  Uint8Array,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
};

/** A field of the BM25 index, as the image's header describes it (values other than arrays are on the tape). */
type EncodedField =
  | { readonly t: "tape" }
  | { readonly t: "map" }
  /** `n` elements, of which the blob holds those up to the last non-zero one. */
  | { readonly t: "typed"; readonly c: string; readonly n: number; readonly blob: number }
  | { readonly t: "typedList"; readonly c: string; readonly lengths: number; readonly blob: number };

/** One item record: id, memory type, created step, versions, and its current item when not derivable. */
type EncodedRecord = [Id, MemoryType | null, number, MemoryItemVersion[], MemoryItem | null | 0];

interface EncodedState {
  readonly key: string;
  readonly layout: string;
  /** The index fields in order; their tape values follow the state's on the tape. */
  readonly index: [string, EncodedField][];
}

interface Header {
  readonly formatVersion: number;
  readonly littleEndian: boolean;
  readonly stateFields: string;
  readonly states: EncodedState[];
  /** Object shapes of the tape: keys in order, and whether the object is frozen. */
  readonly shapes: [string[], boolean][];
  /** Byte offset and length of each blob, relative to the start of the blob region. */
  readonly blobs: [number, number][];
  /** Blobs of the tape: tags, integers, other numbers, string ends (UTF-16 units), strings (UTF-8). */
  readonly tape: [number, number, number, number, number];
}

// The tape: plain data (objects with their key order and frozenness, arrays, strings, numbers) as
// columns, read back far faster than JSON and with every distinct string stored once.
enum Tag {
  Undefined = 0,
  Null = 1,
  False = 2,
  True = 3,
  Float = 4,
  String = 5,
  Object = 6,
  Array = 7,
  Int = 8,
  FrozenArray = 9,
}

/** A typed array that doubles when full (the image's tag and integer streams). */
class Growable<T extends Int32Array | Uint8Array> {
  length = 0;
  constructor(
    public data: T,
    private readonly allocate: (length: number) => T,
  ) {}
  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = this.allocate(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }
}

class TapeWriter {
  readonly tags = new Growable(new Uint8Array(4096), (length) => new Uint8Array(length));
  readonly ints = new Growable(new Int32Array(1024), (length) => new Int32Array(length));
  readonly floats: number[] = [];
  private readonly stringIds = new Map<string, number>();
  readonly strings: string[] = [];
  private readonly shapeIds = new Map<string, number>();
  readonly shapes: [string[], boolean][] = [];

  write(value: unknown): void {
    switch (typeof value) {
      case "undefined":
        this.tags.push(Tag.Undefined);
        return;
      case "boolean":
        this.tags.push(value ? Tag.True : Tag.False);
        return;
      case "number":
        if (Number.isInteger(value) && value >= -2147483648 && value <= 2147483647 && !Object.is(value, -0)) {
          this.tags.push(Tag.Int);
          this.ints.push(value);
        } else {
          this.tags.push(Tag.Float);
          this.floats.push(value);
        }
        return;
      case "string": {
        let id = this.stringIds.get(value);
        if (id === undefined) {
          id = this.strings.length;
          this.strings.push(value);
          this.stringIds.set(value, id);
        }
        this.tags.push(Tag.String);
        this.ints.push(id);
        return;
      }
      case "object": {
        if (value === null) {
          this.tags.push(Tag.Null);
          return;
        }
        if (Array.isArray(value)) {
          this.tags.push(Object.isFrozen(value) ? Tag.FrozenArray : Tag.Array);
          this.ints.push(value.length);
          for (let position = 0; position < value.length; position++) {
            if (!(position in value)) throw new SnapshotFormatError("an array with holes");
            this.write(value[position]);
          }
          return;
        }
        if (Object.getPrototypeOf(value) !== Object.prototype) throw new SnapshotFormatError("an object of a class");
        const keys = Object.keys(value);
        const frozen = Object.isFrozen(value);
        const shapeKey = `${frozen ? "F" : "-"}${keys.join("\u0000")}`;
        let shape = this.shapeIds.get(shapeKey);
        if (shape === undefined) {
          shape = this.shapes.length;
          this.shapes.push([keys, frozen]);
          this.shapeIds.set(shapeKey, shape);
        }
        this.tags.push(Tag.Object);
        this.ints.push(shape);
        for (const key of keys) this.write((value as Record<string, unknown>)[key]);
        return;
      }
      default:
        throw new SnapshotFormatError(`a ${typeof value} value`);
    }
  }
}

/**
 * A function building one shape's object as a literal (one hidden class, no per-key transitions):
 * much faster than assigning keys one by one. The keys are written as JSON string literals, so no
 * key can be anything but a property name; `__proto__` is refused (a literal would set the prototype).
 */
function shapeBuilder([keys, frozen]: [string[], boolean]): (read: () => unknown) => Record<string, unknown> {
  if (!Array.isArray(keys) || keys.some((key) => typeof key !== "string" || key === "__proto__"))
    throw new SnapshotFormatError("the image has a malformed object shape");
  const literal = `{${keys.map((key) => `${JSON.stringify(key)}: read()`).join(", ")}}`;
  return new Function("read", `return ${frozen === true ? `Object.freeze(${literal})` : literal};`) as never;
}

class TapeReader {
  private tag = 0;
  private int = 0;
  private float = 0;
  private readonly builders: ((read: () => unknown) => Record<string, unknown>)[];
  private readonly readNext = () => this.read();
  constructor(
    private readonly tags: Uint8Array,
    private readonly ints: Int32Array,
    private readonly floats: Float64Array,
    private readonly strings: string[],
    shapes: [string[], boolean][],
  ) {
    this.builders = shapes.map(shapeBuilder);
  }

  read(): unknown {
    switch (this.tags[this.tag++]) {
      case Tag.Undefined:
        return undefined;
      case Tag.Null:
        return null;
      case Tag.False:
        return false;
      case Tag.True:
        return true;
      case Tag.Int:
        return this.ints[this.int++];
      case Tag.Float:
        return this.floats[this.float++];
      case Tag.String: {
        const value = this.strings[this.ints[this.int++]!];
        if (value === undefined) throw new SnapshotFormatError("the tape refers to a missing string");
        return value;
      }
      case Tag.Array:
      case Tag.FrozenArray: {
        const frozen = this.tags[this.tag - 1] === Tag.FrozenArray;
        const length = this.ints[this.int++]!;
        const array = new Array(length);
        for (let position = 0; position < length; position++) array[position] = this.read();
        return frozen ? Object.freeze(array) : array;
      }
      case Tag.Object: {
        const build = this.builders[this.ints[this.int++]!];
        if (build === undefined) throw new SnapshotFormatError("the tape refers to a missing shape");
        return build(this.readNext);
      }
      default:
        throw new SnapshotFormatError("the tape is damaged");
    }
  }

  /** Whether every column was read to its end. */
  done(): boolean {
    return this.tag === this.tags.length && this.int === this.ints.length && this.float === this.floats.length;
  }
}

function stateFieldsOf(layout: "flat" | "typed"): string {
  return Object.keys(new NamespaceState({}, layout, {}))
    .sort()
    .join(",");
}

/**
 * The current item a record's last version gives, built by the store's own `itemOf`. The image stores
 * a record's current item only where this differs from the real one, so the restored item is the
 * one a replay in this build makes, or the stored one.
 */
function derivedCurrent(record: ItemRecord): MemoryItem | undefined {
  const version = record.versions.at(-1);
  if (version === undefined || version.tombstone) return undefined;
  return itemOf(record, version);
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
}

function bytesOf(array: TypedArray): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** The bytes of `array` up to its last non-zero element (growable arrays keep zeroed spare capacity). */
function usedBytesOf(array: TypedArray): Uint8Array {
  let used = array.length;
  while (used > 0 && array[used - 1] === 0 && !Object.is(array[used - 1], -0)) used--;
  return bytesOf(array.subarray(0, used) as TypedArray);
}

function typedName(value: unknown): string | undefined {
  if (!ArrayBuffer.isView(value)) return undefined;
  const name = value.constructor.name;
  return TYPED_ARRAYS[name] === undefined ? undefined : name;
}

function encodeIndexField(field: string, value: unknown, blobs: BlobWriter, tape: TapeWriter): EncodedField {
  const typed = typedName(value);
  if (typed !== undefined) {
    const array = value as TypedArray;
    return { t: "typed", c: typed, n: array.length, blob: blobs.add(usedBytesOf(array)) };
  }
  if (value instanceof Map) {
    tape.write([[...value.keys()], [...value.values()]]);
    return { t: "map" };
  }
  if (Array.isArray(value) && value.length > 0 && typedName(value[0]) !== undefined) {
    const name = typedName(value[0])!;
    const lengths = new Int32Array(value.length);
    let total = 0;
    value.forEach((element, position) => {
      if (typedName(element) !== name) throw new SnapshotFormatError(`index field ${field} mixes array types`);
      lengths[position] = (element as TypedArray).length;
      total += (element as TypedArray).byteLength;
    });
    const joined = new Uint8Array(total);
    let at = 0;
    for (const element of value as TypedArray[]) {
      joined.set(bytesOf(element), at);
      at += element.byteLength;
    }
    return { t: "typedList", c: name, lengths: blobs.add(bytesOf(lengths)), blob: blobs.add(joined) };
  }
  try {
    tape.write(value);
  } catch (error) {
    throw new SnapshotFormatError(`index field ${field}: ${(error as Error).message}`);
  }
  return { t: "tape" };
}

function encodeState(key: string, state: NamespaceState, blobs: BlobWriter, tape: TapeWriter): EncodedState {
  const records: EncodedRecord[] = state.bySeq.map((record, position) => {
    if (record.seq !== position) throw new SnapshotFormatError(`record ${record.id} is out of sequence`);
    const derived = derivedCurrent(record);
    const same =
      record.current === undefined
        ? derived === undefined
        : derived !== undefined && JSON.stringify(derived) === JSON.stringify(record.current);
    return [
      record.id,
      record.memoryType ?? null,
      record.createdStep,
      record.versions,
      same ? 0 : (record.current ?? null),
    ];
  });
  if (state.items.size !== records.length) throw new SnapshotFormatError("items and records disagree");
  const shared: [string, Id[]][] = [];
  for (const [content, holders] of state.contents)
    if (typeof holders !== "string") shared.push([content, [...holders]]);
  tape.write([state.namespace, state.step, state.nextItemNumber, state.nextSeq, records, shared, state.log]);
  const index = Object.entries(state.index).map(
    ([field, value]) => [field, encodeIndexField(field, value, blobs, tape)] as [string, EncodedField],
  );
  return { key, layout: state.layout, index };
}

/**
 * The image of a store's state. Throws a SnapshotFormatError when the state holds something this
 * codec does not know how to save (for example a state class that gained a field).
 */
export function encodeReplicaSnapshot(store: InMemoryStore): Uint8Array {
  const fields = stateFieldsOf(store.layout);
  if (fields !== STATE_FIELDS) throw new SnapshotFormatError(`unknown namespace state fields ${fields}`);
  const blobs = new BlobWriter();
  const tape = new TapeWriter();
  const states = store.namespaceStates().map((state) => encodeState(namespaceKey(state.namespace), state, blobs, tape));
  const joined = tape.strings.join("");
  // A lone surrogate would not survive UTF-8: such a store is not snapshotted (its log still is the truth).
  if (!(joined as string & { isWellFormed(): boolean }).isWellFormed())
    throw new SnapshotFormatError("a string holds a lone surrogate");
  const ends = new Int32Array(tape.strings.length);
  let end = 0;
  tape.strings.forEach((text, position) => {
    end += text.length;
    ends[position] = end;
  });
  const header: Header = {
    formatVersion: REPLICA_SNAPSHOT_FORMAT_VERSION,
    littleEndian: LITTLE_ENDIAN,
    stateFields: fields,
    states,
    shapes: tape.shapes,
    tape: [
      blobs.add(tape.tags.data.subarray(0, tape.tags.length)),
      blobs.add(bytesOf(tape.ints.data.subarray(0, tape.ints.length))),
      blobs.add(bytesOf(new Float64Array(tape.floats))),
      blobs.add(bytesOf(ends)),
      blobs.add(new TextEncoder().encode(joined)),
    ],
    blobs: blobs.blobs,
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const prefix = 8 + 4 + headerBytes.byteLength;
  const start = prefix + ((8 - (prefix % 8)) % 8);
  const blobBytes = blobs.parts.reduce((sum, part) => sum + part.byteLength, 0);
  const out = new Uint8Array(start + blobBytes);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(8, headerBytes.byteLength, true);
  out.set(headerBytes, 12);
  let at = start;
  for (const part of blobs.parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

function decodeIndex(
  fields: [string, EncodedField][],
  bm25: Bm25Index,
  blob: (index: number, type: string) => TypedArray,
  tape: TapeReader,
): Bm25Index {
  const index = new Bm25Index(bm25.parameters);
  const expected = Object.keys(index).sort().join(",");
  if (
    fields
      .map(([field]) => field)
      .sort()
      .join(",") !== expected
  )
    throw new SnapshotFormatError("the BM25 index fields differ from this version's");
  const target = index as unknown as Record<string, unknown>;
  const kind = (v: unknown) =>
    typedName(v) ?? (v instanceof Map ? "map" : Array.isArray(v) ? "array" : v === undefined ? "object" : typeof v);
  for (const [field, encoded] of fields) {
    let decoded: unknown;
    if (encoded.t === "tape") decoded = tape.read();
    else if (encoded.t === "typed") {
      const used = blob(encoded.blob, encoded.c);
      const Type = TYPED_ARRAYS[encoded.c]! as unknown as new (length: number) => TypedArray;
      if (!Number.isInteger(encoded.n) || encoded.n < used.length)
        throw new SnapshotFormatError(`index field ${field} is damaged`);
      const full = new Type(encoded.n);
      full.set(used as never);
      decoded = full;
    } else if (encoded.t === "map") {
      const [keys, values] = tape.read() as [unknown[], unknown[]];
      if (!Array.isArray(keys) || !Array.isArray(values) || keys.length !== values.length)
        throw new SnapshotFormatError(`index field ${field} is damaged`);
      const map = new Map();
      for (let position = 0; position < keys.length; position++) map.set(keys[position], values[position]);
      decoded = map;
    } else if (encoded.t === "typedList") {
      const lengths = blob(encoded.lengths, "Int32Array") as Int32Array;
      const joined = blob(encoded.blob, encoded.c);
      const list: TypedArray[] = new Array(lengths.length);
      let at = 0;
      for (let position = 0; position < lengths.length; position++) {
        list[position] = joined.slice(at, at + lengths[position]!);
        at += lengths[position]!;
      }
      decoded = list;
    } else throw new SnapshotFormatError(`index field ${field} has an unknown encoding`);
    if (field === "parameters") {
      if (JSON.stringify(decoded) !== JSON.stringify(bm25.parameters))
        throw new SnapshotFormatError("the BM25 parameters differ from this store's");
      continue;
    }
    const reference = target[field];
    // A field restored as another kind than a fresh index holds means the image is of another class.
    if (reference !== undefined && decoded !== undefined && kind(reference) !== kind(decoded))
      throw new SnapshotFormatError(`BM25 index field ${field} is a ${kind(decoded)}, expected a ${kind(reference)}`);
    target[field] = decoded;
  }
  return index;
}

/**
 * Restores an image into `store`, which must be empty and created with the settings of the store the
 * image was taken of (the caller checks the settings). Throws a SnapshotFormatError, leaving `store`
 * unchanged, when the image cannot be read.
 */
export function restoreReplicaSnapshot(store: InMemoryStore, payload: Uint8Array): void {
  if (payload.byteLength < 12 || new TextDecoder().decode(payload.subarray(0, 8)) !== MAGIC)
    throw new SnapshotFormatError("not a replica image");
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const headerLength = view.getUint32(8, true);
  if (12 + headerLength > payload.byteLength) throw new SnapshotFormatError("the image is truncated");
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(payload.subarray(12, 12 + headerLength)));
  } catch (error) {
    throw new SnapshotFormatError(`the image's header is damaged: ${(error as Error).message}`);
  }
  if (header.formatVersion !== REPLICA_SNAPSHOT_FORMAT_VERSION)
    throw new SnapshotFormatError(
      `image format ${String(header.formatVersion)} is not ${REPLICA_SNAPSHOT_FORMAT_VERSION}`,
    );
  if (header.littleEndian !== LITTLE_ENDIAN) throw new SnapshotFormatError("the image is of another byte order");
  if (header.stateFields !== STATE_FIELDS || stateFieldsOf(store.layout) !== STATE_FIELDS)
    throw new SnapshotFormatError("the image is of another namespace state layout");
  const prefix = 12 + headerLength;
  const start = prefix + ((8 - (prefix % 8)) % 8);
  const blob = (position: number, type: string): TypedArray => {
    const entry = header.blobs[position];
    const Type = TYPED_ARRAYS[type];
    if (entry === undefined || Type === undefined) throw new SnapshotFormatError("the image refers to a missing blob");
    const [offset, length] = entry;
    const from = payload.byteOffset + start + offset;
    if (start + offset + length > payload.byteLength) throw new SnapshotFormatError("the image is truncated");
    // A copy: aligned, and independent of the buffer the driver handed over.
    return new Type(payload.buffer.slice(from, from + length) as ArrayBuffer);
  };
  const bm25 = new Bm25Index(store.bm25Parameters());
  const states = new Map<string, NamespaceState>();
  try {
    const [tags, ints, floats, ends, text] = header.tape;
    const joined = new TextDecoder("utf-8", { fatal: true }).decode(blob(text, "Uint8Array"));
    const stringEnds = blob(ends, "Int32Array") as Int32Array;
    const strings: string[] = new Array(stringEnds.length);
    let at = 0;
    for (let position = 0; position < stringEnds.length; position++) {
      strings[position] = joined.slice(at, stringEnds[position]);
      at = stringEnds[position]!;
    }
    if (at !== joined.length) throw new SnapshotFormatError("the string table is damaged");
    const tape = new TapeReader(
      blob(tags, "Uint8Array") as Uint8Array,
      blob(ints, "Int32Array") as Int32Array,
      blob(floats, "Float64Array") as Float64Array,
      strings,
      header.shapes,
    );
    for (const encoded of header.states) {
      if (encoded.layout !== store.layout) throw new SnapshotFormatError("the image is of another layout");
      const root = tape.read() as StateRoot;
      if (!Array.isArray(root) || namespaceKey(root[0]) !== encoded.key)
        throw new SnapshotFormatError("a namespace key does not match its namespace");
      const index = decodeIndex(encoded.index, bm25, blob, tape);
      states.set(encoded.key, decodeState(root, store.layout, index));
    }
    if (!tape.done()) throw new SnapshotFormatError("the tape has data left over");
  } catch (error) {
    if (error instanceof SnapshotFormatError) throw error;
    throw new SnapshotFormatError(`the image is damaged: ${(error as Error).message}`);
  }
  store.adoptStates([...states.values()]);
}

/** What the tape holds per namespace, before its index fields. */
type StateRoot = [Namespace, number, number, number, EncodedRecord[], [string, Id[]][], LoggedOperation[]];

function decodeState(root: StateRoot, layout: "flat" | "typed", index: Bm25Index): NamespaceState {
  const [namespace, step, nextItemNumber, nextSeq, records, shared, log] = root;
  const state = new NamespaceState(namespace, layout, index);
  state.step = step;
  state.nextItemNumber = nextItemNumber;
  state.nextSeq = nextSeq;
  const multi = new Map(shared);
  for (let seq = 0; seq < records.length; seq++) {
    const [id, memoryType, createdStep, versions, current] = records[seq]!;
    const record: ItemRecord = {
      id,
      seq,
      memoryType: memoryType ?? undefined,
      createdStep,
      versions,
      current: undefined,
    };
    record.current = current === 0 ? derivedCurrent(record) : current === null ? undefined : current;
    state.items.set(id, record);
    state.bySeq.push(record);
    if (record.current !== undefined) {
      const key = contentKey(memoryType ?? undefined, record.current.content);
      const holders = multi.get(key);
      if (holders === undefined) state.contents.set(key, id);
      else if (!state.contents.has(key)) state.contents.set(key, holders);
    }
  }
  for (const entry of log) {
    state.log.push(entry);
    state.operationIds.add(entry.operationId);
  }
  return state;
}
