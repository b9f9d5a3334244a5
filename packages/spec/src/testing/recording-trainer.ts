import { type CallOptions, SPECIFICATION_VERSION } from "../call-options.js";
import { throwIfAborted } from "../errors.js";
import {
  type TrainerBackend,
  type TrainerMetrics,
  type TrainerUpdateRequest,
  trainerUpdateRequestValidator,
} from "../trainer.js";

export interface RecordingTrainer extends TrainerBackend {
  /** Every validated update request, in order. */
  readonly updates: readonly TrainerUpdateRequest[];
}

/**
 * A {@link TrainerBackend} that validates and records each update and reports honest counts (sample
 * count, mean reward) without training anything.
 */
export function createRecordingTrainer(): RecordingTrainer {
  const updates: TrainerUpdateRequest[] = [];
  return {
    specificationVersion: SPECIFICATION_VERSION,
    backendId: "recording-trainer",
    updates,
    async update(request: TrainerUpdateRequest, callOptions?: CallOptions): Promise<TrainerMetrics> {
      throwIfAborted(callOptions?.signal);
      const checked = trainerUpdateRequestValidator.parse(request);
      updates.push(checked);
      const rewards = checked.groups.flatMap((group) =>
        group.rollouts.flatMap((rollout) => rollout.samples.map((sample) => sample.reward)),
      );
      return {
        updateStep: updates.length,
        samples: rewards.length,
        meanReward: rewards.reduce((total, reward) => total + reward, 0) / rewards.length,
        extra: {},
      };
    },
  };
}
