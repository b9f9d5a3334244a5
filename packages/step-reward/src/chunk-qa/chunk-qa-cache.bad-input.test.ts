// Bad and unusual cache files, beyond the cases in chunk-qa-cache.test.ts: the key (pinned to hashes
// computed outside this code, with `sha256sum`), lines written by an earlier run, a key written twice,
// empty files, torn lines with multi-byte characters, appends after a torn line, and lines of another
// format. Expectations follow the doc comments of chunk-qa-cache.ts and the package README.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
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

const LEFT_UNCHANGED = "the cache file was left unchanged (fix or remove the line, or delete the file to rebuild)";

/** sha256 of the UTF-8 bytes of "Ada lives in Lyon." (`printf 'Ada lives in Lyon.' | sha256sum`). */
const ADA_SHA256 = "0ee70968f8b9fa8be7c3f1e823553ad61b8d337835393c776b84798dd1054a04";

/** Key material whose settings list their keys out of order, at every depth. */
const adaMaterial: ChunkQaKeyMaterial = {
  textSha256: ADA_SHA256,
  generatorModelId: "gen-1",
  verifierModelId: "ver-1",
  promptHash: "finemem-chunk-qa-v1:abc",
  candidates: 10,
  settings: {
    sampling: [{ temperature: 0, seed: 1 }],
    metric: { name: "memoryagentbench_post_process", dataSource: "chunk_qa" },
    maxAnswerChars: 100,
  },
};

/**
 * sha256 of the canonical JSON of `adaMaterial`, written out by hand with every object's keys sorted:
 * {"candidates":10,"generatorModelId":"gen-1","promptHash":"finemem-chunk-qa-v1:abc","settings":{"maxAnswerChars":100,
 * "metric":{"dataSource":"chunk_qa","name":"memoryagentbench_post_process"},"sampling":[{"seed":1,"temperature":0}]},
 * "textSha256":"0ee7…4a04","verifierModelId":"ver-1"} (one line, no spaces), hashed with sha256sum.
 */
const ADA_KEY = "fbef8c671b08d7355a4cdee078331a0d7699c22f4eed715e2576808ef27c4609";

/** A cache line for `adaMaterial`, as an earlier run wrote it, key and all, typed out as text. */
const ADA_LINE =
  `{"format":1,"key":"${ADA_KEY}","chunkId":"s1.c0","textSha256":"${ADA_SHA256}","generatorModelId":"gen-1","verifierModelId":"ver-1",` +
  `"promptHash":"finemem-chunk-qa-v1:abc","candidates":10,"settings":{"sampling":[{"temperature":0,"seed":1}],"metric":{"name":"memoryagentbench_post_process","dataSource":"chunk_qa"},"maxAnswerChars":100},` +
  `"verified":[{"question":"Where does Ada live?","answer":"Lyon","verifierAnswer":"Lyon"}],"rejected":[{"question":"Who is Ada?","answer":"a person","verifierAnswer":"unknown"}],` +
  `"counts":{"generated":3,"invalid":1,"surplus":0,"unverifiable":0},"createdAt":"2025-06-01T12:00:00.000Z"}\n`;

function entryFor(chunkId: string, text: string, question = `What does ${chunkId} say?`): ChunkQaCacheEntry {
  const material: ChunkQaKeyMaterial = {
    ...adaMaterial,
    textSha256: sha256Hex(text),
    settings: { metric: { name: "m" } },
  };
  return {
    format: 1,
    key: chunkQaCacheKey(material),
    chunkId,
    ...material,
    verified: [{ question, answer: text, verifierAnswer: text }],
    rejected: [],
    counts: { generated: 1, invalid: 0, surplus: 0, unverifiable: 0 },
    createdAt: "2025-01-01T00:00:00.000Z",
  };
}

describe("chunk QA cache keys", () => {
  it("hashes text as UTF-8 into 64 lower-case hex digits", () => {
    expect(sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(sha256Hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    // printf 'Zoë lives in Kraków — 日本' | sha256sum
    expect(sha256Hex("Zoë lives in Kraków — 日本")).toBe(
      "7b553ccddb0eeb880296e1aa03252b73a3c9674da2118b64d3c985de061264e1",
    );
  });

  it("is the sha256 of the material's canonical JSON, with keys sorted at every depth", () => {
    expect(chunkQaCacheKey(adaMaterial)).toBe(ADA_KEY);
    const reordered: ChunkQaKeyMaterial = {
      settings: {
        maxAnswerChars: 100,
        metric: { dataSource: "chunk_qa", name: "memoryagentbench_post_process" },
        sampling: [{ seed: 1, temperature: 0 }],
      },
      candidates: 10,
      promptHash: "finemem-chunk-qa-v1:abc",
      verifierModelId: "ver-1",
      generatorModelId: "gen-1",
      textSha256: ADA_SHA256,
    };
    expect(chunkQaCacheKey(reordered)).toBe(ADA_KEY);
  });

  it("does not depend on the chunk id, the pairs, the counts or the time of a line", () => {
    const entry = JSON.parse(ADA_LINE) as ChunkQaCacheEntry;
    expect(chunkQaCacheKey(entry)).toBe(ADA_KEY);
    expect(
      chunkQaCacheKey({
        ...entry,
        chunkId: "other",
        verified: [],
        rejected: [],
        counts: { generated: 0, invalid: 0, surplus: 0, unverifiable: 0 },
        createdAt: "x",
      } as ChunkQaCacheEntry),
    ).toBe(ADA_KEY);
  });

  it.each([
    ["the text hash", { textSha256: sha256Hex("Ada lives in Paris.") }],
    ["the generator model", { generatorModelId: "gen-2" }],
    ["the verifier model", { verifierModelId: "ver-2" }],
    ["the two model ids swapped", { generatorModelId: "ver-1", verifierModelId: "gen-1" }],
    ["the prompt hash", { promptHash: "finemem-chunk-qa-v1:abd" }],
    ["the candidate count", { candidates: 9 }],
    ["a setting's value", { settings: { ...adaMaterial.settings, maxAnswerChars: 101 } }],
    ["a setting's type", { settings: { ...adaMaterial.settings, maxAnswerChars: "100" } }],
    ["a nested setting", { settings: { ...adaMaterial.settings, sampling: [{ temperature: 0, seed: 2 }] } }],
    ["a setting added", { settings: { ...adaMaterial.settings, minVerifierScore: 1 } }],
    [
      "a setting removed",
      { settings: { metric: adaMaterial.settings.metric!, sampling: adaMaterial.settings.sampling! } },
    ],
  ] as const)("changes with %s", (_what, change) => {
    const key = chunkQaCacheKey({ ...adaMaterial, ...change });
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(key).not.toBe(ADA_KEY);
  });
});

describe("loading chunk QA cache files", () => {
  it("reads a line written by an earlier run under its recorded key, as it was written", async () => {
    const path = join(tempDir(), "qa.jsonl");
    writeFileSync(path, ADA_LINE);
    const loaded = await loadChunkQaCache(path, { repair: true });
    expect(loaded.tornBytes).toBe(0);
    expect(loaded.repaired).toBe(false);
    expect([...loaded.entries.keys()]).toEqual([ADA_KEY]);
    expect(loaded.entries.get(ADA_KEY)).toEqual(JSON.parse(ADA_LINE));
    expect(readFileSync(path, "utf8")).toBe(ADA_LINE);
  });

  it("keeps the last line of a key written twice", async () => {
    const path = join(tempDir(), "qa.jsonl");
    const first = entryFor("c1", "same text", "First question?");
    const second = entryFor("c2", "same text", "Second question?");
    const other = entryFor("c3", "other text");
    expect(second.key).toBe(first.key);
    writeFileSync(path, encodeJsonlLine(first) + encodeJsonlLine(other) + encodeJsonlLine(second));
    const loaded = await loadChunkQaCache(path);
    expect(loaded.entries.size).toBe(2);
    expect(loaded.entries.get(first.key)).toEqual(second);
    expect(loaded.entries.get(other.key)).toEqual(other);
  });

  it("reads an empty file, or one of blank lines, as an empty cache and leaves it as it is", async () => {
    for (const text of ["", "\n", "\n\n  \n\t\n"]) {
      const path = join(tempDir(), "qa.jsonl");
      writeFileSync(path, text);
      expect(await loadChunkQaCache(path, { repair: true })).toEqual({
        entries: new Map(),
        tornBytes: 0,
        repaired: false,
      });
      expect(readFileSync(path, "utf8")).toBe(text);
    }
  });

  it("reads a file in a missing folder as an empty cache, and creates nothing", async () => {
    const path = join(tempDir(), "no", "such", "folder", "qa.jsonl");
    expect(await loadChunkQaCache(path, { repair: true })).toEqual({
      entries: new Map(),
      tornBytes: 0,
      repaired: false,
    });
    expect(existsSync(path)).toBe(false);
  });

  it("counts torn bytes, not characters, and cuts exactly them", async () => {
    const path = join(tempDir(), "qa.jsonl");
    const good = encodeJsonlLine(entryFor("c1", "alpha"));
    // 18 bytes: `{"q":"` (6), three 2-byte "é" (6), three 1-byte "x" (3), "日" (3). Only 13 characters.
    const torn = '{"q":"éééxxx日';
    expect(torn.length).toBe(13);
    writeFileSync(path, good + torn);
    expect(await loadChunkQaCache(path)).toMatchObject({ tornBytes: 18, repaired: false });
    expect(readFileSync(path, "utf8")).toBe(good + torn);
    const repaired = await loadChunkQaCache(path, { repair: true });
    expect(repaired).toMatchObject({ tornBytes: 18, repaired: true });
    expect([...repaired.entries.values()]).toEqual([entryFor("c1", "alpha")]);
    expect(readFileSync(path, "utf8")).toBe(good);
  });

  it("drops a line appended onto torn bytes that were not cut: the glued last line is not JSON", async () => {
    const path = join(tempDir(), "qa.jsonl");
    const good = encodeJsonlLine(entryFor("c1", "alpha"));
    const torn = '{"format":1,"ke';
    writeFileSync(path, good + torn);
    // Read without repair, then a writer appends the next chunk's whole line after the torn bytes.
    expect((await loadChunkQaCache(path)).tornBytes).toBe(15);
    const appended = entryFor("c2", "beta");
    await createChunkQaCacheWriter(path).append(appended);
    const line = encodeJsonlLine(appended);
    expect(readFileSync(path, "utf8")).toBe(good + torn + line);

    const loaded = await loadChunkQaCache(path, { repair: true });
    expect(loaded).toMatchObject({ tornBytes: 15 + Buffer.byteLength(line), repaired: true });
    expect([...loaded.entries.values()]).toEqual([entryFor("c1", "alpha")]);
    expect(readFileSync(path, "utf8")).toBe(good);
  });

  it("appends on a clean line after a repair, so a later load reads both lines", async () => {
    const path = join(tempDir(), "qa.jsonl");
    writeFileSync(path, `${ADA_LINE}{"format":1,"key":"fb`);
    expect(await loadChunkQaCache(path, { repair: true })).toMatchObject({ tornBytes: 21, repaired: true });
    const next = entryFor("c2", "beta");
    await createChunkQaCacheWriter(path).append(next);
    const loaded = await loadChunkQaCache(path, { repair: true });
    expect(loaded).toMatchObject({ tornBytes: 0, repaired: false });
    expect([...loaded.entries.keys()]).toEqual([ADA_KEY, next.key]);
  });

  it("round-trips entries with non-ASCII pairs, one line each", async () => {
    const path = join(tempDir(), "deeper", "qa.jsonl");
    const writer = createChunkQaCacheWriter(path);
    const entries = [
      entryFor("c1", "Zoë lives in Kraków", "Where does Zoë live?"),
      entryFor("c2", "日本語のテキスト\nwith a newline", "何?"),
    ];
    for (const entry of entries) void writer.append(entry);
    await writer.idle();
    const text = readFileSync(path, "utf8");
    expect(text.split("\n")).toHaveLength(3);
    expect(text.endsWith("\n")).toBe(true);
    const loaded = await loadChunkQaCache(path);
    expect([...loaded.entries.values()]).toEqual(entries);
  });

  it.each([
    ["format 0", 0, "0"],
    ["format 2", 2, "2"],
    ['format "1" (a string)', "1", '"1"'],
    ["format null", null, "null"],
  ] as const)("refuses a line of %s, even before a good line, leaving the file alone", async (_what, format, shown) => {
    const path = join(tempDir(), "qa.jsonl");
    const other = { ...(JSON.parse(ADA_LINE) as object), format };
    const text = encodeJsonlLine(other) + ADA_LINE;
    writeFileSync(path, text);
    const error = await rejection(loadChunkQaCache(path, { repair: true }));
    expect(error).toBeInstanceOf(ChunkQaError);
    expect(error).toMatchObject({ code: "corrupt_cache", file: path, line: 1, path: [1, "format"] });
    expect((error as Error).message).toBe(
      `${path}:1: unknown format ${shown} (expected 1) at format; ${LEFT_UNCHANGED}`,
    );
    expect(readFileSync(path, "utf8")).toBe(text);
  });

  it.each([
    ["settings edited after the key was written", { settings: { maxAnswerChars: 200 } }],
    ["the model ids swapped", { generatorModelId: "ver-1", verifierModelId: "gen-1" }],
    ["another candidate count", { candidates: 20 }],
    ["another prompt hash", { promptHash: "finemem-chunk-qa-v2:abc" }],
    ["the key of another text", { key: sha256Hex("not a key") }],
  ])("refuses a line with %s: its key no longer matches", async (_what, change) => {
    const path = join(tempDir(), "qa.jsonl");
    writeFileSync(path, ADA_LINE + encodeJsonlLine({ ...(JSON.parse(ADA_LINE) as object), ...change }));
    const error = await rejection(loadChunkQaCache(path, { repair: true }));
    expect(error).toMatchObject({ code: "corrupt_cache", file: path, line: 2, path: [2, "key"] });
    expect((error as Error).message).toBe(
      `${path}:2: the key does not match the line's text hash, models, prompt and settings at key; ${LEFT_UNCHANGED}`,
    );
  });

  it.each([
    ["a number", "42"],
    ["a string", '"entry"'],
    ["true", "true"],
  ])("refuses a complete line that is JSON %s rather than an object", async (_what, json) => {
    const path = join(tempDir(), "qa.jsonl");
    writeFileSync(path, `${ADA_LINE}${json}\n${ADA_LINE}`);
    const error = await rejection(loadChunkQaCache(path));
    expect(error).toMatchObject({ code: "corrupt_cache", line: 2, path: [2] });
    expect((error as Error).message).toBe(`${path}:2: expected a JSON object; ${LEFT_UNCHANGED}`);
  });
});
