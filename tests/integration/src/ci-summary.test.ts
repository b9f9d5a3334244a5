import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { parseAllowedSkips, RUN_STARTED_MARKER, summarize, summarizeWorkspaces } from "../../../tools/ci-summary.mjs";

const report = (files: unknown[]) => ({ testResults: files });
const assertion = (status: string, fullName: string) => ({ status, fullName });

describe(".ci/run's summary", () => {
  it("counts passed, failed and skipped tests across workspaces", () => {
    const summary = summarize(
      [
        {
          workspace: "@finemem/spec",
          report: report([
            { status: "passed", assertionResults: [assertion("passed", "a"), assertion("passed", "b")] },
          ]),
        },
        {
          workspace: "@finemem/memory",
          report: report([
            { status: "failed", assertionResults: [assertion("failed", "c"), assertion("pending", "d")] },
          ]),
        },
      ],
      parseAllowedSkips("# comment\n@finemem/memory :: d :: needs postgres, absent on developer machines\n"),
    );
    expect([summary.passed, summary.failed, summary.skipped]).toEqual([2, 1, 1]);
    expect(summary.skips).toEqual([
      { workspace: "@finemem/memory", name: "d", reason: "needs postgres, absent on developer machines" },
    ]);
    expect(summary.problems).toEqual(["@finemem/memory: failed: c"]);
  });

  it("refuses a skip that .ci/allowed-skips does not list, and a todo counts as a skip", () => {
    const summary = summarize(
      [
        {
          workspace: "w",
          report: report([{ status: "passed", assertionResults: [assertion("skipped", "x"), assertion("todo", "y")] }]),
        },
      ],
      [],
    );
    expect(summary.skipped).toBe(2);
    expect(summary.problems).toHaveLength(2);
  });

  it("counts a test file that failed to load as a failure", () => {
    const summary = summarize(
      [
        {
          workspace: "w",
          report: report([
            {
              status: "failed",
              name: "/x.test.ts",
              message: 'FINEMEM_REQUIRE names "postgres"\nstack',
              assertionResults: [],
            },
          ]),
        },
      ],
      [],
    );
    expect(summary.failed).toBe(1);
    expect(summary.problems[0]).toMatch(/x\.test\.ts: FINEMEM_REQUIRE names "postgres"$/);
  });

  it("rejects an allowed-skips line without a reason", () => {
    expect(() => parseAllowedSkips("w :: some test\n")).toThrow(/line 1/);
  });
});

// Small monorepo trees on disk, laid out as .ci/run leaves them: each workspace's vitest wrote
// .test-results/report.json (the JSON reporter) and .test-results/run.json (the preset's run record).
const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function monorepo(): string {
  // realpath: vitest names files by their real path, and the summary prints them relative to the root.
  const root = realpathSync(mkdtempSync(join(tmpdir(), "ci-summary-")));
  roots.push(root);
  writeJson(join(root, "package.json"), { name: "fixture", private: true, workspaces: ["packages/*"] });
  return root;
}

function writeJson(path: string, value: unknown) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(value));
}

/** A workspace `@t/<folder>` with a test script; returns its folder. */
function workspace(root: string, folder: string, scripts: Record<string, string> = { test: "vitest run" }): string {
  const path = join(root, "packages", folder);
  writeJson(join(path, "package.json"), { name: `@t/${folder}`, type: "module", scripts });
  return path;
}

const passedFile = (...names: string[]) => ({
  status: "passed",
  name: "/src/a.test.ts",
  assertionResults: names.map((name) => assertion("passed", name)),
});
const cleanRun = { reason: "passed", testFiles: 1, unhandledErrors: [], exitCode: 0 };

function results(folder: string, files: unknown[], run: unknown) {
  writeJson(join(folder, ".test-results", "report.json"), report(files));
  if (run !== undefined) writeJson(join(folder, ".test-results", "run.json"), run);
}

describe(".ci/run's summary over a workspace tree", () => {
  it("a green run: only the closing line, and no problem", () => {
    const root = monorepo();
    results(workspace(root, "a"), [passedFile("one", "two")], cleanRun);
    results(workspace(root, "b"), [passedFile("three")], cleanRun);
    workspace(root, "no-tests", { build: "tsup" });
    expect(summarizeWorkspaces(root)).toEqual({ lines: ["3 passed, 0 failed, 0 skipped"], ok: true });
  });

  it("planted fault 1: a run that passed every test but ended on an unhandled error", () => {
    const root = monorepo();
    const a = workspace(root, "a");
    // What vitest 4 writes for it: a report that reads green, and the error only in the run record.
    results(a, [{ ...passedFile("one"), name: join(a, "src/a.test.ts") }], {
      reason: "passed",
      testFiles: 1,
      unhandledErrors: [{ name: "Error", message: "planted", file: join(a, "src/a.test.ts"), test: null }],
      exitCode: 1,
    });
    expect(summarizeWorkspaces(root)).toEqual({
      lines: [
        "problem: @t/a: unhandled error: Error: planted (in packages/a/src/a.test.ts)",
        "1 passed, 1 failed, 0 skipped",
      ],
      ok: false,
    });
  });

  it("names the test an unhandled error was thrown in, and counts each error", () => {
    const root = monorepo();
    results(workspace(root, "a"), [passedFile("one", "two")], {
      ...cleanRun,
      unhandledErrors: [
        { name: "TypeError", message: "x is not a function", file: null, test: "two" },
        { name: "Error", message: "second", file: null, test: null },
      ],
      exitCode: 1,
    });
    expect(summarizeWorkspaces(root).lines).toEqual([
      'problem: @t/a: unhandled error: TypeError: x is not a function (in test "two")',
      "problem: @t/a: unhandled error: Error: second",
      "2 passed, 2 failed, 0 skipped",
    ]);
  });

  it("planted fault 2: a workspace whose run found no test file", () => {
    const root = monorepo();
    results(workspace(root, "a"), [passedFile("one")], cleanRun);
    // vitest 4 exits 1 with "No test files found", and its JSON report then lists no file.
    results(workspace(root, "empty"), [], { reason: "failed", testFiles: 0, unhandledErrors: [], exitCode: 1 });
    expect(summarizeWorkspaces(root)).toEqual({
      lines: [
        "problem: @t/empty: no test file found: vitest ran no test file, yet the workspace has a test script",
        "1 passed, 1 failed, 0 skipped",
      ],
      ok: false,
    });
  });

  it("a workspace with a test script and no report at all counts as a failure", () => {
    const root = monorepo();
    workspace(root, "silent");
    expect(summarizeWorkspaces(root).lines).toEqual([
      "problem: @t/silent: has a test script but wrote no report (did its tests run?): packages/silent/.test-results/report.json is missing",
      "0 passed, 1 failed, 0 skipped",
    ]);
  });

  it("planted fault 3: a report older than the run is refused, its tests not counted", () => {
    const root = monorepo();
    const runStartedAt = Date.parse("2025-01-02T03:04:05.000Z");
    const fresh = new Date("2025-01-02T03:10:00.000Z");
    const fromBefore = new Date("2025-01-02T03:00:00.000Z");
    const a = workspace(root, "a");
    results(a, [passedFile("one")], cleanRun);
    const old = workspace(root, "old");
    results(old, [passedFile("two", "three")], cleanRun);
    for (const file of ["report.json", "run.json"]) {
      utimesSync(join(a, ".test-results", file), fresh, fresh);
      utimesSync(join(old, ".test-results", file), fromBefore, fromBefore);
    }
    expect(summarizeWorkspaces(root, { runStartedAt })).toEqual({
      lines: [
        "problem: @t/old: packages/old/.test-results/report.json was written at 2025-01-02T03:00:00.000Z, before this run started at 2025-01-02T03:04:05.000Z: a stale file from an earlier run, not counted",
        "1 passed, 1 failed, 0 skipped",
      ],
      ok: false,
    });
    // Without a run start (a developer's own run), the same tree counts every report.
    expect(summarizeWorkspaces(root).lines).toEqual(["3 passed, 0 failed, 0 skipped"]);
  });

  it("a stale run record beside a fresh report is refused too (an error it would have named goes unseen)", () => {
    const root = monorepo();
    const a = workspace(root, "a");
    results(a, [passedFile("one")], cleanRun);
    utimesSync(
      join(a, ".test-results", "report.json"),
      new Date("2025-01-02T03:10:00.000Z"),
      new Date("2025-01-02T03:10:00.000Z"),
    );
    utimesSync(
      join(a, ".test-results", "run.json"),
      new Date("2025-01-02T03:00:00.000Z"),
      new Date("2025-01-02T03:00:00.000Z"),
    );
    expect(summarizeWorkspaces(root, { runStartedAt: Date.parse("2025-01-02T03:04:05.000Z") }).lines).toEqual([
      "problem: @t/a: packages/a/.test-results/run.json was written at 2025-01-02T03:00:00.000Z, before this run started at 2025-01-02T03:04:05.000Z: a stale file from an earlier run, not counted",
      "1 passed, 1 failed, 0 skipped",
    ]);
  });

  it("planted fault 4: a failing test, counted once although vitest also exited 1 for it", () => {
    const root = monorepo();
    results(
      workspace(root, "a"),
      [
        {
          status: "failed",
          name: "/src/a.test.ts",
          assertionResults: [assertion("passed", "one"), assertion("failed", "adds numbers")],
        },
      ],
      { reason: "failed", testFiles: 1, unhandledErrors: [], exitCode: 1 },
    );
    expect(summarizeWorkspaces(root)).toEqual({
      lines: ["problem: @t/a: failed: adds numbers", "1 passed, 1 failed, 0 skipped"],
      ok: false,
    });
  });

  it("all four planted faults in one run: one failure and one problem line each", () => {
    const root = monorepo();
    const runStartedAt = Date.parse("2025-01-02T03:04:05.000Z");
    const fresh = new Date("2025-01-02T03:10:00.000Z");
    const failing = workspace(root, "failing");
    results(
      failing,
      [{ status: "failed", name: "/src/a.test.ts", assertionResults: [assertion("failed", "adds numbers")] }],
      { ...cleanRun, reason: "failed", exitCode: 1 },
    );
    const empty = workspace(root, "empty");
    results(empty, [], { reason: "failed", testFiles: 0, unhandledErrors: [], exitCode: 1 });
    const stale = workspace(root, "stale");
    results(stale, [passedFile("old")], cleanRun);
    const unhandled = workspace(root, "unhandled");
    results(unhandled, [passedFile("one", "two")], {
      ...cleanRun,
      unhandledErrors: [{ name: "Error", message: "planted", file: join(unhandled, "src/a.test.ts"), test: null }],
      exitCode: 1,
    });
    for (const folder of [failing, empty, unhandled]) {
      for (const file of ["report.json", "run.json"]) utimesSync(join(folder, ".test-results", file), fresh, fresh);
    }
    for (const file of ["report.json", "run.json"])
      utimesSync(
        join(stale, ".test-results", file),
        new Date("2025-01-01T00:00:00.000Z"),
        new Date("2025-01-01T00:00:00.000Z"),
      );
    expect(summarizeWorkspaces(root, { runStartedAt }).lines).toEqual([
      "problem: @t/empty: no test file found: vitest ran no test file, yet the workspace has a test script",
      "problem: @t/failing: failed: adds numbers",
      "problem: @t/stale: packages/stale/.test-results/report.json was written at 2025-01-01T00:00:00.000Z, before this run started at 2025-01-02T03:04:05.000Z: a stale file from an earlier run, not counted",
      "problem: @t/unhandled: unhandled error: Error: planted (in packages/unhandled/src/a.test.ts)",
      "2 passed, 4 failed, 0 skipped",
    ]);
  });

  it("a non-zero exit that nothing else explains, a missing exit code and a missing run record each count as a failure", () => {
    const root = monorepo();
    results(workspace(root, "a"), [passedFile("one")], { ...cleanRun, exitCode: 1 });
    results(workspace(root, "b"), [passedFile("two")], { ...cleanRun, exitCode: null });
    results(workspace(root, "c"), [passedFile("three")], undefined);
    expect(summarizeWorkspaces(root).lines).toEqual([
      "problem: @t/a: vitest exited with code 1 though its report shows no failure",
      "problem: @t/b: vitest never exited normally (its run record has no exit code): it crashed or was killed",
      "problem: @t/c: wrote a report but no run record (packages/c/.test-results/run.json), so an unhandled error or a crash would go unseen: does its vitest config use tools/vitest-preset.mjs?",
      "3 passed, 3 failed, 0 skipped",
    ]);
  });

  it("a phase of .ci/run that failed outside the test runners counts as a failure; one from an earlier run does not", () => {
    const root = monorepo();
    results(workspace(root, "a"), [passedFile("one")], cleanRun);
    // As .ci/run's phase() appends it: the phase's name, a tab, its exit code.
    mkdirSync(join(root, ".test-results"));
    writeFileSync(join(root, ".test-results", "failed-phases"), "main-job\t1\nwiring-mutations\t1\n");
    expect(summarizeWorkspaces(root)).toEqual({
      lines: [
        "problem: .ci/run: phase main-job failed (exit 1)",
        "problem: .ci/run: phase wiring-mutations failed (exit 1)",
        "1 passed, 2 failed, 0 skipped",
      ],
      ok: false,
    });
    // Written at t = 1,000 s, before a run that started at t = 2,000 s: stale, not counted. The
    // report and run record are made fresh (t = 3,000 s) so that only the phases file is stale.
    utimesSync(join(root, ".test-results", "failed-phases"), 1_000, 1_000);
    for (const file of ["report.json", "run.json"])
      utimesSync(join(root, "packages", "a", ".test-results", file), 3_000, 3_000);
    expect(summarizeWorkspaces(root, { runStartedAt: 2_000_000 })).toEqual({
      lines: ["1 passed, 0 failed, 0 skipped"],
      ok: true,
    });
  });

  it("keeps the skip policy of the tree's .ci/allowed-skips", () => {
    const root = monorepo();
    mkdirSync(join(root, ".ci"));
    writeFileSync(join(root, ".ci", "allowed-skips"), "@t/a :: needs a GPU :: no GPU on CI machines\n");
    results(
      workspace(root, "a"),
      [
        {
          status: "passed",
          name: "/src/a.test.ts",
          assertionResults: [
            assertion("passed", "one"),
            assertion("skipped", "needs a GPU"),
            assertion("skipped", "unlisted"),
          ],
        },
      ],
      cleanRun,
    );
    expect(summarizeWorkspaces(root)).toEqual({
      lines: [
        "skipped: @t/a :: needs a GPU :: no GPU on CI machines",
        "skipped: @t/a :: unlisted :: NOT ALLOWED",
        "problem: @t/a: skipped without an entry in .ci/allowed-skips: unlisted",
        "1 passed, 0 failed, 2 skipped",
      ],
      ok: false,
    });
  });
});

describe("the preset's run record, written by a real vitest run", () => {
  const repoRoot = resolve(import.meta.dirname, "..", "..", "..");
  const preset = pathToFileURL(join(repoRoot, "tools", "vitest-preset.mjs")).href;
  const vitest = join(repoRoot, "node_modules", "vitest", "vitest.mjs");

  /** Runs `vitest run` in `folder` with the shared preset, as a workspace's test script does. */
  function runVitest(folder: string) {
    writeFileSync(
      join(folder, "vitest.config.mjs"),
      `import { fineMemVitest } from ${JSON.stringify(preset)};\nexport default fineMemVitest(import.meta.dirname);\n`,
    );
    // The child is a vitest of its own: this run's worker variables would make it think it is nested.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(
        ([name]) => !name.startsWith("VITEST") && name !== "TEST" && name !== "NODE_ENV",
      ),
    );
    return spawnSync(process.execPath, [vitest, "run", "--color=false"], {
      cwd: folder,
      env,
      encoding: "utf8",
      timeout: 60_000,
    });
  }

  it("catches the unhandled error vitest's JSON report drops, and a workspace without a test file", () => {
    const root = monorepo();
    const marker = join(root, RUN_STARTED_MARKER);
    writeJson(marker, {});
    const runStartedAt = statSync(marker).mtimeMs;
    const planted = workspace(root, "planted");
    mkdirSync(join(planted, "src"));
    // The test passes; the timer's throw lands after it, outside any test.
    writeFileSync(
      join(planted, "src", "planted.test.ts"),
      'import { expect, it } from "vitest";\nit("passes", () => {\n  setTimeout(() => {\n    throw new Error("planted");\n  }, 0);\n  expect(1).toBe(1);\n});\n',
    );
    const empty = workspace(root, "empty");
    mkdirSync(join(empty, "src"));

    const plantedRun = runVitest(planted);
    expect(plantedRun.status, plantedRun.stdout + plantedRun.stderr).toBe(1);
    const emptyRun = runVitest(empty);
    expect(emptyRun.status, emptyRun.stdout + emptyRun.stderr).toBe(1);
    expect(emptyRun.stderr).toContain("No test files found");

    const { lines, ok } = summarizeWorkspaces(root, { runStartedAt });
    expect(ok).toBe(false);
    expect(lines[0]).toBe(
      "problem: @t/empty: no test file found: vitest ran no test file, yet the workspace has a test script",
    );
    // Whether vitest names a test depends on when the timer fires, so only the start is fixed.
    expect(lines[1]).toMatch(
      /^problem: @t\/planted: unhandled error: Error: planted \(in packages\/planted\/src\/planted\.test\.ts/,
    );
    expect(lines.slice(2)).toEqual(["1 passed, 2 failed, 0 skipped"]);
  }, 30_000);
});
