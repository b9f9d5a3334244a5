import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { encodeJsonlLine } from "@finemem/spec";
import { describe, expect, it } from "vitest";
import { chunkQaCacheKey, createChunkQaCacheWriter, loadChunkQaCache, sha256Hex, type ChunkQaCacheEntry, type ChunkQaKeyMaterial } from "./chunk-qa-cache.js";
import { ChunkQaError } from "./chunk-qa-error.js";
import { rejection, useTempDirs } from "./chunk-qa.test-support.js";

const tempDir = useTempDirs();

function entryFor(chunkId: string, text: string): ChunkQaCacheEntry {
  const material: ChunkQaKeyMaterial = {
    textSha256: sha256Hex(text),
    generatorModelId: "gen",
    verifierModelId: "ver",
    promptHash: "finemem-chunk-qa-v1:0123456789abcdef",
    candidates: 10,
    settings: { metric: { name: "m", dataSource: "chunk_qa" } },
  };
  return {
    format: 1,
    key: chunkQaCacheKey(material),
    chunkId,
    ...material,
    verified: [{ question: `What does ${chunkId} say?`, answer: text, verifierAnswer: text }],
    rejected: [],
    counts: { generated: 1, invalid: 0, surplus: 0, unverifiable: 0 },
    createdAt: "2025-01-01T00:00:00.000Z",
  };
}

const lines = (...entries: ChunkQaCacheEntry[]) => entries.map((entry) => encodeJsonlLine(entry)).join("");

describe("the chunk QA cache file", () => {
  it("reads a missing file as an empty cache", async () => {
    const loaded = await loadChunkQaCache(join(tempDir(), "none.jsonl"), { repair: true });
    expect(loaded).toEqual({ entries: new Map(), tornBytes: 0, repaired: false });
  });

  it("keys lines by a hash that ignores the order of settings", () => {
    const entry = entryFor("c1", "alpha");
    const reordered = { ...entry, settings: { metric: { dataSource: "chunk_qa", name: "m" } } };
    expect(chunkQaCacheKey(reordered)).toBe(entry.key);
    expect(chunkQaCacheKey({ ...entry, candidates: 11 })).not.toBe(entry.key);
  });

  it("appends whole lines in call order, even when many land at once, creating the folder", async () => {
    const path = join(tempDir(), "nested", "qa.jsonl");
    const writer = createChunkQaCacheWriter(path);
    const entries = Array.from({ length: 20 }, (_, i) => entryFor(`c${i}`, `text ${i} `.repeat(500)));
    await Promise.all(entries.map((entry) => writer.append(entry)));
    expect(readFileSync(path, "utf8")).toBe(lines(...entries));
    const loaded = await loadChunkQaCache(path);
    expect([...loaded.entries.values()]).toEqual(entries);
  });

  it("drops a torn final line and, with repair, cuts it from the file", async () => {
    const path = join(tempDir(), "qa.jsonl");
    const good = lines(entryFor("c1", "alpha"), entryFor("c2", "beta"));
    const torn = encodeJsonlLine(entryFor("c3", "gamma")).slice(0, 40);
    writeFileSync(path, good + torn);

    const readOnly = await loadChunkQaCache(path);
    expect(readOnly).toMatchObject({ tornBytes: Buffer.byteLength(torn), repaired: false });
    expect(readOnly.entries.size).toBe(2);
    expect(readFileSync(path, "utf8")).toBe(good + torn);

    const repaired = await loadChunkQaCache(path, { repair: true });
    expect(repaired).toMatchObject({ tornBytes: Buffer.byteLength(torn), repaired: true });
    expect(repaired.entries.size).toBe(2);
    expect(readFileSync(path, "utf8")).toBe(good);
  });

  it("treats an unparseable last line that has its newline as torn too", async () => {
    const path = join(tempDir(), "qa.jsonl");
    const good = lines(entryFor("c1", "alpha"));
    writeFileSync(path, `${good}{"format": 1, "key": "ab\n`);
    const loaded = await loadChunkQaCache(path, { repair: true });
    expect(loaded.entries.size).toBe(1);
    expect(readFileSync(path, "utf8")).toBe(good);
  });

  it("refuses a corrupt line in the middle with a typed error naming the file and line, and leaves the file alone", async () => {
    const path = join(tempDir(), "qa.jsonl");
    const text = `${lines(entryFor("c1", "alpha"))}{"format": 1, oops}\n${lines(entryFor("c3", "gamma"))}partial`;
    writeFileSync(path, text);
    const error = await rejection(loadChunkQaCache(path, { repair: true }));
    expect(error).toBeInstanceOf(ChunkQaError);
    expect(error).toMatchObject({ code: "corrupt_cache", file: path, line: 2, path: [2] });
    expect((error as Error).message).toContain(`${path}:2`);
    expect(readFileSync(path, "utf8")).toBe(text);
  });

  it("refuses a line that is JSON but not an entry, naming the field, even when it is the last line", async () => {
    const path = join(tempDir(), "qa.jsonl");
    const bad = { ...entryFor("c2", "beta"), verified: [{ question: " ", answer: "beta", verifierAnswer: "beta" }] };
    writeFileSync(path, lines(entryFor("c1", "alpha")) + encodeJsonlLine(bad));
    const error = await rejection(loadChunkQaCache(path));
    expect(error).toMatchObject({ code: "corrupt_cache", line: 2, path: [2, "verified", 0, "question"] });
  });

  it("refuses a line whose key does not match its fields (a hand edit that would move questions between chunks)", async () => {
    const path = join(tempDir(), "qa.jsonl");
    const edited = { ...entryFor("c1", "alpha"), textSha256: sha256Hex("other text") };
    writeFileSync(path, `\n${encodeJsonlLine(edited)}`);
    const error = await rejection(loadChunkQaCache(path));
    expect(error).toMatchObject({ code: "corrupt_cache", line: 2, path: [2, "key"] });
  });
});
