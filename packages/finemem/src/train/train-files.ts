import type { StepRecord } from "@finemem/spec";
import { STEP_COMPONENTS, type StepComponent } from "../report/step-means.js";

/** The files of a training run folder. */
export const TRAIN_FILES = Object.freeze({
  manifest: "manifest.json",
  /** One line per update: every trainer metric and the mean of every reward component. */
  updates: "updates.jsonl",
  /** Every step of every rollout, with every reward component and its update. */
  steps: "steps.jsonl",
  /** One line per held-out evaluation (update 0 is the untrained start). */
  evaluations: "evaluations.jsonl",
  /** The baselines' held-out results, evaluated once at the start. */
  baselines: "baselines.jsonl",
  /** `update-<n>/` folders: `checkpoint.json` and `trainer.safetensors`. */
  checkpoints: "checkpoints",
  /** Per-rollout episode journals of the updates after the last checkpoint (a killed run replays them). */
  journal: "journal",
  report: "report.html",
});

/**
 * Fields that record wall time, throughput or dates: the only ones a resumed run may write
 * differently from an uninterrupted one (`createdAt` in the manifest, the rest in `updates.jsonl`).
 */
export const TRAIN_VOLATILE_FIELDS = Object.freeze(["createdAt", "wallSeconds", "rolloutsPerSecond"] as const);

/** The reward components averaged per update: every component of a step, the total last (as the eval report's per-step means). */
export const UPDATE_REWARD_COMPONENTS: readonly StepComponent[] = STEP_COMPONENTS;
export type UpdateRewardComponent = StepComponent;

/** `updates.jsonl`. */
export interface UpdateLine {
  /** 1-based. */
  readonly update: number;
  readonly instances: readonly string[];
  /** Rollouts run (instances × G). */
  readonly rollouts: number;
  /** Training samples (steps) the trainer saw. */
  readonly samples: number;
  readonly meanReward: number;
  readonly loss: number | null;
  readonly klDivergence: number | null;
  /** Every other figure the trainer reported (clip fractions, grad norm, entropy, advantage mean and std, …). */
  readonly metrics: { readonly [name: string]: number };
  /** Mean of each reward component over the update's steps (null: not computed in any step). */
  readonly rewards: { readonly [component in UpdateRewardComponent]: number | null };
  /** Volatile (see {@link TRAIN_VOLATILE_FIELDS}). */
  readonly wallSeconds: number;
  readonly rolloutsPerSecond: number;
}

/** `steps.jsonl`: a step record and the update whose rollouts it belongs to. */
export type TrainStepLine = { readonly update: number } & StepRecord;

/** A held-out result: the evaluation's average over data sources, as `finemem eval` prints it. */
export interface HeldoutResult {
  /** Mean over data sources of the per-source mean (each the mean of per-instance means); null with no question. */
  readonly score: number | null;
  readonly dataSources: { readonly [dataSource: string]: number | null };
  /** Mean final memory tokens over the episodes. */
  readonly memoryTokens: number;
  readonly episodes: number;
  readonly questions: number;
  /** Each named held-out set's result (`TrainHeldout.setOf`; `finemem train` names one per held-out dataset). */
  readonly sets?: { readonly [set: string]: HeldoutSetResult } | undefined;
}

/** One held-out set's part of a {@link HeldoutResult}. */
export interface HeldoutSetResult {
  /** Mean over the set's episodes of r_global (the mean score of the episode's questions); null with no question. */
  readonly score: number | null;
  /** Mean final memory tokens over the set's episodes. */
  readonly memoryTokens: number;
  readonly episodes: number;
}

/** `evaluations.jsonl`. */
export type EvaluationLine = { readonly update: number; readonly policyId: string } & HeldoutResult;

/** `baselines.jsonl`. */
export type BaselineLine = { readonly name: string; readonly policyId: string } & HeldoutResult;
