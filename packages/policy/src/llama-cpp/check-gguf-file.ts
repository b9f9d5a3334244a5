import { open, stat } from "node:fs/promises";
import { LocalModelError } from "../local/local-model-error.js";
import { GGML_TYPE_SIZES } from "./ggml-types.js";

/**
 * Reads a GGUF file's header and checks that llama.cpp can safely be handed the file: the magic, a
 * version it reads (2 or 3), well-formed metadata and tensor descriptions, and a file long enough for
 * every tensor's data. llama.cpp maps the file into memory and may crash the whole process (SIGBUS)
 * on a truncated one, so this runs before every load: a spoilt download becomes a typed error naming
 * the path instead of a dead worker.
 */
export interface GgufSummary {
  readonly version: number;
  readonly tensorCount: number;
  /** Scalar metadata (strings, numbers, booleans); arrays such as the vocabulary are skipped. */
  readonly metadata: ReadonlyMap<string, string | number | bigint | boolean>;
  /** Where the tensor data starts, and the bytes from there that the tensors need. */
  readonly dataOffset: number;
  readonly dataBytes: number;
  readonly fileBytes: number;
}

const MAGIC = "GGUF";
const SUPPORTED_VERSIONS = new Set([2, 3]);
/** ggml's GGML_MAX_DIMS. */
const MAX_DIMS = 4;
const DEFAULT_ALIGNMENT = 32;
/** The header is read in growing windows: most fit in the first, a large vocabulary needs more. */
const FIRST_WINDOW = 1 << 20;

/** Metadata value types (gguf.h's `enum gguf_type`) and the byte size of the fixed-size ones. */
const FIXED_SIZES: ReadonlyMap<number, number> = new Map([
  [0, 1], // uint8
  [1, 1], // int8
  [2, 2], // uint16
  [3, 2], // int16
  [4, 4], // uint32
  [5, 4], // int32
  [6, 4], // float32
  [7, 1], // bool
  [10, 8], // uint64
  [11, 8], // int64
  [12, 8], // float64
]);
const STRING = 8;
const ARRAY = 9;

/** The header is not all inside the bytes read so far. */
class NeedMoreBytes {}

/** The file is not a GGUF llama.cpp can read; the message says where and why. */
class NotGguf {
  constructor(readonly reason: string) {}
}

/** Checks the file at `path`; throws {@link LocalModelError} `model_not_found` or `model_corrupt` naming it. */
export async function checkGgufFile(path: string): Promise<GgufSummary> {
  let fileBytes: number;
  try {
    const info = await stat(path);
    if (!info.isFile())
      throw new LocalModelError("model_not_found", `${path} is not a file; expected a .gguf model file`, {
        modelPath: path,
      });
    fileBytes = info.size;
  } catch (error) {
    if (error instanceof LocalModelError) throw error;
    const code = (error as { code?: unknown }).code;
    if (code === "ENOENT" || code === "ENOTDIR")
      throw new LocalModelError("model_not_found", `no model file at ${path}`, { modelPath: path, cause: error });
    throw new LocalModelError("load_failed", `cannot read ${path}: ${(error as Error).message}`, {
      modelPath: path,
      cause: error,
    });
  }

  const handle = await open(path, "r").catch((error: unknown) => {
    throw new LocalModelError("load_failed", `cannot open ${path}: ${(error as Error).message}`, {
      modelPath: path,
      cause: error,
    });
  });
  try {
    for (let window = Math.min(FIRST_WINDOW, fileBytes); ; window = Math.min(window * 8, fileBytes)) {
      const buffer = Buffer.alloc(window);
      const { bytesRead } = await handle.read(buffer, 0, window, 0);
      try {
        return parseHeader(buffer.subarray(0, bytesRead), fileBytes);
      } catch (problem) {
        if (problem instanceof NotGguf) {
          throw new LocalModelError("model_corrupt", `${path} is not a usable GGUF model file: ${problem.reason}`, {
            modelPath: path,
          });
        }
        if (!(problem instanceof NeedMoreBytes)) throw problem;
        // Only reachable when the file shrank while it was read: the whole file has been seen.
        if (window >= fileBytes || bytesRead < window) {
          throw new LocalModelError(
            "model_corrupt",
            `${path} is not a usable GGUF model file: the file ends inside its header`,
            { modelPath: path },
          );
        }
      }
    }
  } finally {
    await handle.close();
  }
}

/** Parses the header held in `bytes` (the start of a file of `fileBytes` bytes). */
function parseHeader(bytes: Buffer, fileBytes: number): GgufSummary {
  const reader = new HeaderReader(bytes, fileBytes);
  if (bytes.length < 4)
    throw fileBytes < 4
      ? new NotGguf(`the file has ${fileBytes} bytes, too few for a GGUF header`)
      : new NeedMoreBytes();
  const magic = bytes.subarray(0, 4).toString("latin1");
  if (magic !== MAGIC) throw new NotGguf(`it does not start with the GGUF magic (found ${JSON.stringify(magic)})`);
  reader.skip(4);
  const version = reader.u32();
  if (!SUPPORTED_VERSIONS.has(version))
    throw new NotGguf(`GGUF version ${version} is not supported (llama.cpp reads versions 2 and 3)`);
  const tensorCount = reader.count(24, "tensor count");
  const kvCount = reader.count(13, "metadata entry count");

  const metadata = new Map<string, string | number | bigint | boolean>();
  for (let entry = 0; entry < kvCount; entry++) {
    const key = reader.string(`the key of metadata entry ${entry}`);
    const type = reader.u32();
    if (type === ARRAY) {
      const elementType = reader.u32();
      const length = reader.count(
        elementType === STRING ? 8 : (FIXED_SIZES.get(elementType) ?? 1),
        `the length of ${key}`,
      );
      if (elementType === STRING) for (let index = 0; index < length; index++) reader.string(`${key}[${index}]`, false);
      else reader.skip(length * fixedSize(elementType, key));
    } else if (type === STRING) {
      metadata.set(key, reader.string(key));
    } else {
      metadata.set(key, reader.scalar(type, key));
    }
  }

  const alignmentValue = metadata.get("general.alignment") ?? DEFAULT_ALIGNMENT;
  const alignment = Number(alignmentValue);
  if (!(Number.isInteger(alignment) && alignment > 0 && (alignment & (alignment - 1)) === 0)) {
    throw new NotGguf(`general.alignment must be a power of two, got ${String(alignmentValue)}`);
  }

  let dataBytes = 0n;
  for (let index = 0; index < tensorCount; index++) {
    const name = reader.string(`the name of tensor ${index}`);
    const dimCount = reader.u32();
    if (dimCount < 1 || dimCount > MAX_DIMS)
      throw new NotGguf(`tensor ${name} has ${dimCount} dimensions (at most ${MAX_DIMS})`);
    const dims: bigint[] = [];
    for (let dim = 0; dim < dimCount; dim++) dims.push(reader.u64());
    const type = reader.u32();
    const offset = reader.u64();
    if (offset % BigInt(alignment) !== 0n)
      throw new NotGguf(`tensor ${name} starts at offset ${offset}, not a multiple of the alignment ${alignment}`);
    const size = tensorBytes(name, dims, type);
    if (size !== undefined && offset + size > dataBytes) dataBytes = offset + size;
  }

  const dataOffset = Math.ceil(reader.position / alignment) * alignment;
  const needed = BigInt(dataOffset) + dataBytes;
  if (needed > BigInt(fileBytes)) {
    throw new NotGguf(
      `its tensors need ${needed} bytes but the file has ${fileBytes}; the file is truncated (an incomplete download?)`,
    );
  }
  return { version, tensorCount, metadata, dataOffset, dataBytes: Number(dataBytes), fileBytes };
}

/** The bytes of one tensor's data, or undefined for a type this table does not know. */
function tensorBytes(name: string, dims: readonly bigint[], type: number): bigint | undefined {
  const traits = GGML_TYPE_SIZES.get(type);
  if (traits === undefined) return undefined;
  const [rowLength, ...rest] = dims as [bigint, ...bigint[]];
  if (rowLength % BigInt(traits.blockSize) !== 0n) {
    throw new NotGguf(
      `tensor ${name} of type ${traits.name} has rows of ${rowLength} elements, not a multiple of the block size ${traits.blockSize}`,
    );
  }
  return rest.reduce((bytes, dim) => bytes * dim, (rowLength / BigInt(traits.blockSize)) * BigInt(traits.typeSize));
}

function fixedSize(type: number, key: string): number {
  const size = FIXED_SIZES.get(type);
  if (size === undefined) throw new NotGguf(`metadata ${key} has an unknown value type ${type}`);
  return size;
}

/** Little-endian reads over the bytes read so far, with bounds that tell a short window from a short file. */
class HeaderReader {
  position = 0;

  constructor(
    private readonly bytes: Buffer,
    private readonly fileBytes: number,
  ) {}

  skip(count: number): void {
    this.need(count);
    this.position += count;
  }

  u32(): number {
    this.need(4);
    const value = this.bytes.readUInt32LE(this.position);
    this.position += 4;
    return value;
  }

  u64(): bigint {
    this.need(8);
    const value = this.bytes.readBigUInt64LE(this.position);
    this.position += 8;
    return value;
  }

  /** A u64 count of items that take at least `minItemBytes` each, so it cannot exceed what the file holds. */
  count(minItemBytes: number, what: string): number {
    const value = this.u64();
    const rest = this.fileBytes - this.position;
    if (value * BigInt(minItemBytes) > BigInt(rest))
      throw new NotGguf(
        `${what} ${value} is more than the rest of the file (${rest} bytes) can hold; the file is truncated or corrupt`,
      );
    return Number(value);
  }

  /** A u64-length-prefixed string; `decode: false` only skips it (a vocabulary has 100k+ of them). */
  string(what: string, decode = true): string {
    const length = this.u64();
    if (length > BigInt(this.fileBytes - this.position))
      throw new NotGguf(
        `${what} claims ${length} bytes, more than the rest of the file holds; the file is truncated or corrupt`,
      );
    const count = Number(length);
    this.need(count);
    const value = decode ? this.bytes.toString("utf8", this.position, this.position + count) : "";
    this.position += count;
    return value;
  }

  scalar(type: number, key: string): number | bigint | boolean {
    const size = fixedSize(type, key);
    this.need(size);
    const at = this.position;
    this.position += size;
    switch (type) {
      case 0:
        return this.bytes.readUInt8(at);
      case 1:
        return this.bytes.readInt8(at);
      case 2:
        return this.bytes.readUInt16LE(at);
      case 3:
        return this.bytes.readInt16LE(at);
      case 4:
        return this.bytes.readUInt32LE(at);
      case 5:
        return this.bytes.readInt32LE(at);
      case 6:
        return this.bytes.readFloatLE(at);
      case 7:
        return this.bytes.readUInt8(at) !== 0;
      case 10:
        return this.bytes.readBigUInt64LE(at);
      case 11:
        return this.bytes.readBigInt64LE(at);
      default:
        return this.bytes.readDoubleLE(at);
    }
  }

  private need(count: number): void {
    if (this.position + count <= this.bytes.length) return;
    // Past the end of the file is corruption; past the end of the window only means: read more.
    if (this.position + count > this.fileBytes)
      throw new NotGguf(`the header runs past the end of the file (${this.fileBytes} bytes); the file is truncated`);
    throw new NeedMoreBytes();
  }
}
