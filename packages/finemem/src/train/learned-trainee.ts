import type { KernelBackend } from "@finemem/kernels";
import { createLearnedPolicy, type LearnedPolicyOptions } from "@finemem/learned-policy";
import type { JsonValue } from "@finemem/spec";
import {
  createLocalTrainer,
  decodeTrainerCheckpoint,
  encodeTrainerCheckpoint,
  type LocalTrainerConfig,
} from "@finemem/trainer";
import type { TraineeFactory } from "./trainee.js";

export interface LearnedTraineeOptions {
  /** The new policy's options (ignored when resuming: the checkpoint records its own). */
  readonly policy?: Omit<LearnedPolicyOptions, "backend" | "sampling"> | undefined;
  /** The local trainer's hyperparameters (defaults: `LOCAL_TRAINER_DEFAULTS`). */
  readonly trainer?: Partial<LocalTrainerConfig> | undefined;
  /** Seed of the trainer's draws (minibatch shuffles). */
  readonly seed: string;
  /** Where the parameters live (e.g. a WebGPU backend); default a CPU backend per policy. */
  readonly backend?: KernelBackend | undefined;
}

/**
 * The learned policy (@finemem/learned-policy) on the local GRPO trainer (@finemem/trainer): its
 * checkpoints are the trainer's safetensors, and a resumed trainee continues bit-identically.
 */
export function createLearnedTrainee(options: LearnedTraineeOptions): TraineeFactory {
  return async (start) => {
    const checkpoint = start.state === undefined ? undefined : decodeTrainerCheckpoint(start.state);
    const recorded = (checkpoint?.policy ?? undefined) as LearnedPolicyOptions | undefined;
    const policy = await createLearnedPolicy({
      ...(recorded ?? options.policy ?? {}),
      ...(checkpoint === undefined ? {} : { parameters: checkpoint.state.parameters }),
      ...(options.backend === undefined ? {} : { backend: options.backend }),
    });
    const trainer = await createLocalTrainer({
      policy,
      seed: options.seed,
      ...(options.trainer === undefined ? {} : { config: options.trainer }),
      ...(checkpoint === undefined ? {} : { resumeFrom: checkpoint.state }),
    });
    const description = policy.config as unknown as JsonValue;
    return {
      sample: (seed) => policy.withSampling(seed),
      evaluation: () => policy.greedy(),
      replayValidator: policy.replayValidator,
      trainer,
      grouping: trainer.config.grouping,
      description: { kind: "learned", config: description },
      state: async () => encodeTrainerCheckpoint({ state: await trainer.state(), policy: description }),
      dispose: () => {
        trainer.dispose();
        policy.dispose();
      },
    };
  };
}
