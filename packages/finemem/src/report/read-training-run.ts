// Reads and validates the files of a training run folder (the format of train/train-files.ts) that its
// report draws from. Like read-run-directory.ts for an eval run, a corrupt folder fails once, with the
// file and line at fault, before anything is rendered.
import { join } from "node:path";
import type { RunManifest } from "@finemem/spec";
import { type BaselineLine, type EvaluationLine, TRAIN_FILES, type UpdateLine } from "../train/train-files.js";
import { readRunManifest } from "./read-run-directory.js";
import { RunDirectoryError } from "./run-directory-error.js";
import { exists, readJsonlFile } from "./run-file-reading.js";
import { baselineLineValidator, evaluationLineValidator, updateLineValidator } from "./training-file-validators.js";

/** The parsed contents of a training run folder, as far as its report needs them. */
export interface TrainingRunDirectory {
  /** The directory read. */
  readonly dir: string;
  readonly manifest: RunManifest;
  /** In file order: update 1, 2, … */
  readonly updates: readonly UpdateLine[];
  /** In file order, by increasing update; update 0 is the untrained start. */
  readonly evaluations: readonly EvaluationLine[];
  readonly baselines: readonly BaselineLine[];
}

/**
 * Whether `dir` holds a training run rather than an eval run: only `finemem train` writes
 * `updates.jsonl` (it does so before the first update, so a run stopped early still counts).
 */
export function isTrainingRun(dir: string): Promise<boolean> {
  return exists(join(dir, TRAIN_FILES.updates));
}

/**
 * Reads `manifest.json`, `updates.jsonl`, `evaluations.jsonl` and `baselines.jsonl` of a training run.
 * A run still going (or stopped) reads as far as it got: its report is a progress report.
 *
 * @throws {RunDirectoryError} naming the file (and the 1-based line) that is missing, not JSON, of the wrong shape, or out of order
 */
export async function readTrainingRun(dir: string): Promise<TrainingRunDirectory> {
  const manifest = await readRunManifest(dir);
  const updatesFile = join(dir, TRAIN_FILES.updates);
  const evaluationsFile = join(dir, TRAIN_FILES.evaluations);
  // `train` appends whole lines; one it was writing when it was stopped (or is writing now) is left out.
  const log = { appendOnly: true } as const;
  const { values: updates, lines: updateLines } = await readJsonlFile(updatesFile, updateLineValidator, log);
  const { values: evaluations, lines: evaluationLines } = await readJsonlFile(
    evaluationsFile,
    evaluationLineValidator,
    log,
  );
  const { values: baselines, lines: baselineLines } = await readJsonlFile(
    join(dir, TRAIN_FILES.baselines),
    baselineLineValidator,
    log,
  );

  // `train` appends update k as the k-th line and rewrites the log whole on resume; a gap or a repeat
  // means lines of two runs (or a hand edit), and a curve over them would silently mislead.
  updates.forEach((line, index) => {
    if (line.update !== index + 1)
      throw new RunDirectoryError(
        "inconsistent",
        updatesFile,
        updateLines[index] ?? null,
        `update ${line.update} where update ${index + 1} was expected (updates.jsonl holds updates 1, 2, … in order)`,
      );
  });
  const lastUpdate = updates.at(-1)?.update ?? 0;
  evaluations.forEach((line, index) => {
    const previous = index === 0 ? -1 : evaluations[index - 1]!.update;
    if (line.update <= previous)
      throw new RunDirectoryError(
        "inconsistent",
        evaluationsFile,
        evaluationLines[index] ?? null,
        `evaluation at update ${line.update} after one at update ${previous} (evaluations are in increasing update order)`,
      );
    // An evaluation follows its update's line: one of an update the log does not hold belongs to another run.
    if (line.update > lastUpdate)
      throw new RunDirectoryError(
        "inconsistent",
        evaluationsFile,
        evaluationLines[index] ?? null,
        `evaluation at update ${line.update}, but updates.jsonl ends at update ${lastUpdate}`,
      );
  });
  const names = new Set<string>();
  baselines.forEach((line, index) => {
    if (names.has(line.name))
      throw new RunDirectoryError(
        "inconsistent",
        join(dir, TRAIN_FILES.baselines),
        baselineLines[index] ?? null,
        `baseline "${line.name}" appears twice`,
      );
    names.add(line.name);
  });
  return { dir, manifest, updates, evaluations, baselines };
}
