// The external backend: it trains nothing itself. Each update's samples, with their GRPO advantages,
// go to `samples-<update>.jsonl` / `.parquet` for an engine that owns the model (verl, OpenRLHF), which
// reads the token ids and behaviour log-probabilities and does the gradient step.
//
// Resume: the update number continues from the highest file already in the directory (a restarted
// run appends `samples-000004.*` after `samples-000003.*` rather than overwriting update 1), and it is
// read again before every update, so a directory another writer filled is never overwritten.
import {
  type CallOptions,
  SPECIFICATION_VERSION,
  type TrainerBackend,
  type TrainerMetrics,
  type TrainerUpdateRequest,
  throwIfAborted,
  trainerUpdateRequestValidator,
} from "@finemem/spec";
import { encodeJsonlLine } from "@finemem/utils";
import { computeStepAdvantages } from "../advantages/step-advantages.js";
import { rewardComponentMeans } from "../local/reward-means.js";
import { TrainerError } from "../trainer-error.js";
import {
  type ExportFormat,
  exportFileName,
  highestExportedUpdate,
  prepareExportDirectory,
  writeFilesAtomically,
} from "./export-files.js";
import { encodeExportParquet } from "./export-parquet.js";
import { EXPORT_ADVANTAGE_DEFAULTS, type ExportAdvantageSettings, toExportedSamples } from "./export-schema.js";

export interface ExternalTrainerOptions {
  /** Where the files go; created when missing. */
  readonly directory: string;
  /** Which files each update writes. Default both. */
  readonly formats?: readonly ExportFormat[] | undefined;
  /** Divide advantages by the group's std (GRPO, default) or only centre them (Dr.GRPO). */
  readonly normalizeByStd?: boolean | undefined;
  /** ε added to the std. Default 1e-6, as verl. */
  readonly epsilon?: number | undefined;
  /** Cancels every later update (each update also takes its own signal). */
  readonly signal?: AbortSignal | undefined;
}

/** The external backend: every update writes one update's samples; `updateStep` is the last one written. */
export interface ExternalTrainer extends TrainerBackend {
  readonly directory: string;
  readonly formats: readonly ExportFormat[];
  readonly settings: ExportAdvantageSettings;
  /** The highest update written, by this trainer or found in the directory. */
  readonly updateStep: number;
}

function optionError(option: string, expected: string, value: unknown): TrainerError {
  return new TrainerError(
    "invalid_option",
    `${option} must be ${expected}, got ${JSON.stringify(value) ?? String(value)}`,
    {
      path: [option],
    },
  );
}

function resolveFormats(formats: unknown): readonly ExportFormat[] {
  if (formats === undefined) return ["jsonl", "parquet"];
  if (
    !Array.isArray(formats) ||
    formats.length === 0 ||
    new Set(formats).size !== formats.length ||
    !formats.every((format) => format === "jsonl" || format === "parquet")
  ) {
    throw optionError("formats", 'a non-empty list of distinct "jsonl" and "parquet"', formats);
  }
  return [...formats] as ExportFormat[];
}

function checkRequest(request: TrainerUpdateRequest): TrainerUpdateRequest {
  const result = trainerUpdateRequestValidator.validate(request);
  if (result.ok) return result.value;
  throw new TrainerError(
    "invalid_request",
    `${result.error.message}: send a valid TrainerUpdateRequest (the path names the field)`,
    {
      path: result.error.path,
      cause: result.error,
    },
  );
}

/** Creates the external backend (async: it creates the directory and reads which updates it holds). */
export async function createExternalTrainer(options: ExternalTrainerOptions): Promise<ExternalTrainer> {
  if (typeof options.directory !== "string" || options.directory.length === 0) {
    throw optionError("directory", "a non-empty path", options.directory);
  }
  const formats = resolveFormats(options.formats);
  const normalizeByStd = options.normalizeByStd ?? EXPORT_ADVANTAGE_DEFAULTS.normalizeByStd;
  if (typeof normalizeByStd !== "boolean") throw optionError("normalizeByStd", "true or false", normalizeByStd);
  const epsilon = options.epsilon ?? EXPORT_ADVANTAGE_DEFAULTS.epsilon;
  // Above 0: a group whose rewards are all equal has std 0, and 0 / (0 + 0) is not an advantage.
  if (typeof epsilon !== "number" || !Number.isFinite(epsilon) || epsilon <= 0) {
    throw optionError("epsilon", "a finite number > 0", epsilon);
  }
  const settings: ExportAdvantageSettings = { normalizeByStd, epsilon };
  const { directory } = options;
  throwIfAborted(options.signal);
  await prepareExportDirectory(directory);
  let updateStep = await highestExportedUpdate(directory);
  // One update at a time: two at once would take the same number.
  let queue: Promise<unknown> = Promise.resolve();

  async function update(request: TrainerUpdateRequest, callOptions?: CallOptions): Promise<TrainerMetrics> {
    const signals = [options.signal, callOptions?.signal].filter((signal) => signal !== undefined);
    const checkAborted = () => signals.forEach(throwIfAborted);
    checkAborted();
    const checked = checkRequest(request);
    const advantages = await computeStepAdvantages(checked.groups, { grouping: checked.grouping, ...settings });
    checkAborted();
    // A directory removed since creation is made again; one that became a file is the caller's error.
    await prepareExportDirectory(directory);
    const next = Math.max(updateStep, await highestExportedUpdate(directory)) + 1;
    const rows = toExportedSamples(checked, advantages, next, settings);
    const files = formats.map((format) => ({
      name: exportFileName(next, format),
      bytes: format === "jsonl" ? rows.map(encodeJsonlLine).join("") : encodeExportParquet(rows),
    }));
    await writeFilesAtomically(directory, files, checkAborted);
    updateStep = next;

    const samples = checked.groups.flatMap((group) => group.rollouts.flatMap((rollout) => rollout.samples));
    const values = advantages.map((entry) => entry.advantage);
    const advantageMean = values.reduce((total, value) => total + value, 0) / values.length;
    const advantageStd = Math.sqrt(
      values.reduce((total, value) => total + (value - advantageMean) ** 2, 0) / values.length,
    );
    return {
      updateStep: next,
      samples: samples.length,
      meanReward: samples.reduce((total, sample) => total + sample.reward, 0) / samples.length,
      extra: { advantageMean, advantageStd, ...rewardComponentMeans(samples) },
    };
  }

  return {
    specificationVersion: SPECIFICATION_VERSION,
    backendId: "external",
    directory,
    formats,
    settings,
    get updateStep() {
      return updateStep;
    },
    update(request, callOptions) {
      const result = queue.then(() => update(request, callOptions));
      queue = result.catch(() => undefined);
      return result;
    },
  };
}
