// Group commit: writes that arrive within the window share one transaction, every acknowledged write
// survives a reopen, a bad request fails alone, a failed commit fails its whole group and loses
// nothing acknowledged, and the store's content equals the in-memory reference given the same calls.
import { PGlite } from "@electric-sql/pglite";
import { createWhitespaceTokenCounter } from "@finemem/spec/testing";
import { createTestDatabase, postgresAvailability, type TestDatabase } from "@finemem/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApplyRequestError, StoreClosedError } from "../store/errors.js";
import { createInMemoryStore, StoreOptionsError } from "../store/in-memory-store.js";
import { openPgliteSchemaStore } from "./open-pglite-store.js";
import { openPostgresStore } from "./open-postgres-store.js";
import type { PersistentStore } from "./persistent-store.js";

const tokenCounter = createWhitespaceTokenCounter();
// One single-operation step per writer: each user is a namespace of its own, as agents sharing a store.
const step = (writer: number, step: number) => ({
  namespace: { user: `u${writer}` },
  step,
  sourceChunkId: `c${step}`,
  operations: [
    { operationId: `w${writer}.s${step}`, operation: { type: "INSERT" as const, content: `fact ${writer}.${step}` } },
  ],
});

let db: PGlite;
let schemaCounter = 0;
const nextSchema = () => `group_${++schemaCounter}`;
beforeAll(async () => {
  db = await PGlite.create();
});
afterAll(() => db.close());

/** How many transactions the log's rows came from: `now()` is fixed for a whole transaction. */
async function transactionsOf(schema: string): Promise<{ rows: number; transactions: number }> {
  const result = await db.query<{ rows: number; transactions: number }>(
    `SELECT count(*)::int AS rows, count(DISTINCT committed_at)::int AS transactions FROM ${schema}.finemem_log`,
  );
  return result.rows[0]!;
}

describe("group commit on PGlite", () => {
  it("concurrent single-operation steps share transactions, and every acknowledged one is there after reopen", async () => {
    const schema = nextSchema();
    const store = await openPgliteSchemaStore(db, { schema, tokenCounter, groupCommit: { windowMs: 20 } });
    const reference = createInMemoryStore({ tokenCounter });
    // 8 writers × 5 steps, each writer awaiting its own steps in order, all writers at once.
    await Promise.all(
      Array.from({ length: 8 }, async (_, writer) => {
        for (let s = 1; s <= 5; s++) await store.apply(step(writer, s));
      }),
    );
    for (let s = 1; s <= 5; s++) for (let writer = 0; writer < 8; writer++) await reference.apply(step(writer, s));
    const { rows, transactions } = await transactionsOf(schema);
    expect(rows).toBe(40);
    // Eight writers each waiting for their previous step: at most one group per step round, plus
    // stragglers; far fewer than one transaction per write.
    expect(transactions).toBeLessThanOrEqual(20);
    const exported = await store.exportJsonl();
    await store.close();
    const reopened = await openPgliteSchemaStore(db, { schema, tokenCounter });
    expect(await reopened.exportJsonl()).toBe(exported);
    // Same content as the reference given the same steps (namespaces are exported in a fixed order).
    expect(exported).toBe(await reference.exportJsonl());
    await reopened.close();
  });

  it("a bad request in a group is rejected alone; the rest of its group commits", async () => {
    const schema = nextSchema();
    const store = await openPgliteSchemaStore(db, { schema, tokenCounter, groupCommit: { windowMs: 20 } });
    // A step number below 0 is a malformed request: the store throws before changing anything.
    const bad = { ...step(1, 1), step: -1 };
    const outcomes = await Promise.allSettled([store.apply(step(0, 1)), store.apply(bad), store.apply(step(2, 1))]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(ApplyRequestError);
    expect(await transactionsOf(schema)).toEqual({ rows: 2, transactions: 1 });
    await store.close();
  });

  it("a failed commit rejects its whole group and changes nothing; writes acknowledged before it stay", async () => {
    const schema = nextSchema();
    let fail = false;
    const store = await openPgliteSchemaStore(db, {
      schema,
      tokenCounter,
      groupCommit: { windowMs: 10 },
      beforeCommit: async () => {
        if (fail) throw new Error("disk full");
      },
    });
    await store.apply(step(0, 1));
    const before = await store.exportJsonl();
    fail = true;
    const outcomes = await Promise.allSettled([store.apply(step(1, 1)), store.apply(step(2, 1))]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(["rejected", "rejected"]);
    expect(await store.exportJsonl()).toBe(before);
    fail = false;
    await store.apply(step(1, 1));
    await store.close();
    const reopened = await openPgliteSchemaStore(db, { schema, tokenCounter });
    expect((await reopened.namespaces()).map((namespace) => namespace.user)).toEqual(["u0", "u1"]);
    await reopened.close();
  });

  it("close() answers writes still waiting in the window with StoreClosedError, never silence", async () => {
    const schema = nextSchema();
    const store = await openPgliteSchemaStore(db, { schema, tokenCounter, groupCommit: { windowMs: 60_000 } });
    const waiting = store.apply(step(0, 1));
    await store.close();
    await expect(waiting).rejects.toBeInstanceOf(StoreClosedError);
  });

  it("refuses a window that is not a number of milliseconds from 0 to 60000, naming the option", async () => {
    for (const windowMs of [-1, Number.NaN, 60_001, "5" as unknown as number]) {
      const error = await openPgliteSchemaStore(db, { schema: nextSchema(), groupCommit: { windowMs } }).catch(
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(StoreOptionsError);
      expect((error as Error).message).toContain("groupCommit.windowMs");
    }
  });
});

const postgres = await postgresAvailability();
describe.skipIf(!postgres.available)("group commit on PostgreSQL", () => {
  let database: TestDatabase;
  let store: PersistentStore | undefined;
  beforeAll(async () => {
    database = await createTestDatabase("group_commit");
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  it("concurrent writers' steps all commit and reopen byte for byte, in fewer transactions than writes", async () => {
    store = await openPostgresStore({ connectionString: database.url, tokenCounter, groupCommit: { windowMs: 20 } });
    await Promise.all(
      Array.from({ length: 6 }, async (_, writer) => {
        for (let s = 1; s <= 4; s++) await store!.apply(step(writer, s));
      }),
    );
    const exported = await store.exportJsonl();
    await store.close();
    store = await openPostgresStore({ connectionString: database.url, tokenCounter });
    expect(await store.exportJsonl()).toBe(exported);
    expect((await store.view({ user: "u5" })).items.map((item) => item.content)).toEqual([
      "fact 5.1",
      "fact 5.2",
      "fact 5.3",
      "fact 5.4",
    ]);
  });
});
