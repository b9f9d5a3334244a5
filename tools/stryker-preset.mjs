// The Stryker (mutation testing) configuration every target shares; `npm run mutation`
// (tools/mutation.mjs) runs each target's `stryker.config.mjs` from its package folder. See
// docs/mutation-testing.md.
//
// The sandbox: Stryker copies the package into `<tempDirName>/sandbox-XXXX/` and runs vitest there,
// so the package's vitest.config.ts (through tools/vitest-preset.mjs) aliases the package's public
// name to the sandbox's (mutated) src/, as it should. But the package's relative imports that leave it
// (`../../tools/vitest-preset.mjs` in vitest.config.ts, `../../../tools/readme-examples.mjs` in
// src/readme.test.ts) must still land in the repository's tools/. So the sandboxes live in the
// repository root's `.stryker-tmp/`: a sandbox then sits two levels below the root, exactly as a
// package does, and every such relative import resolves as it does from packages/<name>/. Packages
// are resolved from the root node_modules (node walks up to it from the sandbox; a package's own
// node_modules, if any, is linked into the sandbox), so sibling packages come from their built dist,
// as in a normal test run. No file is mutated in place (`inPlace: false`): other people's builds and
// tests in the same working tree never see a mutant.
import { readdirSync } from "node:fs";
import { join, relative, sep } from "node:path";

/**
 * Test files and test support: never mutated (see docs/mutation-testing.md). Each glob comes with a
 * test of a path relative to the package, so that a target lists only the exclusions that exclude
 * something (Stryker warns about the others).
 */
export const NOT_MUTATED = [
  { glob: "!src/**/*.test.ts", matches: (file) => file.endsWith(".test.ts") },
  { glob: "!src/**/*.test-d.ts", matches: (file) => file.endsWith(".test-d.ts") },
  { glob: "!src/**/test-support/**", matches: (file) => file.split("/").includes("test-support") },
  { glob: "!src/**/testing/**", matches: (file) => file.split("/").includes("testing") },
];

/** The files under src/ of the package Stryker runs in (its working directory), relative to it. */
function sourceFiles() {
  return readdirSync("src", { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(".", join(entry.parentPath, entry.name)).split(sep).join("/"));
}

/** The lowest mutation score (%) a target may have; Stryker exits non-zero below it. */
export const MUTATION_SCORE_THRESHOLD = 85;

/**
 * @param {object} target
 * @param {string[]} target.mutate globs, relative to the package folder, of the files to mutate (test files and test support are excluded here)
 * @param {string[]} [target.notMutated] further exclusions (`!`-globs), each with its reason where it is used
 * @param {boolean} [target.related] vitest's `related`: run only the test files that import the mutated files (default false: every test file)
 * @returns {import("@stryker-mutator/api/core").PartialStrykerOptions}
 */
export function fineMemStryker({ mutate, notMutated = [], related = false }) {
  const files = sourceFiles();
  return {
    // Stryker resolves paths against the folder it runs in: tools/mutation.mjs runs it in the package.
    mutate: [
      ...mutate,
      ...NOT_MUTATED.filter(({ matches }) => files.some(matches)).map(({ glob }) => glob),
      ...notMutated,
    ],
    testRunner: "vitest",
    plugins: ["@stryker-mutator/vitest-runner"],
    vitest: {
      configFile: "vitest.config.ts",
      dir: ".",
      // README examples import the package by its public name at run time, so vitest cannot see that
      // readme.test.ts is related to any source file: `related: true` would leave them out.
      related,
    },
    coverageAnalysis: "perTest",
    // Default mutators: no `mutator` key.
    reporters: ["clear-text", "progress", "json"],
    jsonReporter: { fileName: "reports/mutation/mutation.json" },
    clearTextReporter: { allowEmojis: false, logTests: false, reportScoreTable: true, reportMutants: true },
    thresholds: { high: 90, low: MUTATION_SCORE_THRESHOLD, break: MUTATION_SCORE_THRESHOLD },
    // Two cores, shared with the rest of the work on this machine.
    concurrency: 2,
    // A mutant's tests may take timeoutMS + timeoutFactor × their time in the dry run before it
    // counts as a timeout (an infinite loop): generous, as the cores are shared.
    timeoutMS: 10_000,
    timeoutFactor: 2,
    dryRunTimeoutMinutes: 10,
    tempDirName: "../../.stryker-tmp",
    // Stryker rewrites a relative `extends` in the package's tsconfig.json that leaves the package, for
    // a sandbox at its default depth (<package>/.stryker-tmp/sandbox-X: two levels deeper). Ours sits at
    // the package's own depth, where `../../tsconfig.base.json` already resolves, so the rewrite would
    // break it: name a tsconfig that is not in the package, and Stryker leaves tsconfig.json as it is.
    // (No TypeScript checker runs; Stryker reads this option for nothing else.)
    tsconfigFile: "../../tsconfig.base.json",
    cleanTempDir: "always",
    inPlace: false,
    // A package's own node_modules (nested dependencies) is linked into the sandbox; the root's is
    // found by node walking up from the sandbox.
    symlinkNodeModules: true,
    // Not copied into the sandbox: earlier runs' output. (dist/ is copied: a test may run the built CLI.)
    ignorePatterns: [".test-results", ".readme-examples", "reports", "coverage"],
  };
}
