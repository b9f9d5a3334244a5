import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { encodeJsonlLine } from "@finemem/utils";
import { describe, expect, it } from "vitest";
import {
  type ChunkQaCacheEntry,
  type ChunkQaKeyMaterial,
  chunkQaCacheKey,
  createChunkQaCacheWriter,
  loadChunkQaCache,
  sha256Hex,
} from "./chunk-qa-cache.js";
import { ChunkQaError } from "./chunk-qa-error.js";
import { rejection, useTempDirs } from "./test-support/scripted-qa-models.js";

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

  it("says which line and field is wrong, and that the file was left as it was", async () => {
    const path = join(tempDir(), "qa.jsonl");
    const bad = { ...entryFor("c2", "beta"), verified: [{ question: "Who?", answer: 5, verifierAnswer: "x" }] };
    writeFileSync(path, lines(entryFor("c1", "alpha")) + encodeJsonlLine(bad));
    const error = await rejection(loadChunkQaCache(path));
    expect((error as Error).message).toBe(
      `${path}:2: expected a non-empty string at verified.0.answer; the cache file was left unchanged (fix or remove the line, or delete the file to rebuild)`,
    );
    writeFileSync(path, `${lines(entryFor("c1", "alpha"))}{oops}\n${lines(entryFor("c3", "gamma"))}`);
    const notJson = await rejection(loadChunkQaCache(path));
    expect((notJson as Error).message).toBe(
      `${path}:2: not valid JSON; the cache file was left unchanged (fix or remove the line, or delete the file to rebuild)`,
    );
    expect(notJson).toMatchObject({ code: "corrupt_cache", line: 2, path: [2] });
  });

  it("counts blank and whitespace-only lines when naming a line", async () => {
    const path = join(tempDir(), "qa.jsonl");
    // Line 1 an entry, line 2 empty, line 3 spaces, line 4 the bad entry, line 5 an entry.
    const bad = { ...entryFor("c2", "beta"), format: 2 };
    writeFileSync(
      path,
      `${lines(entryFor("c1", "alpha"))}\n   \n${encodeJsonlLine(bad)}${lines(entryFor("c3", "gamma"))}`,
    );
    const error = await rejection(loadChunkQaCache(path));
    expect(error).toMatchObject({ code: "corrupt_cache", line: 4, path: [4, "format"] });
    expect((error as Error).message).toContain(":4: unknown format 2 (expected 1) at format;");
  });

  it("treats only the final segment as torn: a bad complete line before it is corrupt", async () => {
    const path = join(tempDir(), "qa.jsonl");
    writeFileSync(path, `${lines(entryFor("c1", "alpha"))}{"format": 1, oops}\npartial`);
    const error = await rejection(loadChunkQaCache(path, { repair: true }));
    expect(error).toMatchObject({ code: "corrupt_cache", line: 2 });
  });

  it("reads trailing blank lines as a clean end, and a file without any newline as one torn line", async () => {
    const path = join(tempDir(), "qa.jsonl");
    const good = lines(entryFor("c1", "alpha"));
    writeFileSync(path, `${good}\n  \n`);
    const clean = await loadChunkQaCache(path, { repair: true });
    expect(clean).toMatchObject({ tornBytes: 0, repaired: false });
    expect(clean.entries.size).toBe(1);
    expect(readFileSync(path, "utf8")).toBe(`${good}\n  \n`);

    writeFileSync(path, '{"format": 1, "ke');
    const torn = await loadChunkQaCache(path, { repair: true });
    expect(torn).toMatchObject({ tornBytes: 17, repaired: true });
    expect(torn.entries.size).toBe(0);
    expect(readFileSync(path, "utf8")).toBe("");
  });

  it("does not report a repair when nothing was torn", async () => {
    const path = join(tempDir(), "qa.jsonl");
    writeFileSync(path, lines(entryFor("c1", "alpha")));
    expect(await loadChunkQaCache(path, { repair: true })).toMatchObject({ tornBytes: 0, repaired: false });
  });

  it("passes on read errors other than a missing file", async () => {
    const folder = tempDir();
    const error = await rejection(loadChunkQaCache(folder));
    expect(error).not.toBeInstanceOf(ChunkQaError);
    expect(error).toMatchObject({ code: "EISDIR" });
  });

  it("stops before reading when aborted", async () => {
    const error = await rejection(loadChunkQaCache(join(tempDir(), "none.jsonl"), { signal: AbortSignal.abort() }));
    expect(error).toMatchObject({ code: "aborted" });
  });

  it("idle() waits for every append so far, and does not fail when one did", async () => {
    const path = join(tempDir(), "deep", "qa.jsonl");
    const writer = createChunkQaCacheWriter(path);
    const entries = [entryFor("c1", "alpha"), entryFor("c2", "beta")];
    for (const entry of entries) void writer.append(entry);
    await writer.idle();
    expect(readFileSync(path, "utf8")).toBe(lines(...entries));

    const blocked = join(tempDir(), "file");
    writeFileSync(blocked, "");
    const broken = createChunkQaCacheWriter(join(blocked, "qa.jsonl"));
    const failed = broken.append(entries[0]!);
    await expect(failed).rejects.toMatchObject({ code: expect.stringMatching(/^E/) });
    await expect(broken.idle()).resolves.toBeUndefined();
  });

  it("accepts a line with one candidate, empty lists and an empty verifier answer", async () => {
    const path = join(tempDir(), "qa.jsonl");
    const material = { ...entryFor("c1", "alpha"), candidates: 1 };
    const entry = {
      ...material,
      key: chunkQaCacheKey(material),
      verified: [],
      rejected: [{ question: "Who?", answer: "Ada", verifierAnswer: "" }],
    };
    writeFileSync(path, encodeJsonlLine(entry));
    expect([...(await loadChunkQaCache(path)).entries.values()]).toEqual([entry]);
  });

  const good = entryFor("c1", "alpha");
  const hex = "0123456789abcdef".repeat(4);
  it.each([
    ["an array", [good], [], "expected a JSON object"],
    ["null", null, [], "expected a JSON object"],
    ["format 2", { ...good, format: 2 }, ["format"], "unknown format 2 (expected 1) at format"],
    ["a missing format", { ...good, format: undefined }, ["format"], "unknown format undefined (expected 1) at format"],
    ["a numeric key", { ...good, key: 5 }, ["key"], "expected 64 lower-case hex digits at key"],
    ["an upper-case key", { ...good, key: hex.toUpperCase() }, ["key"], "expected 64 lower-case hex digits at key"],
    [
      "a text hash with a character before",
      { ...good, textSha256: `x${hex}` },
      ["textSha256"],
      "expected 64 lower-case hex digits at textSha256",
    ],
    [
      "a text hash with a character after",
      { ...good, textSha256: `${hex}x` },
      ["textSha256"],
      "expected 64 lower-case hex digits at textSha256",
    ],
    [
      "a text hash in a list",
      { ...good, textSha256: [hex] },
      ["textSha256"],
      "expected 64 lower-case hex digits at textSha256",
    ],
    ["a bad chunk id", { ...good, chunkId: "bad id" }, ["chunkId"], "expected a chunk id at chunkId"],
    [
      "an empty model id",
      { ...good, generatorModelId: "" },
      ["generatorModelId"],
      "expected a non-empty string at generatorModelId",
    ],
    [
      "a numeric model id",
      { ...good, verifierModelId: 7 },
      ["verifierModelId"],
      "expected a non-empty string at verifierModelId",
    ],
    ["an empty prompt hash", { ...good, promptHash: "" }, ["promptHash"], "expected a non-empty string at promptHash"],
    ["an empty time", { ...good, createdAt: "" }, ["createdAt"], "expected a non-empty string at createdAt"],
    [
      "a numeric time",
      { ...good, createdAt: 1735689600000 },
      ["createdAt"],
      "expected a non-empty string at createdAt",
    ],
    ["zero candidates", { ...good, candidates: 0 }, ["candidates"], "expected an integer ≥ 1 at candidates"],
    [
      "a fractional candidate count",
      { ...good, candidates: 2.5 },
      ["candidates"],
      "expected an integer ≥ 1 at candidates",
    ],
    ["settings that are not an object", { ...good, settings: [1] }, ["settings"], "expected an object at settings"],
    ["verified pairs that are not a list", { ...good, verified: {} }, ["verified"], "expected an array at verified"],
    [
      "rejected pairs that are not a list",
      { ...good, rejected: "none" },
      ["rejected"],
      "expected an array at rejected",
    ],
    [
      "a pair that is not an object",
      { ...good, rejected: ["Who?"] },
      ["rejected", 0],
      "expected an object at rejected.0",
    ],
    [
      "a numeric question",
      { ...good, verified: [{ question: 5, answer: "Ada", verifierAnswer: "Ada" }] },
      ["verified", 0, "question"],
      "expected a non-empty string at verified.0.question",
    ],
    [
      "a blank answer",
      { ...good, verified: [{ question: "Who?", answer: " ", verifierAnswer: "Ada" }] },
      ["verified", 0, "answer"],
      "expected a non-empty string at verified.0.answer",
    ],
    [
      "no verifier answer",
      { ...good, verified: [{ question: "Who?", answer: "Ada" }] },
      ["verified", 0, "verifierAnswer"],
      "expected a string at verified.0.verifierAnswer",
    ],
    ["counts that are not an object", { ...good, counts: 4 }, ["counts"], "expected an object at counts"],
    [
      "a negative count",
      { ...good, counts: { ...good.counts, generated: -1 } },
      ["counts", "generated"],
      "expected an integer ≥ 0 at counts.generated",
    ],
    [
      "a fractional count",
      { ...good, counts: { ...good.counts, invalid: 0.5 } },
      ["counts", "invalid"],
      "expected an integer ≥ 0 at counts.invalid",
    ],
    [
      "a count written as text",
      { ...good, counts: { ...good.counts, surplus: "1" } },
      ["counts", "surplus"],
      "expected an integer ≥ 0 at counts.surplus",
    ],
    [
      "a missing count",
      { ...good, counts: { generated: 1, invalid: 0, surplus: 0 } },
      ["counts", "unverifiable"],
      "expected an integer ≥ 0 at counts.unverifiable",
    ],
    [
      "a key that does not match",
      { ...good, key: hex },
      ["key"],
      "the key does not match the line's text hash, models, prompt and settings at key",
    ],
  ] as const)("refuses a line with %s, naming the field", async (_what, value, fieldPath, what) => {
    const path = join(tempDir(), "qa.jsonl");
    writeFileSync(path, `${JSON.stringify(value)}\n`);
    const error = await rejection(loadChunkQaCache(path));
    expect(error).toBeInstanceOf(ChunkQaError);
    expect(error).toMatchObject({ code: "corrupt_cache", file: path, line: 1, path: [1, ...fieldPath] });
    expect((error as Error).message).toBe(
      `${path}:1: ${what}; the cache file was left unchanged (fix or remove the line, or delete the file to rebuild)`,
    );
  });
});
