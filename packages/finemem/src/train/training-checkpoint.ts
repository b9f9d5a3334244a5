// A training checkpoint is a folder, `checkpoints/update-<n>/`, holding `checkpoint.json` (what the
// run was, its update, the policy's description, the held-out settings its evaluations ran on) and,
// for a trainer that keeps state here, `trainer.safetensors` (@finemem/trainer's checkpoint: the
// parameters, the optimiser's moments, the seed). `checkpoint.json` is written last, so a folder
// without it is an interrupted write and is never read.
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { JsonValue } from "@finemem/spec";
import { RunError } from "../run/run-error.js";
import { writeAtomically } from "../run/write-atomically.js";

/** The `format` of `checkpoint.json`. */
export const TRAINING_CHECKPOINT_FORMAT = "finemem-training-checkpoint";
/** Bumped whenever the folder's layout changes; older versions keep opening. */
export const TRAINING_CHECKPOINT_VERSION = 1;

export const CHECKPOINT_FILES = Object.freeze({
  description: "checkpoint.json",
  trainer: "trainer.safetensors",
});

/** `checkpoint.json`. */
export interface TrainingCheckpointDescription {
  readonly format: typeof TRAINING_CHECKPOINT_FORMAT;
  readonly version: number;
  readonly runId: string;
  /** Updates done when it was written (0: the starting policy). */
  readonly update: number;
  readonly seed: string;
  /** What the policy is (e.g. `{ kind: "learned", config }`), to rebuild it around the parameters. */
  readonly policy: JsonValue;
  /** What held-out evaluation ran on (the caller's description, e.g. datasets and reasoner); `finemem eval --heldout` reads it. */
  readonly evaluation: JsonValue;
  /** The held-out score logged at this update, when one was. */
  readonly heldoutScore: number | null;
  /** Whether `trainer.safetensors` is beside it. */
  readonly hasTrainerState: boolean;
}

export interface TrainingCheckpoint {
  readonly folder: string;
  readonly description: TrainingCheckpointDescription;
  /** `trainer.safetensors`, when the trainer keeps its state here. */
  readonly trainerState: Uint8Array | undefined;
}

/** `checkpoints/update-000020`. */
export function checkpointFolderName(update: number): string {
  return `update-${String(update).padStart(6, "0")}`;
}

/** Writes a checkpoint folder; `checkpoint.json` last, so a kill leaves either a whole checkpoint or none. */
export async function writeTrainingCheckpoint(
  checkpointsDir: string,
  description: Omit<TrainingCheckpointDescription, "format" | "version" | "hasTrainerState">,
  trainerState: Uint8Array | undefined,
): Promise<string> {
  const folder = join(checkpointsDir, checkpointFolderName(description.update));
  await mkdir(folder, { recursive: true });
  if (trainerState !== undefined) {
    const target = join(folder, CHECKPOINT_FILES.trainer);
    const temporary = `${target}.${process.pid}.tmp`;
    await writeFile(temporary, trainerState);
    await rename(temporary, target);
  } else await rm(join(folder, CHECKPOINT_FILES.trainer), { force: true });
  const full: TrainingCheckpointDescription = {
    format: TRAINING_CHECKPOINT_FORMAT,
    version: TRAINING_CHECKPOINT_VERSION,
    ...description,
    hasTrainerState: trainerState !== undefined,
  };
  await writeAtomically(join(folder, CHECKPOINT_FILES.description), `${JSON.stringify(full, null, 2)}\n`);
  return folder;
}

function corrupt(folder: string, reason: string, cause?: unknown): RunError {
  return new RunError(
    "corrupt_checkpoint",
    `${join(folder, CHECKPOINT_FILES.description)}: ${reason}; use another checkpoint of the run (checkpoints/update-*), or retrain`,
    ["checkpoint", folder],
    cause,
  );
}

/** Reads a checkpoint folder; a missing, broken or newer one is a typed {@link RunError} naming the file. */
export async function readTrainingCheckpoint(folder: string): Promise<TrainingCheckpoint> {
  let text: string;
  try {
    text = await readFile(join(folder, CHECKPOINT_FILES.description), "utf8");
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === "ENOENT" || (cause as NodeJS.ErrnoException).code === "ENOTDIR")
      throw new RunError(
        "no_checkpoint",
        `${folder} holds no ${CHECKPOINT_FILES.description}: give a checkpoint folder (<run>/checkpoints/update-<n>) or a training run folder`,
        ["checkpoint", folder],
        cause,
      );
    throw cause;
  }
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch (cause) {
    throw corrupt(folder, `not JSON (${(cause as Error).message})`, cause);
  }
  if (typeof parsed !== "object" || parsed === null || parsed.format !== TRAINING_CHECKPOINT_FORMAT)
    throw corrupt(folder, `format is ${JSON.stringify(parsed?.format)}, expected "${TRAINING_CHECKPOINT_FORMAT}"`);
  if (typeof parsed.version !== "number" || !Number.isInteger(parsed.version) || parsed.version < 1)
    throw corrupt(folder, `version is ${JSON.stringify(parsed.version)}, expected a positive integer`);
  if (parsed.version > TRAINING_CHECKPOINT_VERSION)
    throw new RunError(
      "newer_format",
      `${join(folder, CHECKPOINT_FILES.description)} has version ${parsed.version}, and this version of finemem reads up to ${TRAINING_CHECKPOINT_VERSION}: upgrade finemem to open it`,
      ["checkpoint", folder, "version"],
    );
  for (const [key, type] of [
    ["runId", "string"],
    ["update", "number"],
    ["seed", "string"],
    ["hasTrainerState", "boolean"],
  ] as const) {
    if (typeof parsed[key] !== type)
      throw corrupt(folder, `${key} is ${JSON.stringify(parsed[key])}, expected a ${type}`);
  }
  if (!Number.isInteger(parsed.update) || (parsed.update as number) < 0)
    throw corrupt(folder, `update is ${JSON.stringify(parsed.update)}, expected a non-negative integer`);
  if (parsed.heldoutScore !== null && typeof parsed.heldoutScore !== "number")
    throw corrupt(folder, `heldoutScore is ${JSON.stringify(parsed.heldoutScore)}, expected a number or null`);
  const description = parsed as unknown as TrainingCheckpointDescription;
  let trainerState: Uint8Array | undefined;
  if (description.hasTrainerState) {
    try {
      trainerState = new Uint8Array(await readFile(join(folder, CHECKPOINT_FILES.trainer)));
    } catch (cause) {
      throw corrupt(folder, `it records trainer state, and ${CHECKPOINT_FILES.trainer} cannot be read`, cause);
    }
  }
  return { folder, description, trainerState };
}

/** The updates of the whole checkpoints under `checkpointsDir` (those with a `checkpoint.json`), ascending. */
export async function checkpointUpdates(checkpointsDir: string): Promise<number[]> {
  let names: string[];
  try {
    names = await readdir(checkpointsDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const updates: number[] = [];
  for (const name of names) {
    const match = /^update-(\d{6,})$/.exec(name);
    if (match === null) continue;
    try {
      await readFile(join(checkpointsDir, name, CHECKPOINT_FILES.description));
      updates.push(Number(match[1]));
    } catch {
      // An interrupted write: no checkpoint.json yet.
    }
  }
  return updates.sort((a, b) => a - b);
}

/**
 * A checkpoint folder, or the latest checkpoint of a training run folder: what `--checkpoint`
 * accepts. `no_checkpoint` when the path is neither.
 */
export async function resolveCheckpointFolder(path: string): Promise<string> {
  const direct = join(path, CHECKPOINT_FILES.description);
  try {
    await readFile(direct);
    return path;
  } catch {
    // Not a checkpoint folder: a run folder?
  }
  const updates = await checkpointUpdates(join(path, "checkpoints"));
  const latest = updates.at(-1);
  if (latest === undefined)
    throw new RunError(
      "no_checkpoint",
      `${path} is neither a checkpoint folder (with ${CHECKPOINT_FILES.description}) nor a training run folder with checkpoints: give <run>/checkpoints/update-<n>, or the run folder of finemem train`,
      ["checkpoint", path],
    );
  return join(path, "checkpoints", checkpointFolderName(latest));
}
