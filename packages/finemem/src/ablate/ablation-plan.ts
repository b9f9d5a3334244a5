// What `finemem ablate` runs: one `finemem train` configuration per reward setting and seed, each the
// base configuration with only the reward weights β and w_chunk changed (and the run's seed and id,
// which name the replicate and its folder). The settings of one seed share the initial parameters
// and the training draws, so every comparison is paired.
import { join } from "node:path";
import { defaultRunId } from "../config/build-components.js";
import type { FineMemConfig } from "../config/config-schema.js";
import { ConfigError } from "../config/load-config.js";

/** One reward setting of the ablation or the sweep. */
export interface RewardSetting {
  /** `outcome`, `chunk`, `attribution`, `both`; a sweep point is `beta-<β>` or `chunk-<w>`. */
  readonly name: string;
  readonly label: string;
  /** β of r_EARA (0: r_global spread uniformly over the steps). */
  readonly beta: number;
  /** w_chunk (0: no chunk-level step reward). */
  readonly chunk: number;
}

/** The paper's ablation (FINEMEM.md §4: average score / memory length), in the order of the four settings. */
export const PAPER_ABLATION: Readonly<Record<string, { readonly score: number; readonly memory: string }>> =
  Object.freeze({
    outcome: { score: 0.627, memory: "92.4K" },
    chunk: { score: 0.639, memory: "86.2K" },
    attribution: { score: 0.622, memory: "60.7K" },
    both: { score: 0.663, memory: "79.1K" },
  });

/** The sensitivity sweep: one knob at a time around Fine-Mem's setting (β 0.5, w_chunk 0.5), 3 seeds. */
export const SWEEP = Object.freeze({
  betas: Object.freeze([0, 0.25, 0.5, 0.75, 1]),
  chunks: Object.freeze([0, 0.25, 0.5, 1]),
  /** β of the w_chunk points and w_chunk of the β points. */
  centre: Object.freeze({ beta: 0.5, chunk: 0.5 }),
  seeds: 3,
});

/**
 * The four settings. r_format and r_comp (with the configured w_comp) are in all four; "on" is the
 * configured β and w_chunk (default 0.5 each), "off" is 0.
 */
export function ablationSettings(config: FineMemConfig): RewardSetting[] {
  const { beta, chunk } = config.rewards;
  if (beta === 0) throw new ConfigError("rewards.beta", "a β above 0: the attribution settings use it", "0", "config");
  if (chunk === 0)
    throw new ConfigError("rewards.chunk", "a w_chunk above 0: the chunk-reward settings use it", "0", "config");
  return [
    { name: "outcome", label: "outcome only", beta: 0, chunk: 0 },
    { name: "chunk", label: "+ chunk-level step reward", beta: 0, chunk },
    { name: "attribution", label: "+ evidence-anchored attribution", beta, chunk: 0 },
    { name: "both", label: "both (Fine-Mem)", beta, chunk },
  ];
}

/** The sweep's points: β at the centre's w_chunk, then w_chunk at the centre's β. */
export function sweepSettings(): RewardSetting[] {
  return [
    ...SWEEP.betas.map((beta) => ({ name: `beta-${beta}`, label: `β ${beta}`, beta, chunk: SWEEP.centre.chunk })),
    ...SWEEP.chunks.map((chunk) => ({
      name: `chunk-${chunk}`,
      label: `w_chunk ${chunk}`,
      beta: SWEEP.centre.beta,
      chunk,
    })),
  ];
}

/** One training run: a reward setting's replicate `seed` (1-based). */
export interface AblationRun {
  /** The run folder's name under `<ablation folder>/runs/`: `beta-<β>-chunk-<w>-seed-<k>`. */
  readonly id: string;
  readonly beta: number;
  readonly chunk: number;
  readonly seed: number;
  /** The `finemem train` configuration. */
  readonly config: FineMemConfig;
}

export interface AblationPlan {
  /** `<run.out>/<ablation id>`. */
  readonly folder: string;
  readonly id: string;
  readonly seeds: number;
  readonly settings: readonly RewardSetting[];
  /** The sweep's points, when asked for (run on seeds 1 to SWEEP.seeds). */
  readonly sweep: readonly RewardSetting[] | undefined;
  /** Every run, once: a sweep point that is also an ablation setting reuses its runs. */
  readonly runs: readonly AblationRun[];
}

export interface AblationPlanOptions {
  readonly seeds: number;
  readonly sweep: boolean;
}

/** The run id of a setting's replicate. */
export function ablationRunId(setting: Pick<RewardSetting, "beta" | "chunk">, seed: number): string {
  return `beta-${setting.beta}-chunk-${setting.chunk}-seed-${seed}`;
}

/**
 * The runs of the study. The ablation's id is derived from the base configuration (so the same command
 * resumes, and adding seeds or the sweep reuses the runs already done); replicate k trains with seed
 * `<run.seed>-<k>`, which seeds the initial parameters, the training draws and the rollout sampling.
 */
export function planAblation(base: FineMemConfig, options: AblationPlanOptions): AblationPlan {
  const id = base.run.id ?? defaultRunId(base, "train").replace(/^train-/, "ablate-");
  const folder = join(base.run.out, id);
  const settings = ablationSettings(base);
  const sweep = options.sweep ? sweepSettings() : undefined;
  const runs = new Map<string, AblationRun>();
  const add = (setting: RewardSetting, seed: number) => {
    const runId = ablationRunId(setting, seed);
    if (runs.has(runId)) return;
    runs.set(runId, {
      id: runId,
      beta: setting.beta,
      chunk: setting.chunk,
      seed,
      config: {
        ...base,
        run: { ...base.run, seed: `${base.run.seed}-${seed}`, id: runId, out: join(folder, "runs") },
        rewards: { ...base.rewards, beta: setting.beta, chunk: setting.chunk },
      },
    });
  };
  for (let seed = 1; seed <= options.seeds; seed++) for (const setting of settings) add(setting, seed);
  for (const setting of sweep ?? []) for (let seed = 1; seed <= SWEEP.seeds; seed++) add(setting, seed);
  return { folder, id, seeds: options.seeds, settings, sweep, runs: [...runs.values()] };
}
