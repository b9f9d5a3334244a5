// `finemem eval` resumes one run folder under any spelling of `--out`, and a damaged manifest is the
// typed run-folder error, not a stack trace. In-process through the CLI (the sources, not dist/).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCliCaptured } from "../cli/test-support/run-cli-captured.js";

const EVAL = ["eval", "--dataset", "synthetic", "--limit", "1", "--set", "report.html=false"] as const;
const evalIn = (cwd: string, out: string) => runCliCaptured([...EVAL, "--out", out, "--quiet"], { cwd });

const runDirOf = (out: string) => {
  const [runId] = readdirSync(out);
  return join(out, runId!);
};

describe("finemem eval resumes a run folder", () => {
  it("resumes the same folder given as out, ./out, an absolute path, and sub/out from the parent folder", {
    timeout: 60_000,
  }, async () => {
    const parent = mkdtempSync(join(tmpdir(), "finemem-eval-out-"));
    const cwd = join(parent, "sub");
    mkdirSync(cwd);
    const first = await evalIn(cwd, "out");
    expect(first.code, first.stderr).toBe(0);
    const runDir = runDirOf(join(cwd, "out"));
    const results = readFileSync(join(runDir, "results.jsonl"), "utf8");

    for (const [from, out] of [
      [cwd, "./out"],
      [cwd, join(cwd, "out")],
      [parent, "sub/out"],
    ] as const) {
      const again = await evalIn(from, out);
      expect(again.code, `--out ${out}: ${again.stderr}`).toBe(0);
      expect(again.stderr).not.toContain("resume_mismatch");
      expect(readdirSync(join(cwd, "out"))).toEqual([runDir.split("/").at(-1)]);
      expect(readFileSync(join(runDir, "results.jsonl"), "utf8")).toBe(results);
    }
  });

  it("a truncated manifest.json is reported as the run folder's invalid_json, naming the file, and left as it is", {
    timeout: 60_000,
  }, async () => {
    const cwd = mkdtempSync(join(tmpdir(), "finemem-eval-torn-"));
    const first = await evalIn(cwd, "out");
    expect(first.code, first.stderr).toBe(0);
    const manifest = join(runDirOf(join(cwd, "out")), "manifest.json");
    const torn = readFileSync(manifest, "utf8").slice(0, 50);
    writeFileSync(manifest, torn);

    const again = await evalIn(cwd, "out");
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`${manifest}:`);
    expect(again.stderr).toContain("not valid JSON");
    expect(again.stderr).toContain("[invalid_json]");
    expect(again.stderr).not.toContain("SyntaxError");
    expect(readFileSync(manifest, "utf8")).toBe(torn);
  });
});
