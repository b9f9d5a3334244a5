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
  const path = options.runDir === undefined ? undefined : join(options.runDir, RUN_FILES.manifest);
  const fresh = runManifestValidator.parse({
    runId: options.runId,
    specificationVersion: SPECIFICATION_VERSION,
    createdAt: new Date().toISOString(),
    seed: options.seed,
    models: options.details?.models ?? {},
    promptHashes: options.details?.promptHashes ?? {},
    datasets: options.datasets,
    ...(options.details?.config === undefined ? {} : { config: options.details.config }),
  });
  if (path === undefined) return fresh;
  const previous = await readRecordedManifest(options.runDir!);
  if (previous !== undefined) {
    const differences = manifestDifferences(previous, fresh);
    if (differences.length > 0) {
      throw new RunError(
        "resume_mismatch",
        `${path} records a run of another configuration (${differences.join("; ")}); nothing in the folder was changed: run with the recorded configuration to resume, or use a new --out (or --run-id) for the new configuration`,
        ["runId"],
      );
    }
    return previous;
  }
  await mkdir(options.runDir!, { recursive: true });
  await writeAtomically(path, `${JSON.stringify(fresh, null, 2)}\n`);
  return fresh;
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
      differences.push(`${key}: recorded ${quote(before)}, now ${quote(after)}`);
    }
  };
  const { createdAt: _before, ...before } = recorded;
  const { createdAt: _now, ...after } = now;
  compare(before, after, []);
  return differences;
}

/** Every dataset file read, once, without the row (a manifest lists files, not rows). */
export function datasetsOf(instances: readonly BenchmarkInstance[]): DatasetSource[] {
  const files = new Map<string, DatasetSource>();
  for (const { source } of instances) {
    const { row: _row, ...file } = source;
    files.set(JSON.stringify(file), file);
  }
  return [...files.values()];
}
