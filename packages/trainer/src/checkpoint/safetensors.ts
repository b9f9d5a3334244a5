// The safetensors file format (https://github.com/huggingface/safetensors), so that a checkpoint of
// this package opens in Python (`safetensors.numpy.load_file`, PyTorch, JAX) and the other way round:
//
//   bytes 0..8       N, the header's length in bytes, an unsigned 64-bit little-endian integer
//   bytes 8..8+N     the header: a UTF-8 JSON object, padded with spaces so that 8 + N is a multiple of 8
//                    { "__metadata__": { string: string }, "<name>": { "dtype", "shape", "data_offsets": [begin, end] } }
//   bytes 8+N..      the data section: each tensor's elements, row-major, little-endian, at
//                    [begin, end) relative to the start of the data section
//
// The writer lays the tensors out in name order with no gaps; the reader accepts any order but, like
// the reference implementation, refuses gaps, overlaps and bytes past the last tensor, because a file
// with them was not written by a safetensors writer and its tensors cannot be trusted.
import { TrainerError } from "../trainer-error.js";

/** The element types this package stores: f32 parameters and moments, f64 statistics, i32 counters. */
export type SafetensorsDtype = "F32" | "F64" | "I32";

/** One tensor: `data` holds the product of `shape` elements, row-major. */
export interface SafetensorsTensor {
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  readonly data: Float32Array | Float64Array | Int32Array;
}

/** What {@link decodeSafetensors} returns: the tensors by name and the header's string metadata. */
export interface SafetensorsContents {
  readonly tensors: Record<string, SafetensorsTensor>;
  readonly metadata: Record<string, string>;
}

const METADATA_KEY = "__metadata__";
/** The reference implementation refuses headers over 100 MB; so does this one (a corrupt length is usually huge). */
const MAX_HEADER_BYTES = 100_000_000;

const DTYPES: Readonly<
  Record<
    SafetensorsDtype,
    {
      readonly bytes: number;
      readonly array: Float32ArrayConstructor | Float64ArrayConstructor | Int32ArrayConstructor;
    }
  >
> = {
  F32: { bytes: 4, array: Float32Array },
  F64: { bytes: 8, array: Float64Array },
  I32: { bytes: 4, array: Int32Array },
};

function isDtype(value: unknown): value is SafetensorsDtype {
  return typeof value === "string" && Object.hasOwn(DTYPES, value);
}

function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, size) => product * size, 1);
}

function isShape(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((size) => Number.isSafeInteger(size) && (size as number) >= 0);
}

/**
 * Encodes tensors (and optional string metadata) as a safetensors file. Throws `invalid_option` for a
 * tensor that cannot be written as given (its array's type or length does not match dtype and shape).
 */
export function encodeSafetensors(
  tensors: Readonly<Record<string, SafetensorsTensor>>,
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array {
  const names = Object.keys(tensors).sort(compareNames);
  // Entries, turned into an object by Object.fromEntries: a name such as "__proto__" stays a key.
  const header: [string, unknown][] = [];
  if (Object.keys(metadata).length > 0) {
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== "string") {
        throw new TrainerError(
          "invalid_option",
          `metadata ${key} must be a string (safetensors metadata is a string map), got ${typeof value}`,
          {
            path: ["metadata", key],
          },
        );
      }
    }
    header.push([METADATA_KEY, Object.fromEntries(Object.entries(metadata))]);
  }
  let offset = 0;
  for (const name of names) {
    if (name === METADATA_KEY || name.length === 0) {
      throw new TrainerError("invalid_option", `a tensor cannot be named "${name}" (reserved or empty): rename it`, {
        path: ["tensors", name],
      });
    }
    const { dtype, shape, data } = tensors[name]!;
    if (!isDtype(dtype)) {
      throw new TrainerError("invalid_option", `tensor ${name}: dtype must be F32, F64 or I32, got ${String(dtype)}`, {
        path: ["tensors", name, "dtype"],
      });
    }
    if (!isShape(shape)) {
      throw new TrainerError(
        "invalid_option",
        `tensor ${name}: shape must be a list of integers ≥ 0, got ${JSON.stringify(shape)}`,
        {
          path: ["tensors", name, "shape"],
        },
      );
    }
    if (!(data instanceof DTYPES[dtype].array)) {
      throw new TrainerError(
        "invalid_option",
        `tensor ${name}: dtype ${dtype} needs a ${DTYPES[dtype].array.name}, got a ${data?.constructor?.name}`,
        {
          path: ["tensors", name, "data"],
        },
      );
    }
    if (data.length !== elementCount(shape)) {
      throw new TrainerError(
        "invalid_option",
        `tensor ${name}: shape [${shape.join(", ")}] holds ${elementCount(shape)} elements, the data has ${data.length}`,
        { path: ["tensors", name, "data"] },
      );
    }
    const size = data.length * DTYPES[dtype].bytes;
    header.push([name, { dtype, shape: [...shape], data_offsets: [offset, offset + size] }]);
    offset += size;
  }
  const json = new TextEncoder().encode(JSON.stringify(Object.fromEntries(header)));
  // Spaces, not NULs: the padded header is still valid JSON, which is what readers parse.
  const headerLength = json.length + ((8 - (json.length % 8)) % 8);
  const bytes = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, BigInt(headerLength), true);
  bytes.set(json, 8);
  bytes.fill(0x20, 8 + json.length, 8 + headerLength);
  let position = 8 + headerLength;
  for (const name of names) {
    const { dtype, data } = tensors[name]!;
    // Element by element through a DataView: little-endian whatever the host's byte order.
    for (const value of data) {
      if (dtype === "F32") view.setFloat32(position, value, true);
      else if (dtype === "F64") view.setFloat64(position, value, true);
      else view.setInt32(position, value, true);
      position += DTYPES[dtype].bytes;
    }
  }
  return bytes;
}

/** Byte order of the names (what Rust's and Python's sorts give), not the locale's. */
function compareNames(left: string, right: string): number {
  const a = new TextEncoder().encode(left);
  const b = new TextEncoder().encode(right);
  for (let index = 0; index < Math.min(a.length, b.length); index++) {
    if (a[index] !== b[index]) return a[index]! - b[index]!;
  }
  return a.length - b.length;
}

function corrupt(what: string): TrainerError {
  return new TrainerError(
    "corrupt_checkpoint",
    `not a readable safetensors file: ${what}; the file is truncated or was not written by a safetensors writer, restore it from a copy or write the checkpoint again`,
  );
}

/** Decodes a safetensors file. Throws `corrupt_checkpoint` naming the first defect found. */
export function decodeSafetensors(bytes: Uint8Array): SafetensorsContents {
  if (bytes.length < 8) throw corrupt(`${bytes.length} bytes, fewer than the 8 of the header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getBigUint64(0, true);
  if (declared > BigInt(bytes.length - 8)) {
    throw corrupt(`the header length ${declared} runs past the end of the ${bytes.length}-byte file`);
  }
  const headerLength = Number(declared);
  if (headerLength > MAX_HEADER_BYTES)
    throw corrupt(`the header length ${headerLength} exceeds ${MAX_HEADER_BYTES} bytes`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch (cause) {
    throw corrupt(`the header is not UTF-8 JSON (${cause instanceof Error ? cause.message : String(cause)})`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) {
    throw corrupt("the header is not a JSON object");
  }
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  // Filled with Object.fromEntries at the end: a key such as "__proto__" stays an own property.
  const metadataEntries: [string, string][] = [];
  const entries: { name: string; dtype: SafetensorsDtype; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === METADATA_KEY) {
      if (typeof entry !== "object" || entry === null || Array.isArray(entry))
        throw corrupt("__metadata__ is not an object");
      for (const [key, value] of Object.entries(entry as Record<string, unknown>)) {
        if (typeof value !== "string") throw corrupt(`__metadata__.${key} is not a string`);
        metadataEntries.push([key, value]);
      }
      continue;
    }
    if (typeof entry !== "object" || entry === null || Array.isArray(entry))
      throw corrupt(`tensor ${name} is not an object`);
    const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
    if (!isDtype(dtype)) throw corrupt(`tensor ${name} has dtype ${JSON.stringify(dtype)}, not one of F32, F64, I32`);
    if (!isShape(shape)) throw corrupt(`tensor ${name} has shape ${JSON.stringify(shape)}, not a list of integers ≥ 0`);
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((value) => Number.isSafeInteger(value) && (value as number) >= 0) ||
      (offsets[0] as number) > (offsets[1] as number)
    ) {
      throw corrupt(
        `tensor ${name} has data_offsets ${JSON.stringify(offsets)}, not [begin, end] with 0 ≤ begin ≤ end`,
      );
    }
    const [begin, end] = offsets as [number, number];
    if (end > dataLength) throw corrupt(`tensor ${name} ends at byte ${end} of a ${dataLength}-byte data section`);
    const expected = elementCount(shape) * DTYPES[dtype].bytes;
    if (end - begin !== expected) {
      throw corrupt(
        `tensor ${name} of shape [${shape.join(", ")}] and dtype ${dtype} needs ${expected} bytes, its offsets give ${end - begin}`,
      );
    }
    entries.push({ name, dtype, shape, begin, end });
  }
  // Laid end to end from byte 0 to the end of the file, as every writer lays them.
  entries.sort((left, right) => left.begin - right.begin || left.end - right.end);
  let covered = 0;
  for (const entry of entries) {
    if (entry.begin < covered)
      throw corrupt(
        `tensor ${entry.name} at [${entry.begin}, ${entry.end}) overlaps the tensor before it, which ends at ${covered}`,
      );
    if (entry.begin > covered)
      throw corrupt(`bytes [${covered}, ${entry.begin}) of the data section belong to no tensor`);
    covered = entry.end;
  }
  if (covered !== dataLength) throw corrupt(`the data section has ${dataLength} bytes, the tensors cover ${covered}`);

  const tensorEntries: [string, SafetensorsTensor][] = [];
  for (const { name, dtype, shape, begin } of entries) {
    const count = elementCount(shape);
    const at = dataStart + begin;
    // Copied out element by element: the data need not be aligned for a typed-array view, and the
    // file is little-endian whatever the host is.
    let data: Float32Array | Float64Array | Int32Array;
    if (dtype === "F32") {
      data = new Float32Array(count);
      for (let index = 0; index < count; index++) data[index] = view.getFloat32(at + 4 * index, true);
    } else if (dtype === "F64") {
      data = new Float64Array(count);
      for (let index = 0; index < count; index++) data[index] = view.getFloat64(at + 8 * index, true);
    } else {
      data = new Int32Array(count);
      for (let index = 0; index < count; index++) data[index] = view.getInt32(at + 4 * index, true);
    }
    tensorEntries.push([name, { dtype, shape, data }]);
  }
  return { tensors: Object.fromEntries(tensorEntries), metadata: Object.fromEntries(metadataEntries) };
}
