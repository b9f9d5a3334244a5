import type { KernelBackend } from "@finemem/kernels";
import { createLearnedPolicy, type LearnedPolicy, type LearnedPolicyOptions } from "@finemem/learned-policy";
import { decodeTrainerCheckpoint } from "@finemem/trainer";
import { RunError } from "../run/run-error.js";
import {
  readTrainingCheckpoint,
  resolveCheckpointFolder,
  type TrainingCheckpointDescription,
} from "./training-checkpoint.js";

export interface LoadLearnedPolicyOptions {
  /** A checkpoint folder (`<run>/checkpoints/update-<n>`), or a training run folder (its latest checkpoint). */
  readonly checkpoint: string;
  /** Where the parameters live; default a new CPU backend. */
  readonly backend?: KernelBackend | undefined;
}

export interface LoadedLearnedPolicy {
  /** The trained policy, deciding greedily; its id names the run and the update (`learned:<run>@update-<n>`). */
  readonly policy: LearnedPolicy;
  /** The checkpoint folder it came from. */
  readonly folder: string;
  readonly description: TrainingCheckpointDescription;
}

/**
 * A learned policy from a `finemem train` checkpoint: for `finemem eval --policy learned --checkpoint`,
 * and as an agent's memory manager (`createMemoryManager({ policy })`, `createMemory({ policy })`).
 */
export async function loadLearnedPolicy(options: LoadLearnedPolicyOptions): Promise<LoadedLearnedPolicy> {
  const folder = await resolveCheckpointFolder(options.checkpoint);
  const checkpoint = await readTrainingCheckpoint(folder);
  const { description, trainerState } = checkpoint;
  const policyDescription = description.policy as { kind?: unknown; config?: unknown } | null;
  if (trainerState === undefined || policyDescription?.kind !== "learned")
    throw new RunError(
      "no_checkpoint",
      `${folder} is a checkpoint of a ${JSON.stringify(policyDescription?.kind ?? "policy")} trained elsewhere (no learned-policy parameters here): give a checkpoint of finemem train with the learned policy`,
      ["checkpoint", folder],
    );
  const state = decodeTrainerCheckpoint(trainerState).state;
  const policy = await createLearnedPolicy({
    ...(policyDescription.config as LearnedPolicyOptions),
    parameters: state.parameters,
    policyId: `learned:${description.runId}@update-${description.update}`,
    ...(options.backend === undefined ? {} : { backend: options.backend }),
  });
  return { policy, folder, description };
}
