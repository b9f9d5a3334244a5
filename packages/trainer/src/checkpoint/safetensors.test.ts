// safetensors files: a byte layout worked by hand, round trips, every way a file can be corrupt, and
// two outside oracles in Python (standard library + numpy; python/read_safetensors.py reads what this
// writer wrote, python/write_safetensors.py writes a file this reader must decode).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkService, probePython, pythonPath } from "@finemem/testing";
import { describe, expect, it } from "vitest";
import { TrainerError } from "../trainer-error.js";
import { decodeSafetensors, encodeSafetensors, type SafetensorsTensor } from "./safetensors.js";

const PYTHON_DIR = join(import.meta.dirname, "..", "..", "python");
const python = await checkService("python", () => probePython(["numpy"]));

function expectCorrupt(bytes: Uint8Array, message: RegExp): void {
  let caught: unknown;
  try {
    decodeSafetensors(bytes);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(TrainerError);
  expect((caught as TrainerError).code).toBe("corrupt_checkpoint");
  expect((caught as TrainerError).message).toMatch(message);
  expect((caught as TrainerError).message).toMatch(/write the checkpoint again/);
}

/** A file with the given header text (padded to a multiple of 8) and data bytes. */
function fileWith(header: string, data: readonly number[] = []): Uint8Array {
  const json = new TextEncoder().encode(header);
  const length = json.length + ((8 - (json.length % 8)) % 8);
  const bytes = new Uint8Array(8 + length + data.length).fill(0x20, 8, 8 + length);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(length), true);
  bytes.set(json, 8);
  bytes.set(data, 8 + length);
  return bytes;
}

const sample: Record<string, SafetensorsTensor> = {
  "w.weight": { dtype: "F32", shape: [2, 3], data: Float32Array.from([0.5, -1.25, 3e-8, 1e30, -0, 7]) },
  bias: { dtype: "F32", shape: [3], data: Float32Array.from([0.1, 0.2, 0.3]) },
  "adam.step": { dtype: "I32", shape: [], data: Int32Array.from([42]) },
  counts: { dtype: "I32", shape: [2, 2], data: Int32Array.from([-2147483648, 0, 1, 2147483647]) },
  mean: { dtype: "F64", shape: [3], data: Float64Array.from([0.1, -2.5e-300, 1e300]) },
  empty: { dtype: "F32", shape: [0, 4], data: new Float32Array(0) },
};

describe("safetensors layout", () => {
  it("matches a tiny file worked by hand", () => {
    // {"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}} is 5 + 15 + 12 + 20 + 2 = 54 bytes of
    // JSON; padded with 2 spaces to 56 (8 + 56 = 64, a multiple of 8). N = 56 = 0x38, little-endian
    // in 8 bytes. Then 1.0f = 0x3F800000 and -2.0f = 0xC0000000, each little-endian. 72 bytes in all.
    const bytes = encodeSafetensors({ a: { dtype: "F32", shape: [2], data: Float32Array.from([1, -2]) } });
    const header = '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}  ';
    expect(bytes.length).toBe(72);
    expect([...bytes.subarray(0, 8)]).toEqual([0x38, 0, 0, 0, 0, 0, 0, 0]);
    expect(new TextDecoder().decode(bytes.subarray(8, 64))).toBe(header);
    expect([...bytes.subarray(64)]).toEqual([0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0]);
  });

  it("writes metadata first and the tensors in name order, end to end", () => {
    const bytes = encodeSafetensors(
      {
        b: { dtype: "I32", shape: [1], data: Int32Array.from([7]) },
        a: { dtype: "F64", shape: [1], data: Float64Array.from([0.5]) },
      },
      { step: "3" },
    );
    const length = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + length) % 8).toBe(0);
    expect(new TextDecoder().decode(bytes.subarray(8, 8 + length)).trimEnd()).toBe(
      '{"__metadata__":{"step":"3"},"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"b":{"dtype":"I32","shape":[1],"data_offsets":[8,12]}}',
    );
  });

  it("round-trips every dtype, scalars, empty tensors, special values and metadata", () => {
    const special = {
      dtype: "F64" as const,
      shape: [4],
      data: Float64Array.from([Number.NaN, Infinity, -Infinity, -0]),
    };
    const decoded = decodeSafetensors(encodeSafetensors({ ...sample, special }, { format: "pt", note: "ünïcode" }));
    expect(decoded.metadata).toEqual({ format: "pt", note: "ünïcode" });
    expect(Object.keys(decoded.tensors).sort()).toEqual([...Object.keys(sample), "special"].sort());
    for (const [name, tensor] of Object.entries({ ...sample, special })) {
      const got = decoded.tensors[name]!;
      expect(got.dtype).toBe(tensor.dtype);
      expect(got.shape).toEqual(tensor.shape);
      expect(got.data.constructor).toBe(tensor.data.constructor);
      expect([...got.data]).toEqual([...tensor.data]);
    }
    expect(Object.is(decoded.tensors.special!.data[3], -0)).toBe(true);
    expect(decodeSafetensors(encodeSafetensors({}))).toEqual({ tensors: {}, metadata: {} });
  });

  it("decodes from a view into a larger buffer", () => {
    const bytes = encodeSafetensors(sample);
    const padded = new Uint8Array(bytes.length + 3);
    padded.set(bytes, 3);
    expect([...decodeSafetensors(padded.subarray(3)).tensors.mean!.data]).toEqual([...sample.mean!.data]);
  });

  it("refuses tensors it cannot write as given", () => {
    const bad =
      (tensor: unknown, name = "x") =>
      () =>
        encodeSafetensors({ [name]: tensor as SafetensorsTensor });
    expect(bad({ dtype: "F32", shape: [3], data: new Float32Array(2) })).toThrow(
      /shape \[3\] holds 3 elements, the data has 2/,
    );
    expect(bad({ dtype: "F32", shape: [2], data: new Float64Array(2) })).toThrow(
      /F32 needs a Float32Array, got a Float64Array/,
    );
    expect(bad({ dtype: "BF16", shape: [2], data: new Float32Array(2) })).toThrow(/dtype must be F32, F64 or I32/);
    expect(bad({ dtype: "F32", shape: [-1], data: new Float32Array(0) })).toThrow(/shape must be a list of integers/);
    expect(bad({ dtype: "F32", shape: [1], data: new Float32Array(1) }, "__metadata__")).toThrow(/reserved/);
    expect(bad({ dtype: "F32", shape: [1], data: new Float32Array(1) })).not.toThrow();
  });
});

describe("a corrupt safetensors file is a corrupt_checkpoint", () => {
  const good = encodeSafetensors({ a: { dtype: "F32", shape: [2], data: Float32Array.from([1, -2]) } });

  it("names a truncated file", () => {
    expectCorrupt(new Uint8Array(0), /0 bytes, fewer than the 8/);
    expectCorrupt(good.subarray(0, 5), /5 bytes/);
    expectCorrupt(good.subarray(0, 40), /header length 56 runs past the end of the 40-byte file/);
    expectCorrupt(good.subarray(0, 70), /tensor a ends at byte 8 of a 6-byte data section/);
  });

  it("names a header length past the end", () => {
    const bytes = good.slice();
    new DataView(bytes.buffer).setBigUint64(0, 2n ** 63n, true);
    expectCorrupt(bytes, /header length 9223372036854775808 runs past the end/);
  });

  it("names a header that is not JSON, or not an object", () => {
    expectCorrupt(fileWith('{"a":'), /the header is not UTF-8 JSON/);
    expectCorrupt(fileWith("[1, 2]"), /not a JSON object/);
    const bytes = good.slice();
    bytes[9] = 0xff;
    expectCorrupt(bytes, /not UTF-8 JSON/);
  });

  it("names an unknown dtype, a bad shape, bad offsets, and a shape that does not match the bytes", () => {
    expectCorrupt(
      fileWith('{"a":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}}', [0, 0, 0, 0]),
      /tensor a has dtype "BF16"/,
    );
    expectCorrupt(
      fileWith('{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}', new Array(8).fill(0)),
      /shape \[-2\]/,
    );
    expectCorrupt(
      fileWith('{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}', new Array(8).fill(0)),
      /data_offsets \[8,0\]/,
    );
    expectCorrupt(fileWith('{"a":{"dtype":"F32","shape":[2]}}', new Array(8).fill(0)), /data_offsets undefined/);
    expectCorrupt(
      fileWith('{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', new Array(8).fill(0)),
      /tensor a of shape \[3\] and dtype F32 needs 12 bytes, its offsets give 8/,
    );
    expectCorrupt(fileWith('{"a":3}'), /tensor a is not an object/);
    expectCorrupt(fileWith('{"__metadata__":{"k":1}}'), /__metadata__\.k is not a string/);
  });

  it("names overlapping offsets, offsets out of range, gaps and trailing bytes", () => {
    const two = (a: string, b: string, bytes: number) =>
      fileWith(
        `{"a":{"dtype":"F32","shape":[1],"data_offsets":${a}},"b":{"dtype":"F32","shape":[1],"data_offsets":${b}}}`,
        new Array(bytes).fill(0),
      );
    expectCorrupt(two("[0,4]", "[2,6]", 8), /tensor b at \[2, 6\) overlaps the tensor before it, which ends at 4/);
    expectCorrupt(two("[0,4]", "[0,4]", 4), /overlaps/);
    expectCorrupt(two("[0,4]", "[8,12]", 12), /bytes \[4, 8\) of the data section belong to no tensor/);
    expectCorrupt(two("[0,4]", "[4,8]", 6), /tensor b ends at byte 8 of a 6-byte data section/);
    expectCorrupt(two("[0,4]", "[4,8]", 10), /the data section has 10 bytes, the tensors cover 8/);
    expect(() => decodeSafetensors(two("[4,8]", "[0,4]", 8))).not.toThrow();
  });
});

describe.skipIf(!python.available)("safetensors against Python (standard library + numpy)", () => {
  const directory = mkdtempSync(join(tmpdir(), "finemem-safetensors-"));
  const runPython = (script: string, path: string) =>
    JSON.parse(execFileSync(pythonPath(), [join(PYTHON_DIR, script), path], { encoding: "utf8" })) as {
      header_length?: number;
      data_order?: string[];
      metadata: Record<string, string>;
      tensors: Record<string, { dtype: string; shape: number[]; values: number[] }>;
    };

  it("python/read_safetensors.py reads what this writer wrote, value for value", () => {
    const path = join(directory, "from-ts.safetensors");
    writeFileSync(path, encodeSafetensors(sample, { format: "pt", step: "12" }));
    const read = runPython("read_safetensors.py", path);
    expect(read.metadata).toEqual({ format: "pt", step: "12" });
    expect(read.data_order).toEqual(Object.keys(sample).sort());
    expect(Object.keys(read.tensors).sort()).toEqual(Object.keys(sample).sort());
    for (const [name, tensor] of Object.entries(sample)) {
      expect(read.tensors[name]).toEqual({ dtype: tensor.dtype, shape: tensor.shape, values: [...tensor.data] });
    }
  });

  it("this reader decodes what python/write_safetensors.py wrote, value for value", () => {
    const path = join(directory, "from-python.safetensors");
    const written = runPython("write_safetensors.py", path);
    const decoded = decodeSafetensors(readFileSync(path));
    expect(decoded.metadata).toEqual(written.metadata);
    expect(Object.keys(decoded.tensors).sort()).toEqual(Object.keys(written.tensors).sort());
    for (const [name, tensor] of Object.entries(written.tensors)) {
      const got = decoded.tensors[name]!;
      expect({ dtype: got.dtype, shape: got.shape, values: [...got.data] }).toEqual(tensor);
    }
  });
});
