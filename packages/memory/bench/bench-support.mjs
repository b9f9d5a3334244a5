// What the memory benches share: error exit, progress lines, a callable gc, and the shared corpus.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import v8 from "node:v8";
import vm from "node:vm";

export function fail(message) {
  console.error(message);
  process.exit(1);
}

export function progress(message) {
  process.stderr.write(`  … ${message}\n`);
}

// A full collection between runs keeps one engine's garbage from pausing the next one's timings.
// `npm run bench` starts node without --expose-gc, so enable it at run time when it is absent.
export function enableGc() {
  if (typeof globalThis.gc !== "function") {
    v8.setFlagsFromString("--expose-gc");
    globalThis.gc = vm.runInNewContext("gc");
  }
}

/** The shared corpus generator's path, or an exit with a message saying where it was looked for. */
export function corpusScriptPath() {
  const sharedDir = process.env.FINEMEM_SHARED_DIR ?? path.resolve(import.meta.dirname, "../../../../shared");
  const script = path.join(sharedDir, "reference/bm25-bench-corpus.mjs");
  if (!existsSync(script))
    fail(`corpus generator not found at ${script}; set FINEMEM_SHARED_DIR to the shared directory`);
  return script;
}

// The generator is run, not copied, so the benches always use the corpus the reference numbers used.
export function loadCorpus(count, queryLimit = Infinity) {
  const json = execFileSync(process.execPath, [corpusScriptPath(), String(count)], { maxBuffer: 1 << 30 });
  const { docs, queries } = JSON.parse(json);
  return { docs, queries: queries.slice(0, queryLimit) };
}
