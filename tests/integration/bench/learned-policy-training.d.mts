// Types of learned-policy-training.mjs, for the integration tests that import it.

import type { SyntheticOptionsInput } from "@finemem/benchmarks";
import type { LearnedPolicy, LearnedPolicyOptions } from "@finemem/learned-policy";
import type { BenchmarkInstance, TrainerMetrics } from "@finemem/spec";
import type { LocalTrainer, LocalTrainerConfig, LocalTrainerState } from "@finemem/trainer";
import type { EpisodeRewardOptions } from "finemem";

export interface TrainingConfig {
  readonly updates: number;
  readonly instancesPerUpdate: number;
  readonly rollouts: number;
  readonly data: SyntheticOptionsInput;
  readonly alternateData?: SyntheticOptionsInput | undefined;
  readonly rewards: EpisodeRewardOptions;
  readonly trainer: Partial<LocalTrainerConfig>;
  readonly policy: LearnedPolicyOptions;
}

export declare const DEFAULT_TRAINING: TrainingConfig;
export declare function trainingInstances(seed: string, update: number, config?: TrainingConfig): BenchmarkInstance[];
export declare function trainLearnedPolicy(options: {
  seed: string;
  config?: TrainingConfig;
  policy?: LearnedPolicy;
  resumeFrom?: LocalTrainerState;
  stopAfter?: number;
  onUpdate?: (metrics: TrainerMetrics) => void;
}): Promise<{ policy: LearnedPolicy; trainer: LocalTrainer }>;
export declare function evaluatePolicy(
  policy: import("@finemem/spec").MemoryPolicy,
  instances: readonly BenchmarkInstance[],
  options?: { readerTopK?: number },
): Promise<{ score: number; memoryTokens: number; questions: number }>;
