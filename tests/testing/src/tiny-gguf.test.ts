import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CORRUPT_GGUF_KINDS, tinyGgufBytes, writeCorruptGguf, writeTinyGguf } from "./tiny-gguf.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "finemem-tiny-gguf-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("writeTinyGguf", () => {
  it("writes a GGUF v3 header with the tensor and metadata counts", async () => {
    const written = await writeTinyGguf(join(dir, "tiny.gguf"));
    const bytes = await readFile(written.path);
    expect(bytes.subarray(0, 4).toString("latin1")).toBe("GGUF");
    expect(bytes.readUInt32LE(4)).toBe(3);
    expect(bytes.readBigUInt64LE(8)).toBe(BigInt(written.tensorCount));
    expect(bytes.readBigUInt64LE(16)).toBe(21n);
    expect(written).toMatchObject({
      bytes: bytes.length,
      vocabSize: 294,
      tensorCount: 21,
      specialTokenIds: { unknown: 0, begin: 1, end: 2 },
    });
    // 2 output-sized F32 matrices dominate: about half a megabyte in all.
    expect(bytes.length).toBeGreaterThan(400_000);
    expect(bytes.length).toBeLessThan(600_000);
    expect(bytes.length % 32).toBe(0);
  });

  it("is deterministic: the same options give the same bytes, another seed other weights", async () => {
    const a = await writeTinyGguf(join(dir, "a.gguf"));
    const b = await writeTinyGguf(join(dir, "b.gguf"));
    expect((await readFile(a.path)).equals(await readFile(b.path))).toBe(true);
    const reseeded = tinyGgufBytes({ seed: 8 });
    expect(reseeded.length).toBe(a.bytes);
    expect(reseeded.equals(await readFile(a.path))).toBe(false);
  });

  it("writes the context length into the metadata", () => {
    const key = Buffer.from("llama.context_length");
    const bytes = tinyGgufBytes({ contextLength: 4096 });
    const at = bytes.indexOf(key);
    expect(at).toBeGreaterThan(0);
    // The key, then its value type (4 = uint32), then the value.
    expect(bytes.readUInt32LE(at + key.length)).toBe(4);
    expect(bytes.readUInt32LE(at + key.length + 4)).toBe(4096);
    expect(() => tinyGgufBytes({ contextLength: 3 })).toThrow(RangeError);
  });
});

describe("writeCorruptGguf", () => {
  it.each(CORRUPT_GGUF_KINDS)("writes a %s file, the same every time", async (kind) => {
    const first = await readFile(await writeCorruptGguf(join(dir, `${kind}-1.gguf`), kind));
    const second = await readFile(await writeCorruptGguf(join(dir, `${kind}-2.gguf`), kind));
    expect(first.equals(second)).toBe(true);
    const valid = tinyGgufBytes();
    switch (kind) {
      case "random-bytes":
        expect(first.subarray(0, 4).toString("latin1")).not.toBe("GGUF");
        break;
      case "truncated-data":
      case "truncated-header":
        expect(first.length).toBeLessThan(valid.length);
        expect(first.equals(valid.subarray(0, first.length))).toBe(true);
        break;
      case "bad-version":
        expect(first.readUInt32LE(4)).toBe(99);
        break;
      case "empty":
        expect((await stat(join(dir, `${kind}-1.gguf`))).size).toBe(0);
        break;
    }
  });
});
