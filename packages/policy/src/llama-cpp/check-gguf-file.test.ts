import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CORRUPT_GGUF_KINDS, rejection, tinyGgufBytes, writeCorruptGguf, writeTinyGguf } from "@finemem/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalModelError } from "../local/local-model-error.js";
import { checkGgufFile } from "./check-gguf-file.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "finemem-check-gguf-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("checkGgufFile", () => {
  it("reads a valid file's header: version, tensors, scalar metadata and the data it needs", async () => {
    const tiny = await writeTinyGguf(join(dir, "tiny.gguf"), { contextLength: 1024 });
    const summary = await checkGgufFile(tiny.path);
    expect(summary).toMatchObject({ version: 3, tensorCount: 21, fileBytes: tiny.bytes });
    expect(summary.metadata.get("general.architecture")).toBe("llama");
    expect(summary.metadata.get("llama.context_length")).toBe(1024);
    expect(summary.metadata.get("tokenizer.ggml.add_bos_token")).toBe(true);
    expect(summary.metadata.has("tokenizer.ggml.tokens")).toBe(false);
    expect(summary.dataOffset % 32).toBe(0);
    expect(summary.dataOffset + summary.dataBytes).toBe(tiny.bytes);
  });

  it("says model_not_found, naming the path, for a missing file or a folder", async () => {
    const missing = join(dir, "nowhere", "model.gguf");
    const error = await rejection(checkGgufFile(missing));
    expect(error).toBeInstanceOf(LocalModelError);
    expect(error).toMatchObject({ code: "model_not_found", modelPath: missing });
    expect((error as Error).message).toContain(missing);
    const folder = join(dir, "folder.gguf");
    await mkdir(folder);
    expect(await rejection(checkGgufFile(folder))).toMatchObject({ code: "model_not_found", modelPath: folder });
  });

  it.each(CORRUPT_GGUF_KINDS)("says model_corrupt, naming the path, for a %s file", async (kind) => {
    const path = await writeCorruptGguf(join(dir, `${kind}.gguf`), kind);
    const error = await rejection(checkGgufFile(path));
    expect(error).toBeInstanceOf(LocalModelError);
    expect(error).toMatchObject({ code: "model_corrupt", modelPath: path });
    expect((error as Error).message).toContain(path);
  });

  it("explains what is wrong", async () => {
    const message = async (kind: (typeof CORRUPT_GGUF_KINDS)[number]) =>
      ((await rejection(checkGgufFile(await writeCorruptGguf(join(dir, `why-${kind}.gguf`), kind)))) as Error).message;
    expect(await message("random-bytes")).toMatch(/does not start with the GGUF magic/);
    expect(await message("bad-version")).toMatch(/GGUF version 99 is not supported/);
    expect(await message("truncated-data")).toMatch(
      /tensors need \d+ bytes but the file has \d+; the file is truncated/,
    );
    expect(await message("truncated-header")).toMatch(/truncated/);
  });

  it("refuses lengths and counts that the file cannot hold, without allocating them", async () => {
    const hugeString = Buffer.from(tinyGgufBytes());
    hugeString.writeBigUInt64LE(2n ** 60n, 24); // the length of the first metadata key
    await writeFile(join(dir, "huge-string.gguf"), hugeString);
    expect(await rejection(checkGgufFile(join(dir, "huge-string.gguf")))).toMatchObject({
      code: "model_corrupt",
      message: expect.stringMatching(/claims \d+ bytes/),
    });
    const hugeCount = Buffer.from(tinyGgufBytes());
    hugeCount.writeBigUInt64LE(2n ** 40n, 8); // the tensor count
    await writeFile(join(dir, "huge-count.gguf"), hugeCount);
    expect(await rejection(checkGgufFile(join(dir, "huge-count.gguf")))).toMatchObject({
      code: "model_corrupt",
      message: expect.stringMatching(/tensor count/),
    });
  });
});
