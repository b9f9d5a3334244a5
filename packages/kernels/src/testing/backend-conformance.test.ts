import { describe, expect, it } from "vitest";
import { createReferenceBackend } from "../reference/reference-backend.js";
import { runBackendConformance } from "./backend-conformance.js";

describe("runBackendConformance", () => {
  it("passes the float64 reference against the float32 reference (f64 is within f32's tolerance)", async () => {
    const results = await runBackendConformance(createReferenceBackend({ floatType: "float64" }));
    expect(results.length).toBeGreaterThan(150);
    expect(results.filter((result) => !result.passed)).toEqual([]);
  });
});
