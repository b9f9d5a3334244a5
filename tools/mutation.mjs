// `npm run mutation`: Stryker over each target in turn (see docs/mutation-testing.md). Builds the
// targets' packages and their dependencies first (tests import sibling packages from their dist),
// runs each target's stryker.config.mjs from its package folder, prints each target's mutation score
// from its JSON report, and exits non-zero when a target scores below the threshold or its run fails.
//
//   npm run mutation                              every target
//   npm run mutation -- --target evidence         one target (repeat --target for several)
//   npm run mutation -- --dry-run                 only Stryker's initial test run: checks the setup
//   npm run mutation -- --no-build                skip the nx build (dist already up to date)
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { MUTATION_SCORE_THRESHOLD } from "./stryker-preset.mjs";

const root = join(import.meta.dirname, "..");

/** name → the package folder whose stryker.config.mjs it runs, and its nx project. */
const TARGETS = {
  evidence: { dir: "packages/evidence", project: "@finemem/evidence" },
  "step-reward": { dir: "packages/step-reward", project: "@finemem/step-reward" },
  episode: { dir: "packages/finemem", project: "finemem" },
  agent: { dir: "packages/agent", project: "@finemem/agent" },
};

const { values } = parseArgs({
  options: {
    target: { type: "string", multiple: true },
    "dry-run": { type: "boolean", default: false },
    "no-build": { type: "boolean", default: false },
  },
});
const names = values.target ?? Object.keys(TARGETS);
for (const name of names) {
  if (!(name in TARGETS)) {
    console.error(`unknown target "${name}": expected one of ${Object.keys(TARGETS).join(", ")}`);
    process.exit(2);
  }
}

const env = { ...process.env, NX_DAEMON: "false", NX_TUI: "false" };

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, env, stdio: "inherit" });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

if (!values["no-build"]) {
  const projects = names.map((name) => TARGETS[name].project).join(",");
  console.log(`::: mutation: building ${projects} and their dependencies`);
  if (run("npx", ["nx", "run-many", "-t", "build", `--projects=${projects}`, "--output-style=static"], root) !== 0) {
    console.error("mutation: the build failed");
    process.exit(1);
  }
}

/** Stryker's mutation score: (killed + timeout) / (killed + timeout + survived + no coverage). */
function summarize(reportFile) {
  const report = JSON.parse(readFileSync(reportFile, "utf8"));
  const counts = {};
  for (const file of Object.values(report.files)) {
    for (const mutant of file.mutants) counts[mutant.status] = (counts[mutant.status] ?? 0) + 1;
  }
  const count = (status) => counts[status] ?? 0;
  const detected = count("Killed") + count("Timeout");
  const valid = detected + count("Survived") + count("NoCoverage");
  return { counts, score: valid === 0 ? 100 : (100 * detected) / valid };
}

const results = [];
for (const name of names) {
  const { dir } = TARGETS[name];
  const cwd = join(root, dir);
  const reportFile = join(cwd, "reports", "mutation", "mutation.json");
  rmSync(reportFile, { force: true });
  console.log(`::: mutation: ${name} (${dir}/stryker.config.mjs)`);
  const started = Date.now();
  const status = run(
    "npx",
    ["stryker", "run", "stryker.config.mjs", ...(values["dry-run"] ? ["--dryRunOnly"] : [])],
    cwd,
  );
  const seconds = Math.round((Date.now() - started) / 1000);
  if (values["dry-run"]) {
    results.push({
      name,
      ok: status === 0,
      line: `${name}: dry run ${status === 0 ? "ok" : `failed (exit ${status})`} in ${seconds}s`,
    });
    continue;
  }
  if (!existsSync(reportFile)) {
    results.push({ name, ok: false, line: `${name}: no report (stryker exited ${status}) after ${seconds}s` });
    continue;
  }
  const { counts, score } = summarize(reportFile);
  const ok = status === 0 && score >= MUTATION_SCORE_THRESHOLD;
  const detail = Object.entries(counts)
    .map(([key, value]) => `${value} ${key.toLowerCase()}`)
    .join(", ");
  results.push({
    name,
    ok,
    line: `${name}: mutation score ${score.toFixed(2)}% (${detail}) in ${seconds}s${ok ? "" : `: below ${MUTATION_SCORE_THRESHOLD}% or stryker exited ${status}`}`,
  });
}

console.log("::: mutation: results");
for (const { line } of results) console.log(`  ${line}`);
const failed = results.filter(({ ok }) => !ok);
if (failed.length > 0) {
  console.error(
    `mutation: ${failed.map(({ name }) => name).join(", ")} failed (threshold ${MUTATION_SCORE_THRESHOLD}%)`,
  );
  process.exit(1);
}
