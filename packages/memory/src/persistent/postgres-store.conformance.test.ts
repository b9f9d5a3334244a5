// #3's conformance suite on the PostgreSQL-server backend: one database for the file, one schema per
// store the suite opens; "reopen" closes the store and replays its schema's log into a new one.
import { createTestDatabase, postgresAvailability, type TestDatabase } from "@finemem/testing";
import { afterAll, beforeAll, describe, it } from "vitest";
import { type ConformanceHarness, memoryBackendConformance } from "../testing/index.js";
import { openPostgresStore } from "./open-postgres-store.js";

const { available } = await postgresAvailability();
let database: TestDatabase;
let counter = 0;

describe.skipIf(!available)("PostgreSQL backend: the memory backend conformance suite", () => {
  beforeAll(async () => {
    database = await createTestDatabase("conformance");
  });
  afterAll(async () => {
    await database?.drop();
  });

  const schemas = new WeakMap<object, string>();
  const harness: ConformanceHarness = {
    async open(options) {
      const schema = `conformance_${++counter}`;
      const store = await openPostgresStore({ ...options, pool: database.pool, schema });
      schemas.set(store, schema);
      return store;
    },
    async reopen(store, options) {
      const schema = schemas.get(store)!;
      await store.close();
      const reopened = await openPostgresStore({ ...options, pool: database.pool, schema });
      schemas.set(reopened, schema);
      return reopened;
    },
  };

  for (const testCase of memoryBackendConformance(harness)) it(`${testCase.group}: ${testCase.name}`, testCase.run);
});
