// How far the `finemem` process lets V8's heap grow past what is live. On a machine with gigabytes
// to spare, V8 lets the old generation grow to up to four times what was live at the last full
// collection before it collects again. An episode over a 10 MB instance holds 350–570 MB, so a long
// run over a large file peaked at 4 × that (1.9 GB on 16 × 10 MB), while a run that ends before its
// next full collection peaked far lower (1.2 GB on 1 × 10 MB): peak memory looked as if it grew with
// the file although what is live does not. Capping the factor at 2 bounds the peak by about twice the
// largest episode in flight, for 2–4% more time (more full collections: 3.6% on 16 × 10 MB).
import { ConfigError } from "../config/load-config.js";

/** The variable that sets it: a whole percentage (100: the heap grows to 2× what is live), 0 for V8's own. */
export const HEAP_GROWTH_ENV = "FINEMEM_HEAP_GROWING_PERCENT";

/** The default: the heap may grow to twice what was live at the last full collection. */
export const DEFAULT_HEAP_GROWING_PERCENT = 100;

/**
 * The V8 flag the `finemem` process should set, or undefined to leave V8's own heap sizing: when
 * `FINEMEM_HEAP_GROWING_PERCENT` is 0, or when node was started with `--heap-growing-percent` (the
 * user's own choice wins). A value that is not a whole number from 0 to 1000 is a ConfigError naming the variable.
 */
export function heapGrowthFlag(
  env: Readonly<Record<string, string | undefined>>,
  nodeOptions: readonly string[],
): string | undefined {
  if (nodeOptions.some((option) => /^--heap[-_]growing[-_]percent(=|$)/.test(option))) return undefined;
  const text = env[HEAP_GROWTH_ENV];
  let percent = DEFAULT_HEAP_GROWING_PERCENT;
  if (text !== undefined && text.trim() !== "") {
    percent = Number(text.trim());
    if (!Number.isInteger(percent) || percent < 0 || percent > 1000)
      throw new ConfigError(
        "heapGrowingPercent",
        "a whole percentage from 0 to 1000 (100: the heap grows to twice what is live; 0: V8's own sizing)",
        JSON.stringify(text),
        `env ${HEAP_GROWTH_ENV}`,
      );
  }
  return percent === 0 ? undefined : `--heap-growing-percent=${percent}`;
}

/** The options node was started with: its command line, then NODE_OPTIONS (split on spaces). */
export function nodeOptionsOf(
  execArgv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): string[] {
  return [...execArgv, ...(env.NODE_OPTIONS ?? "").split(/\s+/).filter((option) => option.length > 0)];
}
