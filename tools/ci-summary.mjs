// Adds up the vitest JSON reports of every workspace, applies the skip policy of .ci/allowed-skips,
// and prints the closing line `N passed, N failed, N skipped`. Exit code 1 when a test failed, a
// test file could not run, a workspace with tests left no report, or a skip is not allowed.
import { existsSync, readFileSync, readdirSync } from "node:fs";
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

function main() {
  const root = process.cwd();
  const allowedPath = join(root, ".ci", "allowed-skips");
  const allowed = existsSync(allowedPath) ? parseAllowedSkips(readFileSync(allowedPath, "utf8")) : [];
  const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const reports = [];
  const missing = [];
  for (const pattern of manifest.workspaces) {
    const base = join(root, pattern.replace(/\/\*$/, ""));
    for (const entry of readdirSync(base, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const folder = join(base, entry.name);
      const packageJson = join(folder, "package.json");
      if (!existsSync(packageJson)) continue;
      const workspace = JSON.parse(readFileSync(packageJson, "utf8"));
      if (!workspace.scripts?.test) continue;
      const reportPath = join(folder, ".test-results", "report.json");
      if (!existsSync(reportPath)) {
        missing.push(relative(root, folder));
        continue;
      }
      reports.push({ workspace: workspace.name, report: JSON.parse(readFileSync(reportPath, "utf8")) });
    }
  }
  const summary = summarize(reports, allowed);
  for (const skip of summary.skips) console.log(`skipped: ${skip.workspace} :: ${skip.name} :: ${skip.reason ?? "NOT ALLOWED"}`);
  for (const folder of missing) summary.problems.push(`${folder}: has a test script but wrote no report (did its tests run?)`);
  for (const problem of summary.problems) console.log(`problem: ${problem}`);
  const failed = summary.failed + missing.length;
  console.log(`${summary.passed} passed, ${failed} failed, ${summary.skipped} skipped`);
  process.exitCode = summary.problems.length > 0 ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) main();
