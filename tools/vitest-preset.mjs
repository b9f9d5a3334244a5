// The vitest configuration every workspace shares. Tests run against the package's own sources (its
// public entry points are aliased to src/), and against sibling packages' built output, exactly as a
// user would import them. Every run writes a JSON report that .ci/run adds up.
import { readFileSync } from "node:fs";
import { join } from "node:path";

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
  return {
    resolve: { alias },
    test: {
      include: ["src/**/*.test.ts"],
      reporters: ["default", ["json", { outputFile: join(packageDir, ".test-results", "report.json") }]],
      testTimeout: 30_000,
      hookTimeout: 60_000,
    },
  };
}
