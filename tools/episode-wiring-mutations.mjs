// `npm run mutation:wiring`: the five wiring faults of runEpisode named in issue #17, planted one at a
// time in a scratch copy of finemem, each of which must fail at least one of src/episode's tests (no
// README example is among them). Stryker (`npm run mutation`) mutates everything; these five are the
// faults the reward path is known to be blind to without hand-worked scenarios, so they are checked by
// name in seconds. The working tree is never touched: the copy lives in .stryker-tmp/, two levels
// below the root like a package, so its relative imports of tools/ resolve as they do from
// packages/finemem/.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const packageDir = join(root, "packages", "finemem");
const episodeFile = join("src", "episode", "run-episode.ts");

/** Each fault: a name, and the exact text replacements that plant it (each must match once). */
const FAULTS = [
  {
    name: "chunk questions answered on M_{t-1}",
    edits: [
      [
        "    const decision = await policy.decide(",
        "    const previous = await store.view(namespace, callOptions);\n    const decision = await policy.decide(",
      ],
      [
        "questions: instance.chunkQuestions[index] ?? [], memory }",
        "questions: instance.chunkQuestions[index] ?? [], memory: previous }",
      ],
    ],
  },
  {
    name: "chunk questions answered on M_T",
    edits: [
      [
        "const chunkScore = await scorer.scoreStep(\n      { step, questions: instance.chunkQuestions[index] ?? [], memory },\n      callOptions,\n    );",
        "const chunkScore = { score: null, answers: [] };",
      ],
      [
        "  const finalView = await store.view(namespace, callOptions);",
        "  const finalView = await store.view(namespace, callOptions);\n  for (const [index, step] of steps.entries()) {\n    const late = await scorer.scoreStep({ step: step.step, questions: instance.chunkQuestions[index] ?? [], memory: finalView }, callOptions);\n    steps[index] = { ...step, chunkScore: late.score, chunkAnswers: late.answers };\n  }",
      ],
    ],
  },
  {
    name: "the total uses N_t instead of r_EARA(t)",
    edits: [["eara: attribution.eara[index] ?? 0,", "eara: attribution.evidence[index] ?? 0,"]],
  },
  {
    name: "T + 1 passed to the attribution",
    edits: [["steps: instance.chunks.length,", "steps: instance.chunks.length + 1,"]],
  },
  { name: "weights.beta dropped", edits: [["    beta: weights.beta,\n", ""]] },
];

function plant(source, edits) {
  let planted = source;
  for (const [from, to] of edits) {
    const count = planted.split(from).length - 1;
    if (count !== 1)
      throw new Error(
        `${episodeFile}: expected the text to plant a fault at exactly once, found it ${count} times: ${from.trim().slice(0, 80)}`,
      );
    planted = planted.replace(from, () => to);
  }
  return planted;
}

/** Runs src/episode's tests in the copy; returns the failed-test count (0 when all passed). */
function runEpisodeTests(copy) {
  // The package's own vitest configuration writes this JSON report (tools/vitest-preset.mjs).
  const report = join(copy, ".test-results", "report.json");
  rmSync(report, { force: true });
  const result = spawnSync(
    process.execPath,
    [join(root, "node_modules", "vitest", "vitest.mjs"), "run", "src/episode"],
    {
      cwd: copy,
      encoding: "utf8",
      env: { ...process.env, CI: "true" },
    },
  );
  if (!existsSync(report))
    throw new Error(`vitest wrote no report (exit ${result.status}):\n${result.stderr.slice(-2000)}`);
  const { numFailedTests, numTotalTests } = JSON.parse(readFileSync(report, "utf8"));
  return { failed: numFailedTests, total: numTotalTests, exit: result.status };
}

const scratch = join(root, ".stryker-tmp");
const copy = join(scratch, `wiring-${process.pid}`);
mkdirSync(scratch, { recursive: true });
let survivors = 0;
try {
  for (const entry of ["src", "package.json", "vitest.config.ts", "tsconfig.json", "README.md"])
    cpSync(join(packageDir, entry), join(copy, entry), { recursive: true });
  if (existsSync(join(packageDir, "node_modules")))
    symlinkSync(join(packageDir, "node_modules"), join(copy, "node_modules"));
  const original = readFileSync(join(copy, episodeFile), "utf8");
  const clean = runEpisodeTests(copy);
  if (clean.failed !== 0 || clean.exit !== 0)
    throw new Error(
      `the unplanted copy fails ${clean.failed} of ${clean.total} tests (exit ${clean.exit}): fix the tests first`,
    );
  console.log(`unplanted: ${clean.total} tests pass`);
  for (const fault of FAULTS) {
    writeFileSync(join(copy, episodeFile), plant(original, fault.edits));
    const { failed, total } = runEpisodeTests(copy);
    if (failed === 0) survivors++;
    console.log(`${failed === 0 ? "SURVIVED" : "killed  "}  ${fault.name}: ${failed} of ${total} tests fail`);
  }
} finally {
  rmSync(copy, { recursive: true, force: true });
}
console.log(
  survivors === 0
    ? `all ${FAULTS.length} wiring faults are caught`
    : `${survivors} of ${FAULTS.length} wiring faults fail no test`,
);
process.exitCode = survivors === 0 ? 0 : 1;
