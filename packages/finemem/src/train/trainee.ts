import type { AdvantageGrouping, JsonValue, MemoryPolicy, TrainerBackend, Validator } from "@finemem/spec";

/**
 * What `train` trains: a policy that samples rollouts and decides greedily for held-out evaluation,
 * the trainer that updates it, and how it is checkpointed. `createLearnedTrainee` (the learned policy
 * on the local trainer) and `createExternalTrainee` (any policy, samples exported for an engine such
 * as verl) build one; a researcher can write their own.
 */
export interface Trainee {
  /** The policy of one rollout, sampling with `seed` (`<run seed>/update-<k>/<instance id>/rollout-<r>`). */
  sample(seed: string): MemoryPolicy;
  /** The policy held-out evaluation runs (deterministic: greedy). */
  evaluation(): MemoryPolicy;
  /** The policy's replay-payload validator, for decision policies (see `toRolloutGroup`). */
  readonly replayValidator?: Validator<JsonValue> | undefined;
  readonly trainer: TrainerBackend;
  /** How the trainer groups advantages; every update request carries it. */
  readonly grouping: AdvantageGrouping;
  /** What the policy is, recorded in every checkpoint (e.g. `{ kind: "learned", config }`). */
  readonly description: JsonValue;
  /** The trainer's state to checkpoint; absent when the trainer keeps none here (an external engine). */
  state?(): Promise<Uint8Array>;
  dispose?(): void | Promise<void>;
}

/** Where a trainee starts: fresh, or from the state a checkpoint holds. */
export interface TraineeStart {
  /** Updates done (0: fresh). */
  readonly update: number;
  /** The checkpoint's trainer state; absent when fresh or when the trainee keeps none. */
  readonly state: Uint8Array | undefined;
}

/** Builds the trainee at a start; `train` calls it once, after finding the run folder's latest checkpoint. */
export type TraineeFactory = (start: TraineeStart) => Promise<Trainee>;
