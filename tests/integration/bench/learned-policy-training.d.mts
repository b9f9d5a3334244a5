// Types of learned-policy-training.mjs, for the integration tests that import it.

import type { SyntheticOptionsInput } from "@finemem/benchmarks";
import type { LearnedPolicy, LearnedPolicyOptions } from "@finemem/learned-policy";
import type { BenchmarkInstance } from "@finemem/spec";
import type { LocalTrainerConfig } from "@finemem/trainer";
import type { EpisodeRewardOptions, TrainingRun, UpdateLine } from "finemem";

export interface TrainingConfig {
  readonly updates: number;
  readonly instancesPerUpdate: number;
  readonly rollouts: number;
  readonly data: SyntheticOptionsInput;
  readonly alternateData?: SyntheticOptionsInput | undefined;
  readonly rewards: EpisodeRewardOptions;
  readonly trainer: Partial<LocalTrainerConfig>;
  readonly policy: Omit<LearnedPolicyOptions, "backend" | "sampling">;
}

export declare const DEFAULT_TRAINING: TrainingConfig;
export declare function trainingInstances(seed: string, update: number, config?: TrainingConfig): BenchmarkInstance[];
export declare function trainLearnedPolicy(options: {
  seed: string;
  config?: TrainingConfig;
  runDir?: string;
  checkpointEvery?: number;
  signal?: AbortSignal;
  onUpdate?: (line: UpdateLine) => void;
}): Promise<{ policy: LearnedPolicy; run: TrainingRun; runDir: string }>;
export declare function evaluatePolicy(
  policy: import("@finemem/spec").MemoryPolicy,
  instances: readonly BenchmarkInstance[],
  options?: { readerTopK?: number },
): Promise<{ score: number; memoryTokens: number; questions: number }>;
