/**
 * Writes a tiny, randomly initialised llama-architecture GGUF file (GGUF v3, every tensor F32, about
 * 0.5 MB) that node-llama-cpp loads with its prebuilt CPU binary, for tests that need a real local
 * model without downloading one.
 *
 * The vocabulary is SentencePiece-style ("llama"): `<unk>`, `<s>`, `</s>`, the 256 byte tokens
 * `<0x00>`…`<0xFF>` (so any text, grammar-constrained JSON included, can be produced), `▁`, a…z and a
 * few `▁word` pieces. There is no chat template in the metadata, so node-llama-cpp falls back to its
 * generic chat wrapper. Weights come from a seeded linear congruential generator: the same options
 * write the same bytes on every run and machine. No network, no Python, a few milliseconds.
 */
import { writeFile } from "node:fs/promises";

export interface TinyGgufOptions {
  /** `llama.context_length` in the metadata; default 2048. */
  readonly contextLength?: number;
  /** Seed of the weights; default 7. */
  readonly seed?: number;
}

export interface TinyGguf {
  readonly path: string;
  /** Size of the file in bytes. */
  readonly bytes: number;
  readonly vocabSize: number;
  readonly tensorCount: number;
  /** Token ids of `<unk>`, `<s>` (begin) and `</s>` (end). */
  readonly specialTokenIds: { readonly unknown: 0; readonly begin: 1; readonly end: 2 };
}

/** The ways {@link writeCorruptGguf} spoils a file. */
export type CorruptGgufKind =
  /** Random bytes: no GGUF magic at all. */
  | "random-bytes"
  /** A valid tiny GGUF cut off in the middle of its tensor data. */
  | "truncated-data"
  /** A valid tiny GGUF cut off in the middle of its metadata. */
  | "truncated-header"
  /** The magic is right but the version is one no reader knows (99). */
  | "bad-version"
  /** A file of zero bytes. */
  | "empty";

export const CORRUPT_GGUF_KINDS: readonly CorruptGgufKind[] = [
  "random-bytes",
  "truncated-data",
  "truncated-header",
  "bad-version",
  "empty",
];

const EMBEDDING = 64;
const HEADS = 4;
const LAYERS = 2;
const FEED_FORWARD = 128;
/** GGUF's default alignment of the tensor data, written out explicitly as `general.alignment`. */
const ALIGNMENT = 32;
const GGML_TYPE_F32 = 0;

/** The metadata value types of GGUF (gguf.h's `enum gguf_type`) that this file uses. */
const ValueType = { UINT32: 4, INT32: 5, FLOAT32: 6, BOOL: 7, STRING: 8, ARRAY: 9 } as const;
type ScalarType = (typeof ValueType)[Exclude<keyof typeof ValueType, "ARRAY">];

type MetadataValue =
  | { readonly type: ScalarType; readonly value: string | number | boolean }
  | {
      readonly type: typeof ValueType.ARRAY;
      readonly elementType: ScalarType;
      readonly values: readonly (string | number)[];
    };

interface Tensor {
  readonly name: string;
  /** GGUF order: the fastest-varying dimension first. */
  readonly dims: readonly number[];
  readonly data: Float32Array;
}

/** Little-endian writer that collects the file in chunks and concatenates them once. */
class ByteWriter {
  private readonly chunks: Buffer[] = [];
  size = 0;

  bytes(buffer: Buffer): void {
    this.chunks.push(buffer);
    this.size += buffer.length;
  }
  u8(value: number): void {
    this.bytes(Buffer.from([value]));
  }
  u32(value: number): void {
    const buffer = Buffer.alloc(4);
    buffer.writeUInt32LE(value);
    this.bytes(buffer);
  }
  i32(value: number): void {
    const buffer = Buffer.alloc(4);
    buffer.writeInt32LE(value);
    this.bytes(buffer);
  }
  u64(value: number): void {
    const buffer = Buffer.alloc(8);
    buffer.writeBigUInt64LE(BigInt(value));
    this.bytes(buffer);
  }
  f32(value: number): void {
    const buffer = Buffer.alloc(4);
    buffer.writeFloatLE(value);
    this.bytes(buffer);
  }
  /** A GGUF string: its UTF-8 byte length as u64, then the bytes (no terminator). */
  string(value: string): void {
    const buffer = Buffer.from(value, "utf8");
    this.u64(buffer.length);
    this.bytes(buffer);
  }
  padTo(alignment: number): void {
    const padded = Math.ceil(this.size / alignment) * alignment;
    if (padded > this.size) this.bytes(Buffer.alloc(padded - this.size));
  }
  toBuffer(): Buffer {
    return Buffer.concat(this.chunks, this.size);
  }
}

/** The vocabulary with SentencePiece token types (1 normal, 2 unknown, 3 control, 6 byte) and scores. */
function vocabulary(): { tokens: string[]; types: number[]; scores: number[] } {
  const tokens = ["<unk>", "<s>", "</s>"];
  const types = [2, 3, 3];
  const scores = [0, 0, 0];
  for (let byte = 0; byte < 256; byte++) {
    tokens.push(`<0x${byte.toString(16).toUpperCase().padStart(2, "0")}>`);
    types.push(6);
    scores.push(0);
  }
  // Higher scores merge first in SentencePiece; a falling score keeps the merge order fixed.
  const pieces = ["▁", ..."abcdefghijklmnopqrstuvwxyz", "▁hello", "▁world", "▁the", "▁cat", "▁sat", "▁on", "▁mat", "."];
  pieces.forEach((piece, index) => {
    tokens.push(piece);
    types.push(1);
    scores.push(-index);
  });
  return { tokens, types, scores };
}

/** Numerical Recipes' LCG, scaled to weights in [-0.1, 0.1): small enough to keep activations tame. */
function weightSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state / 2 ** 32 - 0.5) * 0.2;
  };
}

function tensors(vocabSize: number, seed: number): Tensor[] {
  const random = weightSource(seed);
  const out: Tensor[] = [];
  const tensor = (name: string, dims: number[], fill: () => number = random) => {
    const count = dims.reduce((product, dim) => product * dim, 1);
    out.push({ name, dims, data: Float32Array.from({ length: count }, fill) });
  };
  const one = () => 1;
  tensor("token_embd.weight", [EMBEDDING, vocabSize]);
  tensor("output_norm.weight", [EMBEDDING], one);
  tensor("output.weight", [EMBEDDING, vocabSize]);
  for (let layer = 0; layer < LAYERS; layer++) {
    tensor(`blk.${layer}.attn_norm.weight`, [EMBEDDING], one);
    for (const weight of ["attn_q", "attn_k", "attn_v", "attn_output"])
      tensor(`blk.${layer}.${weight}.weight`, [EMBEDDING, EMBEDDING]);
    tensor(`blk.${layer}.ffn_norm.weight`, [EMBEDDING], one);
    tensor(`blk.${layer}.ffn_gate.weight`, [EMBEDDING, FEED_FORWARD]);
    tensor(`blk.${layer}.ffn_up.weight`, [EMBEDDING, FEED_FORWARD]);
    tensor(`blk.${layer}.ffn_down.weight`, [FEED_FORWARD, EMBEDDING]);
  }
  return out;
}

function metadata(contextLength: number, vocab: ReturnType<typeof vocabulary>): [string, MetadataValue][] {
  const u32 = (value: number): MetadataValue => ({ type: ValueType.UINT32, value });
  return [
    ["general.architecture", { type: ValueType.STRING, value: "llama" }],
    ["general.name", { type: ValueType.STRING, value: "tiny-random-llama" }],
    ["general.alignment", u32(ALIGNMENT)],
    ["llama.context_length", u32(contextLength)],
    ["llama.embedding_length", u32(EMBEDDING)],
    ["llama.block_count", u32(LAYERS)],
    ["llama.feed_forward_length", u32(FEED_FORWARD)],
    ["llama.attention.head_count", u32(HEADS)],
    ["llama.attention.head_count_kv", u32(HEADS)],
    ["llama.attention.layer_norm_rms_epsilon", { type: ValueType.FLOAT32, value: 1e-5 }],
    ["llama.rope.dimension_count", u32(EMBEDDING / HEADS)],
    ["llama.vocab_size", u32(vocab.tokens.length)],
    ["tokenizer.ggml.model", { type: ValueType.STRING, value: "llama" }],
    ["tokenizer.ggml.tokens", { type: ValueType.ARRAY, elementType: ValueType.STRING, values: vocab.tokens }],
    ["tokenizer.ggml.scores", { type: ValueType.ARRAY, elementType: ValueType.FLOAT32, values: vocab.scores }],
    ["tokenizer.ggml.token_type", { type: ValueType.ARRAY, elementType: ValueType.INT32, values: vocab.types }],
    ["tokenizer.ggml.bos_token_id", u32(1)],
    ["tokenizer.ggml.eos_token_id", u32(2)],
    ["tokenizer.ggml.unknown_token_id", u32(0)],
    ["tokenizer.ggml.add_bos_token", { type: ValueType.BOOL, value: true }],
    ["tokenizer.ggml.add_eos_token", { type: ValueType.BOOL, value: false }],
  ];
}

function writeScalar(writer: ByteWriter, type: ScalarType, value: string | number | boolean): void {
  switch (type) {
    case ValueType.STRING:
      writer.string(String(value));
      break;
    case ValueType.UINT32:
      writer.u32(Number(value));
      break;
    case ValueType.INT32:
      writer.i32(Number(value));
      break;
    case ValueType.FLOAT32:
      writer.f32(Number(value));
      break;
    case ValueType.BOOL:
      writer.u8(value === true ? 1 : 0);
      break;
  }
}

/** The bytes of the tiny GGUF: header, metadata, tensor infos, then the aligned tensor data. */
export function tinyGgufBytes(options: TinyGgufOptions = {}): Buffer {
  const contextLength = options.contextLength ?? 2048;
  if (!Number.isInteger(contextLength) || contextLength < 16)
    throw new RangeError(`contextLength must be an integer ≥ 16, got ${contextLength}`);
  const vocab = vocabulary();
  const entries = metadata(contextLength, vocab);
  const weights = tensors(vocab.tokens.length, options.seed ?? 7);

  const writer = new ByteWriter();
  writer.bytes(Buffer.from("GGUF", "ascii"));
  writer.u32(3);
  writer.u64(weights.length);
  writer.u64(entries.length);
  for (const [key, entry] of entries) {
    writer.string(key);
    writer.u32(entry.type);
    if (entry.type === ValueType.ARRAY) {
      writer.u32(entry.elementType);
      writer.u64(entry.values.length);
      for (const value of entry.values) writeScalar(writer, entry.elementType, value);
    } else {
      writeScalar(writer, entry.type, entry.value);
    }
  }
  // Tensor offsets are relative to the start of the data section, each one aligned.
  let offset = 0;
  for (const tensor of weights) {
    writer.string(tensor.name);
    writer.u32(tensor.dims.length);
    for (const dim of tensor.dims) writer.u64(dim);
    writer.u32(GGML_TYPE_F32);
    writer.u64(offset);
    offset = Math.ceil((offset + tensor.data.byteLength) / ALIGNMENT) * ALIGNMENT;
  }
  writer.padTo(ALIGNMENT);
  for (const tensor of weights) {
    // Float32Array stores in the platform's byte order; GGUF is little-endian, so write explicitly.
    const buffer = Buffer.alloc(tensor.data.byteLength);
    tensor.data.forEach((value, index) => {
      buffer.writeFloatLE(value, index * 4);
    });
    writer.bytes(buffer);
    writer.padTo(ALIGNMENT);
  }
  return writer.toBuffer();
}

/** Writes the tiny GGUF to `path` (overwriting it) and describes it. */
export async function writeTinyGguf(path: string, options: TinyGgufOptions = {}): Promise<TinyGguf> {
  const bytes = tinyGgufBytes(options);
  await writeFile(path, bytes);
  return {
    path,
    bytes: bytes.length,
    vocabSize: vocabulary().tokens.length,
    tensorCount: LAYERS * 9 + 3,
    specialTokenIds: { unknown: 0, begin: 1, end: 2 },
  };
}

/**
 * Writes a file that is not a loadable GGUF, in one of the ways a download or a disk can spoil one,
 * for tests of the errors a loader gives. Deterministic like {@link writeTinyGguf}.
 */
export async function writeCorruptGguf(path: string, kind: CorruptGgufKind): Promise<string> {
  const valid = tinyGgufBytes();
  let bytes: Buffer;
  switch (kind) {
    case "random-bytes": {
      const random = weightSource(11);
      bytes = Buffer.from(Array.from({ length: 4096 }, () => Math.floor((random() / 0.2 + 0.5) * 256) & 0xff));
      // Random bytes could start with the magic only by a one-in-four-billion chance; rule it out.
      if (bytes.subarray(0, 4).toString("latin1") === "GGUF") bytes[0] = 0;
      break;
    }
    case "truncated-data":
      bytes = valid.subarray(0, Math.floor(valid.length * 0.75));
      break;
    case "truncated-header":
      bytes = valid.subarray(0, 1000);
      break;
    case "bad-version":
      bytes = Buffer.from(valid);
      bytes.writeUInt32LE(99, 4);
      break;
    case "empty":
      bytes = Buffer.alloc(0);
      break;
  }
  await writeFile(path, bytes);
  return path;
}
