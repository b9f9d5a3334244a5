import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import {
  type BenchmarkInstance,
  type DatasetSource,
  type RunManifest,
  runManifestValidator,
  SPECIFICATION_VERSION,
} from "@finemem/spec";
import { readRunManifest } from "../report/read-run-directory.js";
import { RunDirectoryError } from "../report/run-directory-error.js";
import type { ManifestDetails } from "./evaluate.js";
import { RunError } from "./run-error.js";
import { RUN_FILES } from "./run-files.js";
import { writeAtomically } from "./write-atomically.js";

export interface OpenRunManifestOptions {
  readonly runId: string;
  /** Without a folder, the manifest is only built. */
  readonly runDir: string | undefined;
  readonly seed: string;
  readonly details: ManifestDetails | undefined;
  readonly datasets: readonly DatasetSource[];
}

/** The manifest of a new run, or the one a resumed run started with (which must be of the same configuration). */
export async function openRunManifest(options: OpenRunManifestOptions): Promise<RunManifest> {
  const fresh = freshManifest(options);
  if (options.runDir === undefined) return fresh;
  const previous = await readRecordedManifest(options.runDir);
  if (previous !== undefined) {
    throwOnDifferences(options.runDir, manifestDifferences(previous, fresh));
    return previous;
  }
  await writeManifest(options.runDir, fresh);
  return fresh;
}

/** The manifest of a run that learns its dataset files as it reads them (a streamed evaluation). */
export interface GrowingRunManifest {
  /** The manifest as recorded now. */
  readonly manifest: RunManifest;
  /**
   * Records a dataset file the run reads, in first-read order (a file already known is ignored). A
   * resumed run must read the files its manifest records in the same order: a different file at a
   * recorded position is a `resume_mismatch` (nothing in the folder is changed); a file beyond them
   * is appended.
   */
  addDataset(dataset: DatasetSource): Promise<void>;
  /** At the end of the data: a resumed run that read fewer files than its manifest records is a `resume_mismatch`. */
  close(): void;
}

/**
 * {@link openRunManifest} for a run whose datasets are known only as their instances stream in:
 * `options.datasets` are those read so far (the first instance's file). Everything but the datasets
 * is compared with a recorded manifest now; the datasets as they arrive. A run that reads every file
 * records the same manifest as one given all its instances up front.
 */
export async function openGrowingRunManifest(options: OpenRunManifestOptions): Promise<GrowingRunManifest> {
  const fresh = freshManifest({ ...options, datasets: [] });
  const runDir = options.runDir;
  const previous = runDir === undefined ? undefined : await readRecordedManifest(runDir);
  if (previous !== undefined) throwOnDifferences(runDir!, manifestDifferences({ ...previous, datasets: [] }, fresh));
  const recorded = previous?.datasets ?? [];
  let current = previous ?? fresh;
  const known: DatasetSource[] = [];
  const keys = new Set<string>();
  const growing: GrowingRunManifest = {
    get manifest() {
      return current;
    },
    async addDataset(dataset) {
      const key = JSON.stringify(dataset);
      if (keys.has(key)) return;
      const position = known.length;
      if (position < recorded.length) {
        const differences: string[] = [];
        leafDifferences(recorded[position], dataset, [`datasets[${position}]`], differences);
        if (runDir !== undefined) throwOnDifferences(runDir, differences);
      }
      keys.add(key);
      known.push(dataset);
      if (position < recorded.length) return;
      current = runManifestValidator.parse({ ...current, datasets: [...known] });
      if (runDir !== undefined) await writeManifest(runDir, current);
    },
    close() {
      if (runDir === undefined || known.length >= recorded.length) return;
      throwOnDifferences(runDir, [
        `datasets: recorded ${recorded.length} files, now ${known.length} (the first not read: ${JSON.stringify(recorded[known.length]!.file)})`,
      ]);
    },
  };
  for (const dataset of options.datasets) await growing.addDataset(dataset);
  return growing;
}

function freshManifest(options: OpenRunManifestOptions): RunManifest {
  return runManifestValidator.parse({
    runId: options.runId,
    specificationVersion: SPECIFICATION_VERSION,
    createdAt: new Date().toISOString(),
    seed: options.seed,
    models: options.details?.models ?? {},
    promptHashes: options.details?.promptHashes ?? {},
    datasets: options.datasets,
    ...(options.details?.config === undefined ? {} : { config: options.details.config }),
  });
}

async function writeManifest(runDir: string, manifest: RunManifest): Promise<void> {
  await mkdir(runDir, { recursive: true });
  await writeAtomically(join(runDir, RUN_FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
}

function throwOnDifferences(runDir: string, differences: readonly string[]): void {
  if (differences.length === 0) return;
  throw new RunError(
    "resume_mismatch",
    `${join(runDir, RUN_FILES.manifest)} records a run of another configuration (${differences.join("; ")}); nothing in the folder was changed: run with the recorded configuration to resume, or use a new --out (or --run-id) for the new configuration`,
    ["runId"],
  );
}

/**
 * The manifest a run folder holds, `undefined` when it holds none (a new run). A manifest that is not
 * JSON or not a manifest is the report's {@link RunDirectoryError} (same codes, same file and line),
 * with what to do added; the folder is left as it is, so no finished work is lost.
 */
async function readRecordedManifest(runDir: string): Promise<RunManifest | undefined> {
  try {
    return await readRunManifest(runDir);
  } catch (error) {
    if (!(error instanceof RunDirectoryError)) throw error;
    if (error.code === "missing_file") return undefined;
    const where = `${error.file}${error.line === null ? "" : `:${error.line}`}: `;
    const reason = error.message.startsWith(where) ? error.message.slice(where.length) : error.message;
    throw new RunDirectoryError(
      error.code,
      error.file,
      error.line,
      `${reason}; the run folder was left as it is: restore ${RUN_FILES.manifest} to resume this run, or use a new --out (or --run-id) to start the run afresh elsewhere`,
      error,
    );
  }
}

/**
 * Keys of the effective configuration that say where the run's files go, not what the run computes.
 * They are left out of the resume comparison (as the default run id leaves them out), so the same
 * folder resumes under any spelling of `--out` (`./out`, an absolute path, `sub/out` from the parent
 * folder). Manifests keep recording them, and manifests of earlier versions, which recorded them
 * too, keep opening.
 */
const NOT_COMPARED: readonly (readonly string[])[] = [
  ["config", "run", "out"],
  // Like where files go, neither changes results, and the default run id leaves both out too.
  ["config", "run", "concurrency"],
  ["config", "report"],
];

/** Most characters of a value a `resume_mismatch` message quotes. */
const QUOTED_VALUE_CHARS = 120;

/**
 * What differs between the manifest a run folder records and the one this run would write, as
 * `<key>: recorded <value>, now <value>` per differing leaf (`createdAt` and {@link NOT_COMPARED}
 * aside); empty when the run may resume.
 */
function manifestDifferences(recorded: RunManifest, now: RunManifest): string[] {
  const differences: string[] = [];
  const { createdAt: _before, ...before } = recorded;
  const { createdAt: _now, ...after } = now;
  leafDifferences(before, after, [], differences);
  return differences;
}

/** Appends `<key>: recorded <value>, now <value>` to `out` for each leaf that differs below `path`. */
function leafDifferences(before: unknown, after: unknown, path: readonly string[], out: string[]): void {
  const quote = (value: unknown) => {
    if (value === undefined) return "(absent)";
    const text = JSON.stringify(value);
    return text.length > QUOTED_VALUE_CHARS ? `${text.slice(0, QUOTED_VALUE_CHARS - 1)}…` : text;
  };
  const isRecord = (value: unknown): value is Record<string, unknown> =>
    typeof value === "object" && value !== null && !Array.isArray(value);
  const compare = (before: unknown, after: unknown, path: readonly string[]) => {
    if (NOT_COMPARED.some((skipped) => skipped.length === path.length && skipped.every((key, i) => key === path[i])))
      return;
    const key = path.join(".");
    if (isRecord(before) && isRecord(after)) {
      const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
      for (const child of keys) compare(before[child], after[child], [...path, child]);
    } else if (Array.isArray(before) && Array.isArray(after)) {
      for (let index = 0; index < Math.max(before.length, after.length); index++)
        compare(before[index], after[index], [...path.slice(0, -1), `${path.at(-1) ?? ""}[${index}]`]);
    } else if (JSON.stringify(before) !== JSON.stringify(after)) {
      out.push(`${key}: recorded ${quote(before)}, now ${quote(after)}`);
    }
  };
  compare(before, after, path);
}

/** Every dataset file read, once, without the row (a manifest lists files, not rows). */
export function datasetsOf(instances: readonly BenchmarkInstance[]): DatasetSource[] {
  const files = new Map<string, DatasetSource>();
  for (const instance of instances) {
    const file = datasetOf(instance);
    files.set(JSON.stringify(file), file);
  }
  return [...files.values()];
}

/** The dataset file an instance was read from, without its row. */
export function datasetOf(instance: BenchmarkInstance): DatasetSource {
  const { row: _row, ...file } = instance.source;
  return file;
}
