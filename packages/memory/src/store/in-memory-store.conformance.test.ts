import { describe, it } from "vitest";
import { inMemoryHarness, memoryBackendConformance } from "../testing/index.js";

describe("the in-memory backend passes the conformance suite", () => {
  for (const conformanceCase of memoryBackendConformance(inMemoryHarness)) {
    it(`${conformanceCase.group}: ${conformanceCase.name}`, conformanceCase.run);
  }
});
