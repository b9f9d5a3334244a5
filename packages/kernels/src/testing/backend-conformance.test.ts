import { describe, expect, it } from "vitest";
import type { KernelBackend } from "../backend.js";
import { createReferenceBackend } from "../reference/reference-backend.js";
import { runBackendConformance } from "./backend-conformance.js";

/** The float32 reference with one kernel broken, to show the suite notices. */
function brokenBackend(
  breakOp: (op: Parameters<KernelBackend["run"]>[0]) => Parameters<KernelBackend["run"]>[0],
): KernelBackend {
  const inner = createReferenceBackend();
  return { ...inner, name: "broken", run: (op) => inner.run(breakOp(op)) };
}

describe("runBackendConformance", () => {
  it("passes the float64 reference against the float32 reference (f64 is within f32's tolerance)", async () => {
    const results = await runBackendConformance(createReferenceBackend({ floatType: "float64" }));
    expect(results.length).toBeGreaterThan(150);
    expect(results.filter((result) => !result.passed)).toEqual([]);
  });

  it("fails exactly the cases of a kernel that ignores transposeB", async () => {
    const results = await runBackendConformance(
      brokenBackend((op) => (op.kind === "matmul" ? { ...op, transposeB: false } : op)),
      { kernels: ["matmul"] },
    );
    const failed = results.filter((result) => !result.passed).map((result) => result.name);
    // Every transposeB case with k, n > 1 (where Bᵀ differs from B read as k×n); none without transposeB.
    expect(failed.length).toBeGreaterThan(8);
    expect(failed.every((name) => name.includes("transposeB"))).toBe(true);
  });

  it("fails a segment softmax that skips the last segment", async () => {
    const results = await runBackendConformance(
      brokenBackend((op) =>
        op.kind === "segmentSoftmax" && op.segments > 1 ? { ...op, segments: op.segments - 1 } : op,
      ),
      { kernels: ["segmentSoftmax"] },
    );
    expect(results.some((result) => !result.passed && result.firstFailure !== undefined)).toBe(true);
    expect(results.find((result) => result.name === "segmentSoftmax [1]")?.passed).toBe(true);
  });
});
