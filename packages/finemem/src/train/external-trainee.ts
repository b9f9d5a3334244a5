import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { AdvantageGrouping, JsonValue, MemoryPolicy, Validator } from "@finemem/spec";
import { createExternalTrainer, type ExportFormat } from "@finemem/trainer";
import type { TraineeFactory } from "./trainee.js";

export interface ExternalTraineeOptions {
  /** The policy of one rollout (an LLM policy sampling with the seed, recording token ids and log-probs). */
  readonly sample: (seed: string) => MemoryPolicy;
  /** The policy held-out evaluation runs; default `sample("evaluation")`. */
  readonly evaluation?: (() => MemoryPolicy) | undefined;
  readonly replayValidator?: Validator<JsonValue> | undefined;
  /** Where each update's samples go (`samples-<update>.jsonl` / `.parquet`). */
  readonly directory: string;
  readonly formats?: readonly ExportFormat[] | undefined;
  /** Default `pooled`, verl's (and Mem-α's) grouping. */
  readonly grouping?: AdvantageGrouping | undefined;
  /** What the policy is, recorded in checkpoints (e.g. its model id). */
  readonly description?: JsonValue | undefined;
}

/**
 * A policy trained elsewhere: every update's rollout groups, with their per-step rewards and GRPO
 * advantages, are exported for an engine that owns the model (verl). Nothing is trained here and no
 * trainer state is checkpointed; a resumed run removes the exports of updates after its checkpoint,
 * so they are written again exactly once.
 */
export function createExternalTrainee(options: ExternalTraineeOptions): TraineeFactory {
  return async (start) => {
    for (const name of await listed(options.directory)) {
      const match = /^samples-(\d+)\.(jsonl|parquet)$/.exec(name);
      if (match !== null && Number(match[1]) > start.update) await rm(join(options.directory, name), { force: true });
    }
    const grouping = options.grouping ?? "pooled";
    const trainer = await createExternalTrainer({
      directory: options.directory,
      ...(options.formats === undefined ? {} : { formats: options.formats }),
    });
    return {
      sample: options.sample,
      evaluation: options.evaluation ?? (() => options.sample("evaluation")),
      replayValidator: options.replayValidator,
      trainer,
      grouping,
      description: options.description ?? { kind: "external" },
    };
  };
}

async function listed(directory: string): Promise<string[]> {
  try {
    return await readdir(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}
