// From the runs of an ablation to its findings: per setting, the held-out score and memory tokens as
// mean ± sd over seeds (each seed's figure averaged over the held-out sets first), the baselines, the
// learning curves, the six paired comparisons with Holm-corrected exact sign-flip p-values and mean
// differences with t intervals, and the sweep. Pure: the command reads the runs, this computes.
import { meanOf } from "../report/step-means.js";
import type { BaselineLine, EvaluationLine, HeldoutResult } from "../train/train-files.js";
import type { AblationPlan, RewardSetting } from "./ablation-plan.js";
import { ablationRunId, SWEEP } from "./ablation-plan.js";
import { holmAdjust, type MeanDifference, meanDifference, sampleSd, signFlipTest } from "./paired-statistics.js";

/** What the study needs of a finished training run. */
export interface AblationRunResult {
  readonly evaluations: readonly EvaluationLine[];
  readonly baselines: readonly BaselineLine[];
}

export interface Spread {
  readonly mean: number | null;
  readonly sd: number | null;
  /** The per-seed values, seed 1 first (null: the seed had no scored question). */
  readonly values: readonly (number | null)[];
}

/** Held-out figures over seeds. */
export interface HeldoutSpread {
  /** The held-out score after the last update: the mean over the held-out sets, per seed. */
  readonly score: Spread;
  /** Final memory tokens, averaged over the held-out sets' episodes, per seed. */
  readonly memoryTokens: Spread;
  /** Each held-out set's and transfer set's score after the last update. */
  readonly sets: { readonly [set: string]: Spread };
}

export interface SettingResult extends HeldoutSpread {
  readonly setting: RewardSetting;
  /** The held-out score (mean over seeds) at each evaluated update. */
  readonly curve: readonly { readonly update: number; readonly score: number | null }[];
}

export interface BaselineResult {
  readonly name: string;
  readonly score: number | null;
  readonly memoryTokens: number;
  readonly sets: { readonly [set: string]: number | null };
}

export interface PairComparison {
  /** `a − b`, per seed. */
  readonly a: string;
  readonly b: string;
  readonly difference: MeanDifference;
  readonly pValue: number;
  /** Holm-adjusted over the six pairs. */
  readonly holm: number;
}

export interface AblationResults {
  readonly seeds: number;
  /** The held-out sets averaged into the score, and the transfer sets reported beside them. */
  readonly heldoutSets: readonly string[];
  readonly transferSets: readonly string[];
  readonly updates: number;
  readonly settings: readonly SettingResult[];
  /** The untrained start (update 0, the same for every setting of a seed). */
  readonly untrained: HeldoutSpread;
  readonly baselines: readonly BaselineResult[];
  readonly pairs: readonly PairComparison[];
  readonly sweep: readonly SettingResult[] | undefined;
}

/** The six pairs, `a − b`: Fine-Mem against each other setting, then the single additions against the outcome reward and each other. */
export const ABLATION_PAIRS: readonly (readonly [string, string])[] = [
  ["both", "outcome"],
  ["both", "chunk"],
  ["both", "attribution"],
  ["chunk", "outcome"],
  ["attribution", "outcome"],
  ["chunk", "attribution"],
];

/** The sets a held-out result covers, averaged: the score over sets that have one, tokens over all. */
function averageOver(result: HeldoutResult, sets: readonly string[]): { score: number | null; memoryTokens: number } {
  const parts = sets.map((set) => result.sets?.[set]);
  const score = meanOf(parts.map((part) => part?.score));
  const episodes = parts.reduce((sum, part) => sum + (part?.episodes ?? 0), 0);
  const tokens = parts.reduce((sum, part) => sum + (part === undefined ? 0 : part.memoryTokens * part.episodes), 0);
  return {
    score,
    memoryTokens: episodes === 0 ? 0 : tokens / episodes,
  };
}

function spreadOf(values: readonly (number | null)[]): Spread {
  const present = values.filter((value): value is number => value !== null);
  if (present.length === 0) return { mean: null, sd: null, values };
  return { mean: meanOf(present), sd: sampleSd(present), values };
}

export interface CollectOptions {
  /** Held-out sets reported beside the score, not in it (e.g. the MemoryAgentBench sample). */
  readonly transferSets?: readonly string[];
}

/**
 * The study's results from its finished runs (keyed by run id). Throws when a run the plan names is
 * missing or has no evaluation: the command runs them all first.
 */
export function collectAblation(
  plan: AblationPlan,
  runs: ReadonlyMap<string, AblationRunResult>,
  options: CollectOptions = {},
): AblationResults {
  const runOf = (setting: Pick<RewardSetting, "beta" | "chunk">, seed: number): AblationRunResult => {
    const id = ablationRunId(setting, seed);
    const run = runs.get(id);
    if (run === undefined || run.evaluations.length === 0) throw new Error(`the ablation's run ${id} has not finished`);
    return run;
  };
  const first = runOf(plan.settings[0]!, 1);
  const allSets = Object.keys(first.evaluations[0]!.sets ?? {});
  const transferSets = allSets.filter((set) => options.transferSets?.includes(set) === true);
  const heldoutSets = allSets.filter((set) => !transferSets.includes(set));
  const seedList = (count: number) => Array.from({ length: count }, (_, index) => index + 1);

  const resultOf = (setting: RewardSetting, seeds: readonly number[], at: "last" | "first"): SettingResult => {
    const lines = seeds.map((seed) => {
      const evaluations = runOf(setting, seed).evaluations;
      return at === "last" ? evaluations.at(-1)! : evaluations[0]!;
    });
    const averaged = lines.map((line) => averageOver(line, heldoutSets));
    const curveUpdates = at === "last" ? runOf(setting, seeds[0]!).evaluations.map((line) => line.update) : [0];
    return {
      setting,
      score: spreadOf(averaged.map((entry) => entry.score)),
      memoryTokens: spreadOf(averaged.map((entry) => entry.memoryTokens)),
      sets: Object.fromEntries(
        allSets.map((set) => [set, spreadOf(lines.map((line) => line.sets?.[set]?.score ?? null))]),
      ),
      curve: curveUpdates.map((update) => ({
        update,
        score: spreadOf(
          seeds.map((seed) => {
            const line = runOf(setting, seed).evaluations.find((evaluation) => evaluation.update === update);
            return line === undefined ? null : averageOver(line, heldoutSets).score;
          }),
        ).mean,
      })),
    };
  };

  const seeds = seedList(plan.seeds);
  const settings = plan.settings.map((setting) => resultOf(setting, seeds, "last"));
  const { score, memoryTokens, sets } = resultOf(plan.settings[0]!, seeds, "first");
  const untrained: HeldoutSpread = { score, memoryTokens, sets };
  const byName = new Map(settings.map((result) => [result.setting.name, result]));
  const raw = ABLATION_PAIRS.map(([a, b]) => {
    const left = byName.get(a)!.score.values;
    const right = byName.get(b)!.score.values;
    // A seed where either side has no score drops out of that pair.
    const differences = left.flatMap((value, index) =>
      value === null || right[index] === null ? [] : [value - right[index]!],
    );
    return { a, b, differences };
  });
  const pValues = raw.map((pair) => (pair.differences.length === 0 ? 1 : signFlipTest(pair.differences).pValue));
  const adjusted = holmAdjust(pValues);
  const pairs = raw.map((pair, index) => ({
    a: pair.a,
    b: pair.b,
    difference: meanDifference(pair.differences.length === 0 ? [0] : pair.differences),
    pValue: pValues[index]!,
    holm: adjusted[index]!,
  }));
  const baselines = first.baselines.map((line) => {
    const averaged = averageOver(line, heldoutSets);
    return {
      name: line.name,
      score: averaged.score,
      memoryTokens: averaged.memoryTokens,
      sets: Object.fromEntries(allSets.map((set) => [set, line.sets?.[set]?.score ?? null])),
    };
  });
  return {
    seeds: plan.seeds,
    heldoutSets,
    transferSets,
    updates: first.evaluations.at(-1)!.update,
    settings,
    untrained,
    baselines,
    pairs,
    sweep: plan.sweep?.map((setting) => resultOf(setting, seedList(SWEEP.seeds), "last")),
  };
}
