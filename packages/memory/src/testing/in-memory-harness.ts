import { createInMemoryStore } from "../store/in-memory-store.js";
import type { ConformanceHarness } from "./conformance-harness.js";

/**
 * The harness for the in-memory backend. It has no durable medium, so "reopen" exports the store,
 * closes it, and imports the export into a new one: what a process restart with a JSONL snapshot does.
 */
export const inMemoryHarness: ConformanceHarness = {
  async open(options) {
    return createInMemoryStore(options);
  },
  async reopen(store, options) {
    const snapshot = await store.exportJsonl();
    await store.close();
    const reopened = createInMemoryStore(options);
    await reopened.importJsonl(snapshot);
    return reopened;
  },
};
