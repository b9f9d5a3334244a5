import { createHash } from "node:crypto";
import { appendFile, mkdir, readFile, truncate } from "node:fs/promises";
import { dirname } from "node:path";
import { isId, type JsonValue, type PathSegment, throwIfAborted } from "@finemem/spec";
import { decodeJsonl, encodeJsonlLine, JsonlError } from "@finemem/utils";
import { ChunkQaError } from "./chunk-qa-error.js";

/** A candidate pair with the verifier's answer to it, kept so a reader of the cache can see why it stayed or went. */
export interface VerifiedPair {
  readonly question: string;
  readonly answer: string;
  readonly verifierAnswer: string;
}

/**
 * Everything that decides which pairs a chunk gets, hashed into the cache key. `settings` holds what
 * the brief key would miss (sampling, the verification metric and its pass mark, the length bounds):
 * changing any of them regenerates instead of silently reusing pairs made under other rules. K and the
 * duplicate threshold are not here: they are applied when reading, so changing them costs no call.
 */
export interface ChunkQaKeyMaterial {
  readonly textSha256: string;
  readonly generatorModelId: string;
  readonly verifierModelId: string;
  readonly promptHash: string;
  readonly candidates: number;
  readonly settings: { readonly [key: string]: JsonValue };
}

/** One line of the cache: a finished chunk. */
export interface ChunkQaCacheEntry extends ChunkQaKeyMaterial {
  /** The line format; a new format means a new number, and old lines are read by their own rules. */
  readonly format: 1;
  readonly key: string;
  /** The chunk this was first built for (the key does not depend on it: a chunk with the same text reuses the line). */
  readonly chunkId: string;
  /** Pairs the verifier answered correctly, in the generator's order, before duplicates are removed. */
  readonly verified: readonly VerifiedPair[];
  /** Pairs the verifier got wrong. */
  readonly rejected: readonly VerifiedPair[];
  readonly counts: {
    /** Entries in the generator's list. */
    readonly generated: number;
    /** Entries dropped by the reply parser (empty, over-long, unusable answer). */
    readonly invalid: number;
    /** Well-formed entries beyond the candidate count, never verified. */
    readonly surplus: number;
    readonly unverifiable: number;
  };
  /** ISO time the line was written. */
  readonly createdAt: string;
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** sha256 over the canonical JSON of the key material (object keys sorted, so option order does not matter). */
export function chunkQaCacheKey(material: ChunkQaKeyMaterial): string {
  const { textSha256, generatorModelId, verifierModelId, promptHash, candidates, settings } = material;
  return sha256Hex(canonicalJson({ textSha256, generatorModelId, verifierModelId, promptHash, candidates, settings }));
}

export interface LoadedChunkQaCache {
  /** The entries by key; a key written twice keeps its last line. */
  readonly entries: ReadonlyMap<string, ChunkQaCacheEntry>;
  /** Bytes of a torn final line that were dropped (0 when the file ended cleanly). */
  readonly tornBytes: number;
  /** True when the torn bytes were also cut from the file. */
  readonly repaired: boolean;
}

/**
 * Reads a cache file; a missing file is an empty cache. A torn final line (no trailing newline, or a
 * last line that is not JSON, as a kill mid-append leaves) is dropped, and with `repair` cut from the
 * file so the next append starts on a clean line. Any other bad line is {@link ChunkQaError}
 * `corrupt_cache` naming the file and line, and the file is left untouched: a damaged cache is a
 * person's to look at, never something to overwrite.
 */
export async function loadChunkQaCache(
  path: string,
  options: { readonly repair?: boolean | undefined; readonly signal?: AbortSignal | undefined } = {},
): Promise<LoadedChunkQaCache> {
  throwIfAborted(options.signal);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT")
      return { entries: new Map(), tornBytes: 0, repaired: false };
    throw error;
  }
  throwIfAborted(options.signal);
  const goodEnd = endOfGoodLines(bytes);
  const entries = new Map<string, ChunkQaCacheEntry>();
  let values: unknown[];
  try {
    values = decodeJsonl(bytes.subarray(0, goodEnd).toString("utf8"));
  } catch (error) {
    if (!(error instanceof JsonlError)) throw error;
    throw corrupt(path, error.line, [], "not valid JSON", error);
  }
  // decodeJsonl skips blank lines, so line numbers are recovered from the text to name the right one.
  const lineNumbers = nonBlankLineNumbers(bytes.subarray(0, goodEnd).toString("utf8"));
  values.forEach((value, index) => {
    const line = lineNumbers[index]!;
    const entry = checkEntry(value, path, line);
    entries.set(entry.key, entry);
  });
  const tornBytes = bytes.length - goodEnd;
  const repaired = tornBytes > 0 && options.repair === true;
  if (repaired) await truncate(path, goodEnd);
  return { entries, tornBytes, repaired };
}

/**
 * Appends lines to a cache file one at a time, in call order. Each entry is one `appendFile` of one
 * whole line, so a killed run loses at most the chunk whose line was being written, and two chunks
 * finishing together never interleave their bytes.
 */
export interface ChunkQaCacheWriter {
  append(entry: ChunkQaCacheEntry): Promise<void>;
  /** Resolves once every append so far has landed (or failed). */
  idle(): Promise<void>;
}

export function createChunkQaCacheWriter(path: string): ChunkQaCacheWriter {
  let tail: Promise<unknown> = Promise.resolve();
  let madeDirectory = false;
  return {
    append(entry) {
      const line = encodeJsonlLine(entry);
      const write = tail.then(async () => {
        if (!madeDirectory) {
          await mkdir(dirname(path), { recursive: true });
          madeDirectory = true;
        }
        await appendFile(path, line, "utf8");
      });
      tail = write.catch(() => undefined);
      return write;
    },
    async idle() {
      await tail;
    },
  };
}

/**
 * The byte length of the file's good lines. A final segment without its newline is torn; when the file
 * does end with a newline, a last line that is not JSON is torn too (a torn write that a later append
 * ended with its newline). Only the final line is ever treated this way.
 */
function endOfGoodLines(bytes: Buffer): number {
  const end = bytes.lastIndexOf(0x0a) + 1;
  if (end < bytes.length || end === 0) return end;
  const lastLineStart = bytes.lastIndexOf(0x0a, end - 2) + 1;
  const lastLine = bytes.subarray(lastLineStart, end).toString("utf8").trim();
  return lastLine === "" || isJson(lastLine) ? end : lastLineStart;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function nonBlankLineNumbers(text: string): number[] {
  const numbers: number[] = [];
  text.split("\n").forEach((line, index) => {
    if (line.trim() !== "") numbers.push(index + 1);
  });
  return numbers;
}

function corrupt(
  file: string,
  line: number,
  path: readonly PathSegment[],
  what: string,
  cause?: unknown,
): ChunkQaError {
  const where = path.length === 0 ? "" : ` at ${path.join(".")}`;
  return new ChunkQaError(
    "corrupt_cache",
    `${file}:${line}: ${what}${where}; the cache file was left unchanged (fix or remove the line, or delete the file to rebuild)`,
    { file, line, path: [line, ...path], cause },
  );
}

/** Checks one decoded line field by field; the first defect becomes `corrupt_cache` at its field. */
function checkEntry(value: unknown, file: string, line: number): ChunkQaCacheEntry {
  const fail = (path: readonly PathSegment[], what: string): never => {
    throw corrupt(file, line, path, what);
  };
  if (!isRecord(value)) return fail([], "expected a JSON object");
  if (value.format !== 1) fail(["format"], `unknown format ${JSON.stringify(value.format)} (expected 1)`);
  for (const field of ["key", "textSha256"] as const) {
    if (typeof value[field] !== "string" || !/^[0-9a-f]{64}$/.test(value[field]))
      fail([field], "expected 64 lower-case hex digits");
  }
  if (!isId(value.chunkId)) fail(["chunkId"], "expected a chunk id");
  for (const field of ["generatorModelId", "verifierModelId", "promptHash", "createdAt"] as const) {
    if (typeof value[field] !== "string" || value[field] === "") fail([field], "expected a non-empty string");
  }
  if (!isCount(value.candidates) || value.candidates < 1) fail(["candidates"], "expected an integer ≥ 1");
  if (!isRecord(value.settings)) fail(["settings"], "expected an object");
  for (const list of ["verified", "rejected"] as const) {
    const pairs = value[list];
    if (!Array.isArray(pairs)) fail([list], "expected an array");
    (pairs as unknown[]).forEach((pair, index) => {
      if (!isRecord(pair)) fail([list, index], "expected an object");
      const record = pair as Record<string, unknown>;
      for (const field of ["question", "answer"] as const) {
        if (typeof record[field] !== "string" || record[field].trim() === "")
          fail([list, index, field], "expected a non-empty string");
      }
      if (typeof record.verifierAnswer !== "string") fail([list, index, "verifierAnswer"], "expected a string");
    });
  }
  if (!isRecord(value.counts)) fail(["counts"], "expected an object");
  const counts = value.counts as Record<string, unknown>;
  for (const field of ["generated", "invalid", "surplus", "unverifiable"] as const) {
    if (!isCount(counts[field])) fail(["counts", field], "expected an integer ≥ 0");
  }
  const entry = value as unknown as ChunkQaCacheEntry;
  // A line whose key does not match its own fields was edited by hand or written by other code; using
  // it could hand one chunk's questions to another.
  if (chunkQaCacheKey(entry) !== entry.key)
    fail(["key"], "the key does not match the line's text hash, models, prompt and settings");
  return entry;
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (!isRecord(inner)) return inner;
    return Object.fromEntries(
      Object.keys(inner)
        .sort()
        .map((key) => [key, inner[key]]),
    );
  });
}
