// Adds up the vitest JSON reports of every workspace, applies the skip policy of .ci/allowed-skips,
// and prints the closing line `N passed, N failed, N skipped`. Exit code 1 when a test failed, a
// test file could not run, a workspace with tests left no report, or a skip is not allowed.
//
// The JSON report alone can read green while the run was red: vitest 4 leaves unhandled errors out of
// it, a run that found no test file reports nothing, and a report left over from an earlier run looks
// like a fresh one. So each of those counts as a failed test in the closing line, with a `problem:`
// line naming the workspace and the cause: the run record that tools/vitest-preset.mjs's
// RunRecordReporter writes beside the report (`.test-results/run.json`: unhandled errors, test files
// run, exit code) supplies the first two, and the mtime of the marker .ci/run writes when it starts
// (`.test-results/run-started`) the third.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";

/**
 * Parses `.ci/allowed-skips`: one `<workspace> :: <full test name> :: <reason>` per line; `#` starts a
 * comment. A line without a reason is an error: an allowed skip must say why.
 * @param {string} text
 */
export function parseAllowedSkips(text) {
  const entries = [];
  text.split("\n").forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const parts = line.split(" :: ").map((part) => part.trim());
    if (parts.length !== 3 || parts.some((part) => part === "")) {
      throw new Error(`.ci/allowed-skips line ${index + 1}: expected "<workspace> :: <full test name> :: <reason>"`);
    }
    entries.push({ workspace: parts[0], name: parts[1], reason: parts[2] });
  });
  return entries;
}

/**
 * @param {{ workspace: string, report: any }[]} reports vitest JSON reports by workspace name
 * @param {{ workspace: string, name: string, reason: string }[]} allowed
 */
export function summarize(reports, allowed) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const problems = [];
  const skips = [];
  for (const { workspace, report } of reports) {
    for (const file of report.testResults ?? []) {
      const assertions = file.assertionResults ?? [];
      // A file that failed before running a test (syntax error, failing import, a required service
      // missing) has no assertions: count it as one failure so that it cannot pass unseen.
      if (file.status === "failed" && !assertions.some((assertion) => assertion.status === "failed")) {
        failed += 1;
        problems.push(`${workspace}: ${file.name}: ${String(file.message ?? "test file failed").split("\n")[0]}`);
      }
      for (const assertion of assertions) {
        const name = assertion.fullName ?? [...(assertion.ancestorTitles ?? []), assertion.title].join(" ");
        if (assertion.status === "passed") passed += 1;
        else if (assertion.status === "failed") {
          failed += 1;
          problems.push(`${workspace}: failed: ${name}`);
        } else {
          skipped += 1;
          const permit = allowed.find((entry) => entry.workspace === workspace && entry.name === name);
          skips.push({ workspace, name, reason: permit?.reason ?? null });
          if (!permit) problems.push(`${workspace}: skipped without an entry in .ci/allowed-skips: ${name}`);
        }
      }
    }
  }
  return { passed, failed, skipped, skips, problems };
}

/** The marker .ci/run writes when it starts; reports older than it are from an earlier run. */
export const RUN_STARTED_MARKER = join(".test-results", "run-started");
/** Where .ci/run lists its failed phases, one `<phase>\t<exit code>` a line. */
export const FAILED_PHASES_FILE = join(".test-results", "failed-phases");

/**
 * Reads every workspace's report and run record under `root` (the monorepo: its package.json lists
 * the workspaces) and returns the lines to print, the closing `N passed, N failed, N skipped` last.
 * @param {string} root
 * @param {{ runStartedAt?: number }} [options] epoch ms; files last written before it are stale
 */
export function summarizeWorkspaces(root, options = {}) {
  const { runStartedAt } = options;
  const allowedPath = join(root, ".ci", "allowed-skips");
  const allowed = existsSync(allowedPath) ? parseAllowedSkips(readFileSync(allowedPath, "utf8")) : [];
  const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const total = { passed: 0, failed: 0, skipped: 0 };
  const skips = [];
  const problems = [];
  const at = (ms) => new Date(ms).toISOString();
  /** The parsed JSON at `path`, or a problem why it cannot be counted (missing, stale, unreadable). */
  const readFresh = (path) => {
    if (!existsSync(path)) return { missing: true };
    const written = statSync(path).mtimeMs;
    if (runStartedAt !== undefined && written < runStartedAt) {
      return {
        problem: `${relative(root, path)} was written at ${at(written)}, before this run started at ${at(runStartedAt)}: a stale file from an earlier run, not counted`,
      };
    }
    try {
      return { value: JSON.parse(readFileSync(path, "utf8")) };
    } catch (error) {
      return { problem: `${relative(root, path)} is not valid JSON (${error.message})` };
    }
  };

  for (const pattern of manifest.workspaces) {
    const base = join(root, pattern.replace(/\/\*$/, ""));
    if (!existsSync(base)) continue;
    for (const entry of readdirSync(base, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (!entry.isDirectory()) continue;
      const folder = join(base, entry.name);
      const packageJson = join(folder, "package.json");
      if (!existsSync(packageJson)) continue;
      const workspace = JSON.parse(readFileSync(packageJson, "utf8"));
      if (!workspace.scripts?.test) continue;
      const name = workspace.name ?? relative(root, folder);
      // Each cause below is one failure: a run that went wrong must not close with `0 failed`.
      const fail = (problem) => {
        total.failed += 1;
        problems.push(`${name}: ${problem}`);
      };

      const report = readFresh(join(folder, ".test-results", "report.json"));
      if (report.missing) {
        fail(
          `has a test script but wrote no report (did its tests run?): ${relative(root, folder)}/.test-results/report.json is missing`,
        );
        continue;
      }
      if (report.problem) {
        fail(report.problem);
        continue;
      }
      const summary = summarize([{ workspace: name, report: report.value }], allowed);
      total.passed += summary.passed;
      total.failed += summary.failed;
      total.skipped += summary.skipped;
      skips.push(...summary.skips);
      problems.push(...summary.problems);
      let failures = summary.failed;
      const failHere = (problem) => {
        failures += 1;
        fail(problem);
      };

      const record = readFresh(join(folder, ".test-results", "run.json"));
      if (record.missing || record.problem) {
        failHere(
          record.problem ??
            `wrote a report but no run record (${relative(root, folder)}/.test-results/run.json), so an unhandled error or a crash would go unseen: does its vitest config use tools/vitest-preset.mjs?`,
        );
        continue;
      }
      const run = record.value;
      for (const error of run.unhandledErrors ?? []) {
        const where = [error.file && relative(root, error.file), error.test && `test "${error.test}"`]
          .filter(Boolean)
          .join(", ");
        failHere(`unhandled error: ${error.name}: ${error.message}${where ? ` (in ${where})` : ""}`);
      }
      if ((report.value.testResults ?? []).length === 0 || run.testFiles === 0) {
        failHere("no test file found: vitest ran no test file, yet the workspace has a test script");
      }
      if (run.reason === "interrupted") failHere("the test run was interrupted before it finished");
      if (run.exitCode === null || run.exitCode === undefined) {
        failHere("vitest never exited normally (its run record has no exit code): it crashed or was killed");
      } else if (run.exitCode !== 0 && failures === 0) {
        // The catch-all: whatever made vitest exit non-zero, the closing line must not read green.
        failHere(`vitest exited with code ${run.exitCode} though its report shows no failure`);
      }
    }
  }

  // Phases of .ci/run that failed outside the test runners (install, the main job, the pack check…).
  const failedPhases = join(root, FAILED_PHASES_FILE);
  if (existsSync(failedPhases) && (runStartedAt === undefined || statSync(failedPhases).mtimeMs >= runStartedAt)) {
    for (const line of readFileSync(failedPhases, "utf8").split("\n")) {
      if (line.trim() === "") continue;
      const [phase, code] = line.split("\t");
      total.failed += 1;
      problems.push(`.ci/run: phase ${phase} failed (exit ${code})`);
    }
  }

  const lines = [];
  for (const skip of skips) lines.push(`skipped: ${skip.workspace} :: ${skip.name} :: ${skip.reason ?? "NOT ALLOWED"}`);
  for (const problem of problems) lines.push(`problem: ${problem}`);
  lines.push(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
  return { lines, ok: problems.length === 0 };
}

function main() {
  const root = process.cwd();
  const marker = join(root, RUN_STARTED_MARKER);
  const runStartedAt = existsSync(marker) ? statSync(marker).mtimeMs : undefined;
  const { lines, ok } = summarizeWorkspaces(root, { runStartedAt });
  for (const line of lines) console.log(line);
  process.exitCode = ok ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) main();
