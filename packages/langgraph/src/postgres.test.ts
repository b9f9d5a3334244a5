// The store on PostgreSQL (one database per test file): what one store wrote, another store over the
// same database (another process) reads, and its steps continue.
import { openPostgresStore } from "@finemem/memory/postgres";
import { createTestDatabase, postgresAvailability, type TestDatabase } from "@finemem/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFineMemStore } from "./index.js";

const postgres = await postgresAvailability();

describe.skipIf(!postgres.available)("FineMemStore on PostgreSQL", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase("langgraph_store");
  });
  afterAll(async () => database.drop());

  it("answers from a reopened store what was put before the close", async () => {
    const namespace = { agent: "graph" };
    const first = await openPostgresStore({ connectionString: database.url });
    const writer = createFineMemStore({ store: first, namespace });
    await writer.put(["users", "ada"], "city", { city: "Paris" });
    await writer.put(["users", "ada"], "city", { city: "Lisbon" });
    await writer.put(["users", "ada"], "pet", { name: "Rex", kind: "dog" });
    await writer.put(["users", "ada"], "job", { title: "chemist" });
    await first.close();

    const second = await openPostgresStore({ connectionString: database.url });
    try {
      const reader = createFineMemStore({ store: second, namespace });
      expect((await reader.get(["users", "ada"], "city"))?.value).toEqual({ city: "Lisbon" });
      expect(await reader.listNamespaces()).toEqual([["users", "ada"]]);
      expect((await reader.search(["users"], { query: "dog" }))[0]?.key).toBe("pet");
      expect(await reader.search(["users"], { filter: { title: { $eq: "chemist" } } })).toEqual([
        expect.objectContaining({ key: "job", value: { title: "chemist" } }),
      ]);
      await reader.put(["users", "ada"], "city", { city: "Rome" });
      expect((await reader.history(["users", "ada"], "city")).map((version) => version.step)).toEqual([1, 2, 5]);
    } finally {
      await second.close();
    }
  });
});
