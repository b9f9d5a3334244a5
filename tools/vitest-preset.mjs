// The vitest configuration every workspace shares. Tests run against the package's own sources (its
// public entry points are aliased to src/), and against sibling packages' built output, exactly as a
// user would import them. Every run writes a JSON report and a run record that .ci/run adds up.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * Writes `.test-results/run.json`: how the run ended (vitest's reason), how many test files it ran, the
 * unhandled errors it saw, and the process's exit code. vitest 4's JSON reporter drops unhandled errors
 * and writes nothing that tells "no test file found" apart from a run with nothing to report, so
 * without this record a red run could add up to `0 failed`. The exit code is written from the
 * process's `exit` event because it is only final then (vitest sets it after the reporters ran); a
 * record without one means the process died before exiting normally.
 */
export class RunRecordReporter {
  /** @param {{ outputFile: string }} options */
  constructor(options) {
    this.outputFile = options.outputFile;
    this.record = { reason: null, testFiles: null, unhandledErrors: [], exitCode: null };
  }

  onInit() {
    this.write();
    process.once("exit", (code) => {
      this.record.exitCode = code;
      this.write();
    });
  }

  /**
   * @param {ReadonlyArray<unknown>} testModules
   * @param {ReadonlyArray<any>} unhandledErrors
   * @param {string} reason
   */
  onTestRunEnd(testModules, unhandledErrors, reason) {
    this.record.reason = reason;
    this.record.testFiles = testModules.length;
    this.record.unhandledErrors = unhandledErrors.map((error) => ({
      name: String(error?.name ?? "Error"),
      message: String(error?.message ?? error).split("\n")[0],
      // vitest tags an error with the test file and test that were running when it was thrown.
      file: error?.VITEST_TEST_PATH ?? null,
      test: error?.VITEST_TEST_NAME ?? null,
    }));
    this.write();
  }

  write() {
    mkdirSync(dirname(this.outputFile), { recursive: true });
    writeFileSync(this.outputFile, `${JSON.stringify(this.record, null, 2)}\n`);
  }
}

/** @param {string} packageDir the workspace folder (pass import.meta.dirname) */
export function fineMemVitest(packageDir) {
  const manifest = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8"));
  const alias = [];
  for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
    const file = typeof target === "string" ? target : target.import;
    if (typeof file !== "string" || !file.startsWith("./dist/") || !file.endsWith(".js")) continue;
    const name = subpath === "." ? manifest.name : `${manifest.name}/${subpath.slice(2)}`;
    alias.push({
      find: new RegExp(`^${name.replace(/[/.]/g, "\\$&")}$`),
      replacement: join(packageDir, file.replace(/^\.\/dist\//, "src/").replace(/\.js$/, ".ts")),
    });
  }
  const results = join(packageDir, ".test-results");
  return {
    resolve: { alias },
    test: {
      include: ["src/**/*.test.ts"],
      reporters: [
        "default",
        ["json", { outputFile: join(results, "report.json") }],
        new RunRecordReporter({ outputFile: join(results, "run.json") }),
      ],
      testTimeout: 30_000,
      hookTimeout: 60_000,
    },
  };
}
