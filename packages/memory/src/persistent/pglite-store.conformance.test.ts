// #3's conformance suite on the PGlite backend. One PGlite instance for the file (a new cluster costs
// seconds); every store the suite opens gets a schema of its own, and "reopen" closes the store and
// replays its schema's log into a new one.
import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, it } from "vitest";
import { type ConformanceHarness, memoryBackendConformance } from "../testing/index.js";
import { openPgliteSchemaStore } from "./open-pglite-store.js";

let db: PGlite;
let counter = 0;
beforeAll(async () => {
  db = await PGlite.create();
});
afterAll(async () => {
  await db.close();
});

const schemas = new WeakMap<object, string>();
const harness: ConformanceHarness = {
  async open(options) {
    const schema = `conformance_${++counter}`;
    const store = await openPgliteSchemaStore(db, { ...options, schema });
    schemas.set(store, schema);
    return store;
  },
  async reopen(store, options) {
    const schema = schemas.get(store)!;
    await store.close();
    const reopened = await openPgliteSchemaStore(db, { ...options, schema });
    schemas.set(reopened, schema);
    return reopened;
  },
};

describe("PGlite backend: the memory backend conformance suite", () => {
  for (const testCase of memoryBackendConformance(harness)) it(`${testCase.group}: ${testCase.name}`, testCase.run);
});
