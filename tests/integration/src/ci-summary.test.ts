import { describe, expect, it } from "vitest";
import { parseAllowedSkips, summarize } from "../../../tools/ci-summary.mjs";

const report = (files: unknown[]) => ({ testResults: files });
const assertion = (status: string, fullName: string) => ({ status, fullName });

describe(".ci/run's summary", () => {
  it("counts passed, failed and skipped tests across workspaces", () => {
    const summary = summarize(
      [
        { workspace: "@finemem/spec", report: report([{ status: "passed", assertionResults: [assertion("passed", "a"), assertion("passed", "b")] }]) },
        { workspace: "@finemem/memory", report: report([{ status: "failed", assertionResults: [assertion("failed", "c"), assertion("pending", "d")] }]) },
      ],
      parseAllowedSkips("# comment\n@finemem/memory :: d :: needs postgres, absent on developer machines\n"),
    );
    expect([summary.passed, summary.failed, summary.skipped]).toEqual([2, 1, 1]);
    expect(summary.skips).toEqual([{ workspace: "@finemem/memory", name: "d", reason: "needs postgres, absent on developer machines" }]);
    expect(summary.problems).toEqual(["@finemem/memory: failed: c"]);
  });

  it("refuses a skip that .ci/allowed-skips does not list, and a todo counts as a skip", () => {
    const summary = summarize([{ workspace: "w", report: report([{ status: "passed", assertionResults: [assertion("skipped", "x"), assertion("todo", "y")] }]) }], []);
    expect(summary.skipped).toBe(2);
    expect(summary.problems).toHaveLength(2);
  });

  it("counts a test file that failed to load as a failure", () => {
    const summary = summarize([{ workspace: "w", report: report([{ status: "failed", name: "/x.test.ts", message: "FINEMEM_REQUIRE names \"postgres\"\nstack", assertionResults: [] }]) }], []);
    expect(summary.failed).toBe(1);
    expect(summary.problems[0]).toMatch(/x\.test\.ts: FINEMEM_REQUIRE names "postgres"$/);
  });

  it("rejects an allowed-skips line without a reason", () => {
    expect(() => parseAllowedSkips("w :: some test\n")).toThrow(/line 1/);
  });
});
