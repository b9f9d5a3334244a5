// A training run folder as a resume comparison reads it: every log and checkpoint file, with the
// fields named in TRAIN_VOLATILE_FIELDS (wall time, throughput, dates) and where the folder lives
// taken out. Two runs of the same configuration must give equal results.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { TRAIN_FILES, TRAIN_VOLATILE_FIELDS } from "../train-files.js";

const VOLATILE = new Set<string>(TRAIN_VOLATILE_FIELDS);

function withoutVolatile(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutVolatile);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !VOLATILE.has(key))
      .map(([key, inner]) => [key, withoutVolatile(inner)]),
  );
}

export interface ComparableRunFiles {
  /** Log files, line by line, volatile fields removed. */
  readonly logs: Record<string, unknown[]>;
  /** Checkpoint files by `update-<n>/<file>`: their exact bytes, base64. */
  readonly checkpoints: Record<string, string>;
  readonly manifest: unknown;
}

export async function comparableRunFiles(runDir: string): Promise<ComparableRunFiles> {
  const logs: Record<string, unknown[]> = {};
  for (const name of [TRAIN_FILES.updates, TRAIN_FILES.steps, TRAIN_FILES.evaluations, TRAIN_FILES.baselines]) {
    const text = await readFile(join(runDir, name), "utf8");
    expectWholeLines(name, text);
    logs[name] = text
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => withoutVolatile(JSON.parse(line)));
  }
  const checkpoints: Record<string, string> = {};
  const checkpointsDir = join(runDir, TRAIN_FILES.checkpoints);
  for (const folder of (await readdir(checkpointsDir)).sort())
    for (const file of (await readdir(join(checkpointsDir, folder))).sort())
      checkpoints[`${folder}/${file}`] = (await readFile(join(checkpointsDir, folder, file))).toString("base64");
  const manifest = JSON.parse(await readFile(join(runDir, TRAIN_FILES.manifest), "utf8")) as {
    config?: { run?: { out?: unknown } };
  };
  if (manifest.config?.run !== undefined) delete manifest.config.run.out;
  return { logs, checkpoints, manifest: withoutVolatile(manifest) };
}

function expectWholeLines(name: string, text: string): void {
  if (text !== "" && !text.endsWith("\n")) throw new Error(`${name} ends with a torn line`);
}
