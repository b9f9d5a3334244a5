// Test support: bundles a child-process entry of this package's sources with esbuild, so tests can run
// the real store in another process (the drivers stay external and resolve from node_modules).
import { rmSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";

const packageDir = join(import.meta.dirname, "..", "..", "..");

/** Bundles `src/persistent/<entry>.ts` into the package's ignored test-results folder; returns the script and a cleanup. */
export async function bundleChildScript(entry: string): Promise<{ script: string; remove(): void }> {
  const script = join(packageDir, ".test-results", `${entry}-${process.pid}.mjs`);
  await build({
    entryPoints: [join(import.meta.dirname, `${entry}.ts`)],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile: script,
    external: ["@electric-sql/pglite", "pg", "@finemem/utils", "js-tiktoken", "zod"],
    absWorkingDir: packageDir,
    logLevel: "silent",
  });
  return { script, remove: () => rmSync(script, { force: true }) };
}

export const CHILD_CWD = packageDir;
