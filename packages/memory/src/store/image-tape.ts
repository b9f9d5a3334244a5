// The plain-data part of a replica image: a string table, and tapes of plain values (objects with
// their key order and frozenness, arrays, strings, numbers) as typed columns. Read back far faster
// than JSON, with every distinct string stored once across all the tapes of an image.

/** Data this codec cannot write or read back (a class instance, a damaged column). */
export class SnapshotFormatError extends Error {
  override readonly name = "SnapshotFormatError";
}

/** Every distinct string of an image, by first use. */
export class StringTableWriter {
  private readonly ids = new Map<string, number>();
  readonly strings: string[] = [];

  id(value: string): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(value);
      this.ids.set(value, id);
    }
    return id;
  }

  /**
   * The table as one text and each string's end in it (UTF-16 units). The text is Latin-1 bytes when
   * every unit fits one byte (a copy each way, no decoding), else UTF-16LE, which keeps every string as
   * it is, lone surrogates included.
   */
  encode(): { latin1: boolean; text: Uint8Array; ends: Int32Array } {
    const joined = this.strings.join("");
    const ends = new Int32Array(this.strings.length);
    let end = 0;
    for (let position = 0; position < this.strings.length; position++) {
      end += this.strings[position]!.length;
      ends[position] = end;
    }
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the Latin-1 range starts at U+0000
    const latin1 = !/[^\u0000-\u00ff]/.test(joined);
    return { latin1, text: Buffer.from(joined, latin1 ? "latin1" : "utf16le"), ends };
  }
}

/**
 * Strings of an image's table, each sliced from the table's text when first asked for and then kept.
 * The text is decoded whole on the first ask: one copy of the bytes (Latin-1 and UTF-16 need no
 * decoding), after which each string is a slice, far cheaper than a decode call per string.
 */
export class StringTableReader {
  private readonly cache: (string | undefined)[];
  private text: string | undefined;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly latin1: boolean,
    private readonly ends: Int32Array,
  ) {
    // Each string's bounds are checked when it is read.
    if ((ends.length === 0 ? 0 : ends[ends.length - 1]!) * (latin1 ? 1 : 2) !== bytes.byteLength)
      throw new SnapshotFormatError("the string table is damaged");
    this.cache = new Array(ends.length);
  }

  get size(): number {
    return this.ends.length;
  }

  at(id: number): string {
    let value = this.cache[id];
    if (value === undefined) {
      if (!(id >= 0 && id < this.ends.length)) throw new SnapshotFormatError("the image refers to a missing string");
      this.text ??= Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength).toString(
        this.latin1 ? "latin1" : "utf16le",
      );
      const start = id === 0 ? 0 : this.ends[id - 1]!;
      const end = this.ends[id]!;
      if (!(start >= 0 && start <= end && end <= this.text.length))
        throw new SnapshotFormatError("the string table is damaged");
      value = this.text.slice(start, end);
      this.cache[id] = value;
    }
    return value;
  }
}

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

/** A typed array that doubles when full. */
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
  used(): T {
    return this.data.subarray(0, this.length) as T;
  }
}

/** A tape's columns: tags, integers (and string ids, lengths, shape ids), other numbers, object shapes. */
export interface TapeColumns {
  readonly tags: Uint8Array;
  readonly ints: Int32Array;
  readonly floats: Float64Array;
  /** Object shapes: keys in order, and whether the object is frozen. */
  readonly shapes: [string[], boolean][];
}

export class TapeWriter {
  private readonly tags = new Growable(new Uint8Array(4096), (length) => new Uint8Array(length));
  private readonly ints = new Growable(new Int32Array(1024), (length) => new Int32Array(length));
  private readonly floats: number[] = [];
  private readonly shapeIds = new Map<string, number>();
  private readonly shapes: [string[], boolean][] = [];

  constructor(private readonly strings: StringTableWriter) {}

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
      case "string":
        this.tags.push(Tag.String);
        this.ints.push(this.strings.id(value));
        return;
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

  columns(): TapeColumns {
    return {
      tags: this.tags.used(),
      ints: this.ints.used(),
      floats: new Float64Array(this.floats),
      shapes: this.shapes,
    };
  }
}

/**
 * A function building one shape's object as a literal (one hidden class, no per-key transitions):
 * much faster than assigning keys one by one. The keys are written as JSON string literals, so no
 * key can be anything but a property name; `__proto__` is refused (a literal would set the prototype).
 */
function shapeBuilder(shape: unknown): (read: () => unknown) => Record<string, unknown> {
  const [keys, frozen] = Array.isArray(shape) ? shape : [];
  if (!Array.isArray(keys) || keys.some((key) => typeof key !== "string" || key === "__proto__"))
    throw new SnapshotFormatError("the image has a malformed object shape");
  const literal = `{${keys.map((key) => `${JSON.stringify(key)}: read()`).join(", ")}}`;
  return new Function("read", `return ${frozen === true ? `Object.freeze(${literal})` : literal};`) as never;
}

export class TapeReader {
  private tag = 0;
  private int = 0;
  private float = 0;
  private readonly builders: ((read: () => unknown) => Record<string, unknown>)[];
  private readonly readNext = () => this.read();

  constructor(
    private readonly columns: TapeColumns,
    private readonly strings: StringTableReader,
  ) {
    if (!Array.isArray(columns.shapes)) throw new SnapshotFormatError("the image has malformed object shapes");
    this.builders = columns.shapes.map(shapeBuilder);
  }

  read(): unknown {
    const { tags, ints } = this.columns;
    if (this.tag >= tags.length) throw new SnapshotFormatError("the tape ends early");
    switch (tags[this.tag++]) {
      case Tag.Undefined:
        return undefined;
      case Tag.Null:
        return null;
      case Tag.False:
        return false;
      case Tag.True:
        return true;
      case Tag.Int:
        return ints[this.int++];
      case Tag.Float:
        return this.columns.floats[this.float++];
      case Tag.String:
        return this.strings.at(ints[this.int++]!);
      case Tag.Array:
      case Tag.FrozenArray: {
        const frozen = tags[this.tag - 1] === Tag.FrozenArray;
        const length = ints[this.int++]!;
        if (!(length >= 0 && length <= tags.length - this.tag)) throw new SnapshotFormatError("the tape is damaged");
        const array = new Array(length);
        for (let position = 0; position < length; position++) array[position] = this.read();
        return frozen ? Object.freeze(array) : array;
      }
      case Tag.Object: {
        const build = this.builders[ints[this.int++]!];
        if (build === undefined) throw new SnapshotFormatError("the tape refers to a missing shape");
        return build(this.readNext);
      }
      default:
        throw new SnapshotFormatError("the tape is damaged");
    }
  }

  /** Whether every column was read to its end. */
  done(): boolean {
    return (
      this.tag === this.columns.tags.length &&
      this.int === this.columns.ints.length &&
      this.float === this.columns.floats.length
    );
  }
}
