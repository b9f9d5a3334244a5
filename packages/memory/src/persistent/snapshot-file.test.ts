// Issue 26, acceptance 4: a PGlite store in a folder keeps its snapshot in a file beside the database
// (read as it lies on disk), reopens from it plus the log's tail to exactly what a full replay gives,
// and ignores a file that does not match its log (damaged, foreign, garbage, an earlier version's
// table snapshot) with a warning, opening with the right content all the same.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import type { Namespace } from "@finemem/spec";
import { createWhitespaceTokenCounter } from "@finemem/spec/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MemoryBackend } from "../store/memory-backend.js";
import { openPgliteStore } from "./open-pglite-store.js";
import type { PersistentStore } from "./persistent-store.js";

const tokenCounter = createWhitespaceTokenCounter();
const ADA: Namespace = { user: "ada" };
const ON_CLOSE = { everyRows: 1_000_000 };
let folder: string;

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), "finemem-snapshot-file-"));
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Step `index` of a workload of inserts, updates and deletes. */
async function write(store: PersistentStore, index: number): Promise<void> {
  await store.apply({
    namespace: ADA,
    step: index + 1,
    sourceChunkId: `c${index}`,
    operations: [
      { operationId: `w${index}-a`, operation: { type: "INSERT", content: `fact ${index} about the river delta` } },
      ...(index >= 2
        ? [
            {
              operationId: `w${index}-u`,
              operation: { type: "UPDATE" as const, id: "m1", content: `m1 as of ${index}` },
            },
          ]
        : []),
      ...(index % 4 === 3
        ? [{ operationId: `w${index}-d`, operation: { type: "DELETE" as const, id: `m${index}` } }]
        : []),
    ],
  });
}

/** Everything observable: the export, the view, a search. */
async function fingerprintOf(store: MemoryBackend): Promise<string> {
  return JSON.stringify([
    await store.exportJsonl(),
    await store.view(ADA),
    await store.search(ADA, "fact river m1", { topK: 5 }),
  ]);
}

function open(directory: string, warnings: string[] = [], snapshot: { everyRows: number } | false = ON_CLOSE) {
  return openPgliteStore({ directory, tokenCounter, snapshot, onWarning: (message) => warnings.push(message) });
}

/** The snapshot rows of the store's table, read with PGlite directly (the store closed). */
async function tableSnapshots(directory: string): Promise<number[]> {
  const db = await PGlite.create(join(directory, "pgdata"));
  try {
    const { rows } = await db.query<{ seq: number }>(
      "SELECT seq::int AS seq FROM finemem.finemem_snapshot ORDER BY seq",
    );
    return rows.map((row) => row.seq);
  } finally {
    await db.close();
  }
}

describe("snapshot files of a PGlite store in a folder", () => {
  let directory: string;
  let expected: string;
  let file: string;

  beforeAll(async () => {
    directory = join(folder, "store");
    file = join(directory, "finemem.snapshot");
    const store = await open(directory, [], { everyRows: 4 });
    for (let index = 0; index < 10; index++) await write(store, index);
    // Written after row 8; rows 9 and 10 are the tail.
    expect(existsSync(file)).toBe(true);
    expected = await fingerprintOf(store);
    await store.close();
  }, 60_000);

  it("is the snapshot's only copy (the table holds none), and a reopen from it + the tail equals a full replay", async () => {
    expect(await tableSnapshots(directory)).toEqual([]);
    const warnings: string[] = [];
    // The close wrote the snapshot of row 10, the last.
    const fromFile = await open(directory, warnings);
    try {
      expect(warnings).toEqual([]);
      expect(fromFile.openStats).toMatchObject({ restoredFrom: "snapshot", snapshotRow: 10, replayedRows: 0 });
      expect(fromFile.openStats.databaseMs).toBeGreaterThan(0);
      expect(fromFile.openStats.storeMs).toBeGreaterThan(0);
      expect(await fingerprintOf(fromFile)).toBe(expected);
    } finally {
      await fromFile.close();
    }
    // A row written by a store that does not snapshot: the tail after the snapshot.
    const writer = await open(directory, [], false);
    const late = {
      namespace: ADA,
      step: 20,
      operations: [
        { operationId: "late-1", operation: { type: "INSERT" as const, content: "fact 4 about the river delta" } },
        { operationId: "w3-a", operation: { type: "INSERT" as const, content: "an id used before" } },
        { operationId: "late-2", operation: { type: "UPDATE" as const, id: "m2", content: "m2 revised" } },
      ],
    };
    const results = await writer.apply(late);
    expect(results.map((result) => result.status)).toEqual(["rejected", "rejected", "applied"]);
    expected = await fingerprintOf(writer);
    await writer.close();
    const withTail = await open(directory, warnings);
    try {
      expect(warnings).toEqual([]);
      expect(withTail.openStats).toMatchObject({ restoredFrom: "snapshot", snapshotRow: 10, replayedRows: 1 });
      expect(await fingerprintOf(withTail)).toBe(expected);
      // Writes after the reopen answer as they do after a full replay.
      const again = {
        ...late,
        step: 21,
        operations: late.operations.map((entry) => ({ ...entry, operationId: `${entry.operationId}-again` })),
      };
      const replayedResults = await withTail.apply(again);
      expect(replayedResults.map((result) => result.status)).toEqual(["rejected", "applied", "applied"]);
      expected = await fingerprintOf(withTail);
    } finally {
      await withTail.close();
    }
    const replayed = await open(directory, [], false);
    try {
      expect(replayed.openStats).toMatchObject({ restoredFrom: "log", snapshotRow: 0, replayedRows: 12 });
      expect(await fingerprintOf(replayed)).toBe(expected);
    } finally {
      await replayed.close();
    }
  }, 60_000);

  it("ignores a damaged, garbage or foreign file with a warning, opens with the right content, and rewrites it on close", async () => {
    const good = readFileSync(file);
    const damaged = Buffer.from(good);
    const flipped = damaged.byteLength - 100;
    damaged.writeUInt8(damaged.readUInt8(flipped) ^ 0xff, flipped);
    const foreignDirectory = join(folder, "foreign");
    const foreign = await open(foreignDirectory);
    for (let index = 20; index < 31; index++) await write(foreign, index);
    await foreign.close();
    const cases: [string, Buffer, RegExp][] = [
      ["damaged", damaged, /at log row \d+ \(its checksum does not match its payload\)/],
      ["garbage", Buffer.from("not a snapshot at all"), /not a snapshot file, or its header is damaged/],
      [
        "foreign",
        readFileSync(join(foreignDirectory, "finemem.snapshot")),
        /at log row 11 \(it does not match the log\)/,
      ],
    ];
    for (const [what, bytes, message] of cases) {
      writeFileSync(file, bytes);
      const warnings: string[] = [];
      const reopened = await open(directory, warnings);
      expect(warnings, what).toHaveLength(1);
      expect(warnings[0], what).toMatch(message);
      expect(warnings[0], what).toContain(file);
      expect(reopened.openStats, what).toMatchObject({ restoredFrom: "log", snapshotRow: 0, replayedRows: 12 });
      expect(await fingerprintOf(reopened), what).toBe(expected);
      await reopened.close();
      // The close wrote a good one again.
      const again: string[] = [];
      const third = await open(directory, again);
      expect(again, what).toEqual([]);
      expect(await fingerprintOf(third), what).toBe(expected);
      await third.close();
    }
  }, 120_000);

  it("removes the temporary file of a write killed before its rename, and reads the snapshot it left", async () => {
    writeFileSync(`${file}.tmp`, Buffer.from("half a snapshot"));
    const warnings: string[] = [];
    const reopened = await open(directory, warnings);
    expect(warnings).toEqual([]);
    expect(existsSync(`${file}.tmp`)).toBe(false);
    expect(await fingerprintOf(reopened)).toBe(expected);
    await reopened.close();
  }, 60_000);

  it("ignores an earlier version's snapshot in the table, naming its format, and replaces it with a file on close", async () => {
    rmSync(file);
    const db = await PGlite.create(join(directory, "pgdata"));
    await db.query(
      "INSERT INTO finemem.finemem_snapshot (seq, format_version, settings, checksum, log_fingerprint, payload) VALUES (3, 1, (SELECT value FROM finemem.finemem_meta WHERE key = 'settings'), 'x', 'y', 'z')",
    );
    await db.close();
    const warnings: string[] = [];
    const reopened = await open(directory, warnings);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/at log row 3 \(format 1, this store reads 2\)/);
    expect(await fingerprintOf(reopened)).toBe(expected);
    await reopened.close();
    expect(existsSync(file)).toBe(true);
    expect(await tableSnapshots(directory)).toEqual([]);
    const again: string[] = [];
    const third = await open(directory, again);
    expect(again).toEqual([]);
    expect(await fingerprintOf(third)).toBe(expected);
    await third.close();
  }, 60_000);
});
