import { createInMemoryStore, type MemoryBackend } from "@finemem/memory";
import type { MemoryPolicy } from "@finemem/spec";
import { positiveInteger } from "@finemem/utils";
import { invalidRunOption } from "../run/run-error.js";
import type { EpisodeCheckpoint } from "./episode-checkpoint.js";
import { type EpisodeResult, type RunEpisodeOptions, runEpisode } from "./run-episode.js";

export interface RunRolloutsOptions extends Omit<RunEpisodeOptions, "store" | "rollout" | "policy" | "checkpoint"> {
  /** G, the rollouts of the instance (GRPO's group). */
  readonly rollouts: number;
  /** The state every rollout starts from; each rollout writes to its own fork. Default: an empty in-memory store. */
  readonly store?: MemoryBackend;
  /** The policy, or one per rollout (e.g. an LLM policy whose sampling seed is the rollout's). */
  readonly policy: MemoryPolicy | ((rollout: number) => MemoryPolicy);
  readonly checkpointFor?: (rollout: number) => EpisodeCheckpoint;
}

/**
 * G rollouts of one instance from one state: each runs on a copy-on-write fork of `store`, so they
 * share the starting memory and never see each other's writes. Rollouts run one after another; a
 * served policy batches within a step through its own concurrency.
 */
export async function runRollouts(options: RunRolloutsOptions): Promise<EpisodeResult[]> {
  const rollouts = positiveInteger("rollouts", options.rollouts, invalidRunOption);
  const policyFor = typeof options.policy === "function" ? options.policy : () => options.policy as MemoryPolicy;
  const base = options.store ?? createInMemoryStore({ layout: policyFor(0).layout });
  const results: EpisodeResult[] = [];
  for (let rollout = 0; rollout < rollouts; rollout++) {
    const store = await base.fork(options.signal === undefined ? {} : { signal: options.signal });
    const checkpoint = options.checkpointFor?.(rollout);
    results.push(
      await runEpisode({
        ...options,
        store,
        rollout,
        policy: policyFor(rollout),
        ...(checkpoint === undefined ? {} : { checkpoint }),
      }),
    );
  }
  return results;
}
