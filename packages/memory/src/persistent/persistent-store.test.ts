// What the persistent backends promise beyond the conformance suite: a failed commit changes nothing,
// settings are fixed per schema, versions are materialised in SQL, and on a shared server every
// process sees one history.
import { PGlite } from "@electric-sql/pglite";
import { createWhitespaceTokenCounter } from "@finemem/spec/testing";
import { createTestDatabase, postgresAvailability, type TestDatabase } from "@finemem/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StoreOptionsError } from "../store/in-memory-store.js";
import { openPgliteSchemaStore } from "./open-pglite-store.js";
import { openPostgresStore } from "./open-postgres-store.js";

const tokenCounter = createWhitespaceTokenCounter();
const insert = (step: number, content: string, operationId = `s${step}`) => ({
  namespace: { user: "ada" },
  step,
  sourceChunkId: `c${step}`,
  operations: [{ operationId, operation: { type: "INSERT" as const, content } }],
});

let db: PGlite;
let schemaCounter = 0;
const nextSchema = () => `store_${++schemaCounter}`;
beforeAll(async () => {
  db = await PGlite.create();
});
afterAll(() => db.close());

describe("the PGlite-backed store", () => {
  it("a commit that fails leaves the database and the store as they were, and the next write works", async () => {
    const schema = nextSchema();
    let fail = false;
    const store = await openPgliteSchemaStore(db, {
      schema,
      tokenCounter,
      beforeCommit: async () => {
        if (fail) throw new Error("disk full");
      },
    });
    await store.apply(insert(1, "Ada lives in Paris."));
    const before = await store.exportJsonl();
    fail = true;
    await expect(store.apply(insert(2, "Ada moved to Rome."))).rejects.toThrow("disk full");
    expect(await store.exportJsonl()).toBe(before);
    fail = false;
    await store.apply(insert(2, "Ada moved to Rome."));
    await store.close();
    const reopened = await openPgliteSchemaStore(db, { schema, tokenCounter });
    expect((await reopened.view({ user: "ada" })).items.map((item) => item.content)).toEqual([
      "Ada lives in Paris.",
      "Ada moved to Rome.",
    ]);
    await reopened.close();
  });

  it("materialises every version with its step, operation and source chunk, and logs one row per write", async () => {
    const schema = nextSchema();
    const store = await openPgliteSchemaStore(db, { schema, tokenCounter });
    await store.apply(insert(1, "Ada lives in Paris."));
    await store.apply({
      namespace: { user: "ada" },
      step: 2,
      sourceChunkId: "c2",
      operations: [{ operationId: "u", operation: { type: "UPDATE", id: "m1", content: "Ada lives in Rome." } }],
    });
    await store.deleteBySource({ user: "ada" }, "c2", { step: 3 });
    expect(await store.deleteBySource({ user: "ada" }, "nothing-from-here", { step: 3 })).toEqual([]);
    const versions = await db.query(
      `SELECT item_id, version, content, deleted, step, operation_id, source_chunk_id, seq FROM ${schema}.finemem_versions ORDER BY seq, version`,
    );
    expect(versions.rows).toEqual([
      {
        item_id: "m1",
        version: 1,
        content: "Ada lives in Paris.",
        deleted: false,
        step: 1,
        operation_id: "s1",
        source_chunk_id: "c1",
        seq: 1,
      },
      {
        item_id: "m1",
        version: 2,
        content: "Ada lives in Rome.",
        deleted: false,
        step: 2,
        operation_id: "u",
        source_chunk_id: "c2",
        seq: 2,
      },
      {
        item_id: "m1",
        version: 3,
        content: "",
        deleted: true,
        step: 3,
        operation_id: expect.stringMatching(/^forget\./),
        source_chunk_id: null,
        seq: 3,
      },
    ]);
    const log = await db.query<{ kind: string }>(`SELECT kind FROM ${schema}.finemem_log ORDER BY seq`);
    expect(log.rows.map((row) => row.kind)).toEqual(["apply", "apply", "forget"]);
    await store.close();
  });

  it("refuses to reopen a schema under other settings", async () => {
    const schema = nextSchema();
    const store = await openPgliteSchemaStore(db, { schema, tokenCounter, layout: "typed" });
    await store.close();
    const error = await openPgliteSchemaStore(db, { schema, tokenCounter, layout: "flat" }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(StoreOptionsError);
    expect((error as Error).message).toContain('"layout":"typed"');
  });

  it("refuses a schema name that would need quoting", async () => {
    await expect(openPgliteSchemaStore(db, { schema: 'x"; DROP TABLE y; --', tokenCounter })).rejects.toThrow(
      RangeError,
    );
  });

  it("forks stay in memory: their writes never reach the database", async () => {
    const schema = nextSchema();
    const store = await openPgliteSchemaStore(db, { schema, tokenCounter });
    await store.apply(insert(1, "Ada lives in Paris."));
    const fork = await store.fork();
    await fork.apply(insert(2, "Only in the fork."));
    const log = await db.query(`SELECT seq FROM ${schema}.finemem_log`);
    expect(log.rows).toHaveLength(1);
    expect((await store.view({ user: "ada" })).items).toHaveLength(1);
    await store.close();
  });
});

const postgres = await postgresAvailability();
describe.skipIf(!postgres.available)("the PostgreSQL-backed store shared by several writers", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase("shared");
  });
  afterAll(async () => {
    await database?.drop();
  });

  it("each store sees the others' commits, and concurrent writers serialise into one history", async () => {
    const [a, b] = await Promise.all([
      openPostgresStore({ connectionString: database.url, schema: "shared", tokenCounter }),
      openPostgresStore({ connectionString: database.url, schema: "shared", tokenCounter }),
    ]);
    await a.apply(insert(1, "Ada lives in Paris.", "a1"));
    expect((await b.view({ user: "ada" })).items.map((item) => item.content)).toEqual(["Ada lives in Paris."]);
    // Twenty writes from two stores at once: none lost, ids unique, both stores agree.
    await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        (index % 2 === 0 ? a : b).apply(insert(2, `fact ${index}`, `w${index}`)),
      ),
    );
    const [viewA, viewB] = [await a.exportJsonl(), await b.exportJsonl()];
    expect(viewA).toBe(viewB);
    const items = (await a.view({ user: "ada" })).items;
    expect(items).toHaveLength(21);
    expect(new Set(items.map((item) => item.id)).size).toBe(21);
    await Promise.all([a.close(), b.close()]);
  });
});

describe("embeddings stored with the item version", () => {
  it("the store's embedding cache keeps vectors on version rows, per model and text, across reopen", async () => {
    const schema = nextSchema();
    const store = await openPgliteSchemaStore(db, { schema, tokenCounter });
    await store.apply(insert(1, "Ada lives in Paris."));
    const key = {
      modelId: "tiny",
      namespace: { user: "ada" },
      itemId: "m1",
      version: 1,
      content: "Ada lives in Paris.",
    };
    const cache = store.embeddingCache();
    expect(await cache.getMany([key])).toEqual([undefined]);
    await cache.setMany([{ key, vector: Float32Array.from([0.5, -0.25, 1]) }]);
    // A fork's diverged text, another model, or a version the database lacks never gets the vector.
    const misses = [
      { ...key, content: "Ada lives in Rome." },
      { ...key, modelId: "other" },
      { ...key, version: 2 },
    ];
    await cache.setMany([{ key: misses[2]!, vector: Float32Array.from([9, 9, 9]) }]);
    await store.close();

    const reopened = await openPgliteSchemaStore(db, { schema, tokenCounter });
    const found = await reopened.embeddingCache().getMany([key, ...misses]);
    expect(found.map((vector) => (vector === undefined ? undefined : Array.from(vector)))).toEqual([
      [0.5, -0.25, 1],
      undefined,
      undefined,
      undefined,
    ]);
    await reopened.close();
  });
});
