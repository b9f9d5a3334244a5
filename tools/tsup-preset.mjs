// The one tsup configuration every published package builds with: ESM only, bundled d.ts, Node 20.
/** @param {Record<string, string>} entry entry name → source file, e.g. { index: "src/index.ts" } */
export function fineMemTsup(entry) {
  return {
    entry,
    format: ["esm"],
    dts: true,
    clean: true,
    sourcemap: false,
    target: "node20",
    treeshake: true,
  };
}
