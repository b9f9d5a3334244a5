import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { type AblationRecord, renderAblationHtml, renderAblationMarkdown } from "../ablate/ablation-document.js";
import { type AblationPlan, planAblation } from "../ablate/ablation-plan.js";
import { type AblationResults, type AblationRunResult, collectAblation } from "../ablate/ablation-results.js";
import type { FineMemConfig } from "../config/config-schema.js";
import { ConfigError } from "../config/load-config.js";
import { RunDirectoryError } from "../report/run-directory-error.js";
import { writeAtomically } from "../run/write-atomically.js";
import { type CliIo, writeLine } from "./cli-io.js";
import { heldoutSetNames, TRAIN_CONFIG_DEFAULTS, trainCommand } from "./train-command.js";

/**
 * What `finemem ablate` uses where the configuration says nothing: `finemem train`'s defaults, with
 * the compression term at the paper's w_comp 0.05 (the issue keeps r_format and r_comp in all four
 * settings; `finemem train` sets it to 0, see its defaults) and RAG-top2 beside the heuristic and
 * insert-every-fact among the baselines.
 */
export const ABLATE_CONFIG_DEFAULTS: Readonly<Record<string, unknown>> = Object.freeze({
  ...TRAIN_CONFIG_DEFAULTS,
  // r_comp is in every setting at the paper's weight (finemem train leaves it out by default).
  rewards: { ...(TRAIN_CONFIG_DEFAULTS.rewards as object), compression: 0.05 },
  train: { baselines: ["heuristic", "insert-every-fact", "rag-top2"] },
});

/** The files of an ablation folder (beside `runs/<run id>/`, one `finemem train` run folder each). */
export const ABLATION_FILES = Object.freeze({
  /** Format version, the record and every figure. */
  results: "ablation.json",
  markdown: "results.md",
  report: "report.html",
  runs: "runs",
});

/** `ablation.json`'s format version; a reader refuses another. */
export const ABLATION_FORMAT_VERSION = 1;

export interface AblateCommandOptions {
  /** Replicates per setting (default 8: the fewest whose exact test can pass Holm over six pairs). */
  readonly seeds?: number;
  /** Also run the sensitivity sweep. */
  readonly sweep?: boolean;
  /** MemoryAgentBench files evaluated beside the held-out sets (transfer), not averaged into the score. */
  readonly heldoutFiles?: readonly string[];
  /** Also write `results.md` here (e.g. docs/results.md). */
  readonly writeResults?: string;
  readonly quiet?: boolean;
  /** The command line as typed, recorded in the results. */
  readonly commandLine?: string;
  /** The finemem version, recorded in the results. */
  readonly version?: string;
}

export interface AblationOutcome {
  readonly plan: AblationPlan;
  readonly results: AblationResults;
  readonly folder: string;
}

/** The checkout's commit, `-dirty` when tracked files other than `ignore` differ from it. */
function sourceCommit(cwd: string, ignore: readonly string[]): string {
  try {
    const commit = execFileSync("git", ["rev-parse", "--short=12", "HEAD"], { cwd, encoding: "utf8", stdio: "pipe" });
    const status = execFileSync(
      "git",
      ["status", "--porcelain", "--untracked-files=no", "--", ".", ...ignore.map((path) => `:(exclude)${path}`)],
      { cwd, encoding: "utf8", stdio: "pipe" },
    );
    return `${commit.trim()}${status.trim() === "" ? "" : "-dirty"}`;
  } catch {
    return "(not a git checkout)";
  }
}

/**
 * `finemem ablate`: trains the learned policy under the four reward settings (outcome only, + chunk
 * reward, + attribution, both) for `seeds` replicates each, with the same budget, rollouts and seeds,
 * and with `sweep` the sensitivity sweep; then writes the findings (`ablation.json`, `results.md`,
 * `report.html`) in `<run.out>/<ablation id>/`. Every run is a `finemem train` run folder under
 * `runs/`: the same command after a kill resumes where it stopped.
 */
export async function ablateCommand(
  base: FineMemConfig,
  io: CliIo,
  options: AblateCommandOptions = {},
): Promise<AblationOutcome> {
  const started = Date.now();
  // The commit the runs are made with: read before they start, so edits made meanwhile do not count.
  const commit = sourceCommit(
    io.cwd,
    [...(options.writeResults === undefined ? [] : [options.writeResults]), base.run.out]
      .map((path) => relative(io.cwd, resolve(io.cwd, path)))
      .filter((path) => path !== "" && !path.startsWith("..")),
  );
  if (base.policy.kind !== "learned" || base.train.backend === "external")
    throw new ConfigError(
      base.policy.kind !== "learned" ? "policy.kind" : "train.backend",
      'the learned policy trained here (policy.kind "learned", train.backend cpu or webgpu); an LLM manager\'s ablation is four verl trainings, see docs/ablation.md',
      JSON.stringify(base.policy.kind !== "learned" ? base.policy.kind : base.train.backend),
      "config",
    );
  const seeds = options.seeds ?? 8;
  const files = options.heldoutFiles ?? [];
  for (const file of files)
    if (!existsSync(resolve(io.cwd, file)))
      throw new ConfigError(
        "--heldout-file",
        "a MemoryAgentBench .jsonl or .parquet file",
        JSON.stringify(file),
        "flag",
      );
  const config: FineMemConfig = {
    ...base,
    train: {
      ...base.train,
      heldout: [
        ...base.train.heldout,
        ...files.map((file) => ({ kind: "memoryagentbench" as const, file: resolve(io.cwd, file) })),
      ],
    },
  };
  const transferSets = heldoutSetNames(config.train.heldout).slice(base.train.heldout.length);
  const plan = planAblation(config, { seeds, sweep: options.sweep === true });
  const folder = resolve(io.cwd, plan.folder);
  writeLine(
    io.stderr,
    `finemem ablate: ${plan.runs.length} training runs (4 settings × ${seeds} seeds${plan.sweep === undefined ? "" : ", and the sweep"}) in ${folder}`,
  );
  const quietIo: CliIo = { ...io, stdout: { write: () => true } as unknown as NodeJS.WritableStream };
  const runs = new Map<string, AblationRunResult>();
  const ablationRuns = plan.settings.length * seeds;
  let sweepStarted: number | undefined;
  for (const [index, run] of plan.runs.entries()) {
    if (index === ablationRuns) sweepStarted = Date.now();
    writeLine(
      io.stderr,
      `finemem ablate: run ${index + 1}/${plan.runs.length} · β ${run.beta} · w_chunk ${run.chunk} · seed ${run.seed}`,
    );
    const trained = await trainCommand(run.config, quietIo, { quiet: options.quiet === true });
    runs.set(run.id, trained);
  }
  const results = collectAblation(plan, runs, { transferSets });
  const firstEvaluation = runs.get(plan.runs[0]!.id)!.evaluations[0]!;
  const record: AblationRecord = {
    command: options.commandLine ?? "finemem ablate",
    commit,
    version: options.version ?? "unknown",
    wallSeconds: ((sweepStarted ?? Date.now()) - started) / 1000,
    sweepWallSeconds: sweepStarted === undefined ? null : (Date.now() - sweepStarted) / 1000,
    updates: config.train.updates,
    instancesPerUpdate: config.train.instancesPerUpdate,
    rollouts: config.train.rollouts,
    setSizes: Object.fromEntries(
      Object.entries(firstEvaluation.sets ?? {}).map(([set, result]) => [set, result.episodes]),
    ),
    shared: sharedSettings(config),
  };
  await mkdir(folder, { recursive: true });
  const markdown = renderAblationMarkdown(results, record);
  await writeAtomically(
    join(folder, ABLATION_FILES.results),
    `${JSON.stringify({ formatVersion: ABLATION_FORMAT_VERSION, record, results }, null, 2)}\n`,
  );
  await writeAtomically(join(folder, ABLATION_FILES.markdown), markdown);
  await writeAtomically(join(folder, ABLATION_FILES.report), renderAblationHtml(results, record));
  if (options.writeResults !== undefined) await writeFile(resolve(io.cwd, options.writeResults), markdown, "utf8");

  writeLine(io.stdout, `finemem ablate · ${seeds} seeds · ${config.train.updates} updates per run`);
  for (const result of results.settings)
    writeLine(
      io.stdout,
      `${result.setting.label.padEnd(34)} ${result.score.mean?.toFixed(3) ?? "—"} ± ${result.score.sd?.toFixed(3) ?? "—"}   memory ${result.memoryTokens.mean?.toFixed(1) ?? "—"} tokens`,
    );
  writeLine(io.stdout);
  writeLine(io.stdout, `results: ${join(folder, ABLATION_FILES.markdown)}`);
  if (options.writeResults !== undefined) writeLine(io.stdout, `results: ${resolve(io.cwd, options.writeResults)}`);
  writeLine(io.stdout, `report: ${join(folder, ABLATION_FILES.report)}`);
  return { plan, results, folder };
}

/** What every setting shares beside r_format, as the results state it. */
function sharedSettings(config: FineMemConfig): string {
  const trainer = Object.entries(config.train.trainer)
    .map(([key, value]) => `${key} ${value}`)
    .join(", ");
  return [
    `r_format in every step`,
    `w_comp ${config.rewards.compression}`,
    `evidence ${config.rewards.evidence}`,
    `provenance ${config.rewards.provenance}`,
    `questionFraction ${config.rewards.questionFraction}`,
    `reader ${config.reasoner.kind}`,
    `trainer ${trainer === "" ? "defaults" : trainer}`,
  ].join("; ");
}

/**
 * `finemem report <ablation folder>`: writes its report.html again from `ablation.json`.
 *
 * @throws {RunDirectoryError} `invalid_json` or `invalid_content` (another format version: run the
 *   `finemem ablate` command again with this finemem, which reuses the finished runs)
 */
export async function writeAblationReport(folder: string): Promise<string> {
  const file = join(folder, ABLATION_FILES.results);
  let parsed: { formatVersion?: unknown; record?: AblationRecord; results?: AblationResults };
  try {
    parsed = JSON.parse(await readFile(file, "utf8")) as typeof parsed;
  } catch (cause) {
    throw new RunDirectoryError("invalid_json", file, null, `not readable JSON: ${(cause as Error).message}`, cause);
  }
  if (parsed.formatVersion !== ABLATION_FORMAT_VERSION || parsed.record === undefined || parsed.results === undefined)
    throw new RunDirectoryError(
      "invalid_content",
      file,
      null,
      `format version ${JSON.stringify(parsed.formatVersion)}, this finemem reads ${ABLATION_FORMAT_VERSION}: run the finemem ablate command again (it reuses the finished runs and rewrites the file)`,
    );
  const target = join(folder, ABLATION_FILES.report);
  await writeAtomically(target, renderAblationHtml(parsed.results, parsed.record));
  return target;
}

/** Whether `folder` is an ablation's folder (it holds `ablation.json`). */
export function isAblationFolder(folder: string): boolean {
  return existsSync(join(folder, ABLATION_FILES.results));
}
