/**
 * @finemem/memory/testing: the conformance suite every memory backend runs, ours or a third party's.
 *
 * ```ts
 * import { it } from "vitest";
 * import { memoryBackendConformance } from "@finemem/memory/testing";
 * for (const c of memoryBackendConformance(harness)) it(`${c.group}: ${c.name}`, c.run);
 * ```
 */
export {
  type ConformanceCase,
  ConformanceFailure,
  type ConformanceHarness,
  type ConformanceStoreOptions,
} from "./conformance-harness.js";
export { memoryBackendConformance } from "./conformance-suite.js";
export { inMemoryHarness } from "./in-memory-harness.js";
