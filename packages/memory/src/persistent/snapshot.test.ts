// Issue 26, acceptance 4: a persistent store snapshots its replica every N log rows and on close, and
// reopens from the snapshot plus the log's tail to exactly the state a full replay gives; a snapshot
// that does not match its log (damaged, stale, foreign, of another format) is ignored with a warning.
import { PGlite } from "@electric-sql/pglite";
import type { ApplyRequest, Namespace } from "@finemem/spec";
import { createWhitespaceTokenCounter } from "@finemem/spec/testing";
import { createTestDatabase, postgresAvailability, type TestDatabase } from "@finemem/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StoreOptionsError } from "../store/in-memory-store.js";
import type { MemoryBackend } from "../store/memory-backend.js";
import { openPgliteSchemaStore } from "./open-pglite-store.js";
import { openPostgresStore } from "./open-postgres-store.js";
import { PersistentStore, type PersistentStoreOptions } from "./persistent-store.js";
import { pgliteClient } from "./pglite-client.js";
import type { SqlClient } from "./sql-client.js";

const tokenCounter = createWhitespaceTokenCounter();
const ADA: Namespace = { user: "ada" };
const BOB: Namespace = { user: "bob", agent: "notes" };

/** Write `index` of a deterministic workload: inserts, updates, deletes, duplicates, forgets, an import. */
async function write(store: PersistentStore, index: number): Promise<void> {
  const namespace = index % 3 === 2 ? BOB : ADA;
  const step = index + 1;
  if (index === 9) {
    await store.deleteBySource(ADA, "c3", { step });
    return;
  }
  if (index === 13) {
    const source = await openExport(store);
    await store.importJsonl(source, { namespace: { user: "copy" } });
    return;
  }
  const operations: ApplyRequest["operations"][number][] = [
    { operationId: `w${index}-a`, operation: { type: "INSERT", content: `fact ${index} about the river delta` } },
    { operationId: `w${index}-b`, operation: { type: "INSERT", content: `fact ${index % 4} repeated often` } },
  ];
  if (index >= 3)
    operations.push({
      operationId: `w${index}-u`,
      operation: { type: "UPDATE", id: "m1", content: `m1 as of ${index}` },
    });
  if (index % 5 === 4) operations.push({ operationId: `w${index}-d`, operation: { type: "DELETE", id: `m${index}` } });
  await store.apply({ namespace, step, sourceChunkId: `c${index}`, operations });
}

/** The export of namespace ada alone (what the workload's import copies). */
async function openExport(store: PersistentStore): Promise<string> {
  const fork = await store.fork();
  const lines = (await fork.exportJsonl()).split("\n").filter((line) => line !== "");
  const header = lines[0]!;
  const ada = lines
    .slice(1)
    .filter((line) => JSON.parse(line).namespace?.user === "ada" && JSON.parse(line).namespace?.agent === undefined);
  return `${[header, ...ada].join("\n")}\n`;
}

/** Everything observable: the export, views, searches and the next write's results. */
async function fingerprintOf(store: MemoryBackend): Promise<string> {
  const parts: unknown[] = [await store.exportJsonl()];
  for (const namespace of await store.namespaces()) {
    parts.push(await store.view(namespace));
    parts.push(await store.search(namespace, "fact river repeated often", { topK: 5 }));
  }
  return JSON.stringify(parts);
}

/** A SqlClient that records the statements run through it. */
function recording(client: SqlClient, log: { sql: string; params: readonly unknown[] | undefined }[]): SqlClient {
  return {
    query: (sql, params) => {
      log.push({ sql, params });
      return client.query(sql, params);
    },
    transaction: (work) => client.transaction((tx) => work(recording(tx, log))),
    close: () => client.close(),
  };
}

let db: PGlite;
let schemaCounter = 0;
const nextSchema = () => `snap_${++schemaCounter}`;
beforeAll(async () => {
  db = await PGlite.create();
});
afterAll(() => db.close());

// Snapshots are opt-in: these stores snapshot on close (and every N rows where a test says so).
const ON_CLOSE = { everyRows: 1_000_000 };

function open(schema: string, extra: Partial<PersistentStoreOptions> = {}, warnings: string[] = []) {
  return openPgliteSchemaStore(db, {
    schema,
    tokenCounter,
    snapshot: ON_CLOSE,
    onWarning: (message) => warnings.push(message),
    ...extra,
  });
}

async function snapshotRows(schema: string): Promise<number[]> {
  const { rows } = await db.query<{ seq: number }>(
    `SELECT seq::int AS seq FROM "${schema}".finemem_snapshot ORDER BY seq`,
  );
  return rows.map((row) => row.seq);
}

/** Writes `count` workload rows into a fresh schema with snapshots every `everyRows`, leaving it open. */
async function populated(count: number, everyRows: number) {
  const schema = nextSchema();
  const store = await open(schema, { snapshot: { everyRows } });
  for (let index = 0; index < count; index++) await write(store, index);
  return { schema, store };
}

describe("snapshots of a PGlite store", () => {
  it("are written every N log rows and on close, and only the newest is kept", async () => {
    const { schema, store } = await populated(7, 3);
    expect(await snapshotRows(schema)).toEqual([6]);
    await store.close();
    expect(await snapshotRows(schema)).toEqual([7]);
    // A reopen that writes nothing leaves the snapshot as it is.
    await (await open(schema)).close();
    expect(await snapshotRows(schema)).toEqual([7]);
  });

  it("a reopen restores the snapshot, replays only the tail, and equals a full replay exactly", async () => {
    const { schema, store } = await populated(16, 5);
    expect(await snapshotRows(schema)).toEqual([15]);
    const expected = await fingerprintOf(store);
    const statements: { sql: string; params: readonly unknown[] | undefined }[] = [];
    const warnings: string[] = [];
    const fromSnapshot = await PersistentStore.open(recording(pgliteClient(db), statements), {
      schema,
      tokenCounter,
      snapshot: ON_CLOSE,
      onWarning: (message) => warnings.push(message),
    });
    const replayed = await open(schema, { snapshot: false });
    expect(warnings).toEqual([]);
    // A store on a database it did not start has no start time to tell.
    expect(fromSnapshot.openStats).toMatchObject({
      restoredFrom: "snapshot",
      snapshotRow: 15,
      replayedRows: 1,
      databaseMs: undefined,
    });
    expect(replayed.openStats).toMatchObject({ restoredFrom: "log", snapshotRow: 0, replayedRows: 16 });
    // The log was read from the row after the snapshot on.
    const logReads = statements.filter((statement) => /FROM "\w+"\.finemem_log WHERE seq > \$1/.test(statement.sql));
    expect(logReads[0]?.params).toEqual([15]);
    expect(await fingerprintOf(fromSnapshot)).toBe(expected);
    expect(await fingerprintOf(replayed)).toBe(expected);
    // Further writes answer alike (ids, duplicates, steps): the restored state is the same state.
    // They go to in-memory forks (two writers of one PGlite schema would collide).
    const forks = [await fromSnapshot.fork(), await replayed.fork()];
    for (const target of forks) {
      await target.apply({
        namespace: ADA,
        step: 100,
        operations: [
          { operationId: "late-1", operation: { type: "INSERT", content: "fact 1 repeated often" } },
          { operationId: "late-2", operation: { type: "INSERT", content: "a brand new fact" } },
          { operationId: "w0-a", operation: { type: "INSERT", content: "an id already used" } },
        ],
      });
    }
    const [left, right] = forks as [MemoryBackend, MemoryBackend];
    expect(await fingerprintOf(left)).toBe(await fingerprintOf(right));
    await replayed.close();
    await fromSnapshot.close();
    await store.close();
  });

  it("a typed-layout store restores to exactly its full replay", async () => {
    const schema = nextSchema();
    const typed = { layout: "typed" as const, snapshot: { everyRows: 2 } };
    const store = await open(schema, typed);
    for (let step = 1; step <= 5; step++) {
      await store.apply({
        namespace: ADA,
        step,
        operations: [
          {
            operationId: `s${step}`,
            operation: { type: "INSERT", memoryType: "semantic", content: `semantic fact ${step}` },
          },
          {
            operationId: `e${step}`,
            operation: {
              type: "INSERT",
              memoryType: "episodic",
              content: `episode ${step}`,
              timestamp: `2026-01-0${step}`,
            },
          },
          ...(step > 2
            ? [{ operationId: `d${step}`, operation: { type: "DELETE" as const, id: `m${step - 2}` } }]
            : []),
        ],
      });
    }
    const expected = await fingerprintOf(store);
    expect(await snapshotRows(schema)).toEqual([4]);
    const warnings: string[] = [];
    const fromSnapshot = await open(schema, typed, warnings);
    expect(warnings).toEqual([]);
    expect(await fingerprintOf(fromSnapshot)).toBe(expected);
    expect(await fingerprintOf(await open(schema, { layout: "typed", snapshot: false }))).toBe(expected);
    await fromSnapshot.close();
    await store.close();
  });

  it("a snapshot with flipped payload bytes is ignored with a warning, and the store opens with the right content", async () => {
    const { schema, store } = await populated(12, 4);
    const expected = await fingerprintOf(store);
    await store.close();
    await db.query(`UPDATE "${schema}".finemem_snapshot SET payload = overlay(payload placing 'AAAA' from 40 for 4)`);
    const warnings: string[] = [];
    const reopened = await open(schema, {}, warnings);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/ignoring the snapshot .* at log row 12 \(its checksum does not match its payload\)/);
    expect(await fingerprintOf(reopened)).toBe(expected);
    await reopened.close();
    // Closing after an ignored snapshot writes a good one again.
    const again: string[] = [];
    const third = await open(schema, {}, again);
    expect(again).toEqual([]);
    expect(await fingerprintOf(third)).toBe(expected);
    await third.close();
  });

  it("a damaged payload whose checksum was recomputed still cannot be restored and is ignored", async () => {
    const { schema, store } = await populated(8, 4);
    const expected = await fingerprintOf(store);
    await store.close();
    const { createHash } = await import("node:crypto");
    // Stored as the store stores images (deflated, base64), so only the image itself is wrong.
    const { deflateRawSync } = await import("node:zlib");
    const garbage = deflateRawSync(Buffer.from("FMSNAP02\u0004\u0000\u0000\u0000{no}")).toString("base64");
    await db.query(`UPDATE "${schema}".finemem_snapshot SET payload = $1, checksum = $2`, [
      garbage,
      createHash("sha256").update(garbage).digest("hex"),
    ]);
    const warnings: string[] = [];
    const reopened = await open(schema, {}, warnings);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/header is damaged/);
    expect(await fingerprintOf(reopened)).toBe(expected);
    await reopened.close();
  });

  it("a stale snapshot is ignored: one of another log, one past the end of a truncated log, one of another format", async () => {
    const first = await populated(10, 5);
    // Another log of the same length: the same workload shifted.
    const second = { schema: nextSchema(), store: undefined as unknown as PersistentStore };
    second.store = await open(second.schema, { snapshot: { everyRows: 5 } });
    for (let index = 20; index < 30; index++) await write(second.store, index);
    await second.store.apply({
      namespace: ADA,
      step: 50,
      operations: [{ operationId: "diverge", operation: { type: "INSERT", content: "only in the second" } }],
    });
    await first.store.close();
    await second.store.close();

    // The first schema's snapshot copied over the second's (same seq, another log).
    const expectedSecond = await fingerprintOf(await open(second.schema, { snapshot: false }));
    await db.query(`DELETE FROM "${second.schema}".finemem_snapshot`);
    await db.query(`INSERT INTO "${second.schema}".finemem_snapshot SELECT * FROM "${first.schema}".finemem_snapshot`);
    expect(await snapshotRows(second.schema)).toEqual([10]);
    let warnings: string[] = [];
    let reopened = await open(second.schema, {}, warnings);
    expect(warnings.join("\n")).toMatch(/at log row 10 \(it does not match the log\)/);
    expect(await fingerprintOf(reopened)).toBe(expectedSecond);
    await reopened.close();

    // The first log truncated to 6 rows under its snapshot of row 10.
    await db.query(`DELETE FROM "${first.schema}".finemem_versions WHERE seq > 6`);
    await db.query(`DELETE FROM "${first.schema}".finemem_log WHERE seq > 6`);
    const expectedFirst = await fingerprintOf(await open(first.schema, { snapshot: false }));
    warnings = [];
    reopened = await open(first.schema, {}, warnings);
    expect(warnings.join("\n")).toMatch(/at log row 10 \(the log has no such row\)/);
    expect(await fingerprintOf(reopened)).toBe(expectedFirst);
    await reopened.close();

    // An unknown format version.
    await db.query(`UPDATE "${first.schema}".finemem_snapshot SET format_version = 99`);
    warnings = [];
    reopened = await open(first.schema, {}, warnings);
    expect(warnings.join("\n")).toMatch(/format 99/);
    expect(await fingerprintOf(reopened)).toBe(expectedFirst);
    await reopened.close();
  });

  it("a failed snapshot write warns and never fails the write", async () => {
    const warnings: string[] = [];
    const schema = nextSchema();
    const store = await open(
      schema,
      {
        snapshot: { everyRows: 2 },
        beforeSnapshotCommit: async () => {
          throw new Error("disk full");
        },
      },
      warnings,
    );
    for (let index = 0; index < 4; index++) await write(store, index);
    const expected = await fingerprintOf(store);
    // The snapshot after the last write runs after its acknowledgement; close waits for it.
    await store.close();
    expect(warnings, warnings.join("\n")).toHaveLength(2);
    expect(warnings[0]).toMatch(/could not write a snapshot .* at log row 2: disk full/);
    expect(await snapshotRows(schema)).toEqual([]);
    const reopened = await open(schema);
    expect(await fingerprintOf(reopened)).toBe(expected);
    await reopened.close();
  });

  it("are off without the option: nothing is written on close or read on open", async () => {
    const schema = nextSchema();
    const store = await openPgliteSchemaStore(db, { schema, tokenCounter });
    for (let index = 0; index < 3; index++) await write(store, index);
    const before = await fingerprintOf(store);
    await store.close();
    expect(await snapshotRows(schema)).toEqual([]);
    // A snapshot written by a store that asked for them is not read by one that did not.
    await (await open(schema)).close();
    expect(await snapshotRows(schema)).toHaveLength(1);
    const statements: { sql: string; params: readonly unknown[] | undefined }[] = [];
    const client = recording({ ...pgliteClient(db), close: async () => {} }, statements);
    const reopened = await PersistentStore.open(client, { schema, tokenCounter, shared: false });
    expect(await fingerprintOf(reopened)).toBe(before);
    await reopened.close();
    // The table exists (the schema is shared by every version), but nothing here reads or writes it.
    expect(statements.filter(({ sql }) => /finemem_snapshot\b/.test(sql) && !/CREATE TABLE/.test(sql))).toEqual([]);
  });

  it("refuses a bad snapshot option, naming the field", async () => {
    for (const snapshot of [{ everyRows: 0 }, { everyRows: 2.5 }, {}, null, true]) {
      const error = await open(nextSchema(), { snapshot: snapshot as never }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(StoreOptionsError);
      expect((error as Error).message).toMatch(/^snapshot\.everyRows: /);
    }
  });

  it("opens a version 1 schema (no snapshot table) and upgrades it; refuses a newer one", async () => {
    const { schema, store } = await populated(6, 100);
    const expected = await fingerprintOf(store);
    await store.close();
    await db.query(`DROP TABLE "${schema}".finemem_snapshot`);
    await db.query(`UPDATE "${schema}".finemem_meta SET value = '1' WHERE key = 'schema_version'`);
    const reopened = await open(schema);
    expect(await fingerprintOf(reopened)).toBe(expected);
    await reopened.close();
    const { rows } = await db.query<{ value: string }>(
      `SELECT value FROM "${schema}".finemem_meta WHERE key = 'schema_version'`,
    );
    expect(rows[0]?.value).toBe("2");
    expect(await snapshotRows(schema)).toEqual([6]);
    await db.query(`UPDATE "${schema}".finemem_meta SET value = '3' WHERE key = 'schema_version'`);
    await expect(open(schema)).rejects.toThrow(/newer store \(schema version 3, this one reads 2\)/);
  });
});

const postgres = await postgresAvailability();
describe.skipIf(!postgres.available)("snapshots of a PostgreSQL store", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase("snapshots");
  });
  afterAll(async () => {
    await database?.drop();
  });
  const openPg = (schema: string, extra: Partial<PersistentStoreOptions> = {}, warnings: string[] = []) =>
    openPostgresStore({
      pool: database.pool,
      schema,
      tokenCounter,
      snapshot: ON_CLOSE,
      onWarning: (message) => warnings.push(message),
      ...extra,
    });

  it("reopens from snapshot + tail byte-identical to a full replay, and ignores a corrupt snapshot", async () => {
    const store = await openPg("snap_pg", { snapshot: { everyRows: 5 } });
    for (let index = 0; index < 16; index++) await write(store, index);
    const expected = await fingerprintOf(store);
    const { rows } = await database.pool.query(`SELECT seq::int AS seq FROM snap_pg.finemem_snapshot`);
    expect(rows).toEqual([{ seq: 15 }]);
    const warnings: string[] = [];
    const fromSnapshot = await openPg("snap_pg", {}, warnings);
    const replayed = await openPg("snap_pg", { snapshot: false });
    expect(warnings).toEqual([]);
    expect(await fingerprintOf(fromSnapshot)).toBe(expected);
    expect(await fingerprintOf(replayed)).toBe(expected);
    await Promise.all([fromSnapshot.close(), replayed.close(), store.close()]);

    await database.pool.query(
      `UPDATE snap_pg.finemem_snapshot SET payload = overlay(payload placing 'AAAA' from 40 for 4)`,
    );
    const corrupt: string[] = [];
    const reopened = await openPg("snap_pg", {}, corrupt);
    expect(corrupt.join("\n")).toMatch(/checksum does not match/);
    expect(await fingerprintOf(reopened)).toBe(expected);
    await reopened.close();
  });
});
