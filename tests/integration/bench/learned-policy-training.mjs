// The learned policy's training for its benchmark, its feature ablation and the resume test: finemem's
// `train` (the loop `finemem train` runs) with the local trainer, on fresh synthetic training instances
// per update (seeds of their own, never the evaluation files of ../shared), G sampled rollouts of each
// from an empty memory, the extractive reader, and the default configuration below.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateSyntheticBenchmark } from "@finemem/benchmarks";
import { createExtractiveReader } from "@finemem/policy";
import { createLearnedTrainee, loadLearnedPolicy, runEpisode, train } from "finemem";

/**
 * The default configuration: what the benchmark trains with. Rewards are Fine-Mem's composition with
 * the evidence anchored on the items the extractive reader cites, and no compression term (see the
 * learned policy's README: with w_comp > 0 the policy learns to overwrite unrelated items, which the
 * compression term pays and no step's evidence charges).
 */
export const DEFAULT_TRAINING = Object.freeze({
  updates: 300,
  instancesPerUpdate: 2,
  rollouts: 4,
  /** Knobs of every training instance (the synthetic defaults). */
  data: Object.freeze({}),
  /** Even updates (1-based) draw instances with these knobs (every fact changes, half the sentences distract). */
  alternateData: Object.freeze({ changedShare: 1, distractorShare: 0.5 }),
  rewards: Object.freeze({ evidence: "cited", questionFraction: 1, weights: Object.freeze({ compression: 0 }) }),
  trainer: Object.freeze({}),
  policy: Object.freeze({}),
});

/** The synthetic training instances of update `update` (1-based; seeds of their own, disjoint from any evaluation seed). */
export function trainingInstances(seed, update, config = DEFAULT_TRAINING) {
  const knobs = {
    ...config.data,
    ...(config.alternateData !== undefined && update % 2 === 0 ? config.alternateData : {}),
  };
  return generateSyntheticBenchmark({
    seed: `train-${seed}-${update - 1}`,
    instanceCount: config.instancesPerUpdate,
    ...knobs,
  });
}

/**
 * Trains a learned policy initialised from `seed` for `config.updates` updates in the run folder
 * `runDir` (default: a new temporary folder; the same folder again resumes the run), and returns the
 * trained policy (greedy, from the final checkpoint) with the run.
 */
export async function trainLearnedPolicy({
  seed,
  config = DEFAULT_TRAINING,
  runDir,
  checkpointEvery,
  signal,
  onUpdate,
}) {
  const folder = runDir ?? join(await mkdtemp(join(tmpdir(), "learned-policy-")), "run");
  const run = await train({
    runId: `learned-policy-${seed}`,
    runDir: folder,
    seed,
    updates: config.updates,
    rollouts: config.rollouts,
    instances: (update) => trainingInstances(seed, update, config),
    trainee: createLearnedTrainee({ seed, policy: { initSeed: seed, ...config.policy }, trainer: config.trainer }),
    reasoner: createExtractiveReader(),
    rewards: config.rewards,
    ...(checkpointEvery === undefined ? {} : { checkpointEvery }),
    ...(signal === undefined ? {} : { signal }),
    ...(onUpdate === undefined ? {} : { progress: { onUpdate } }),
  });
  const { policy } = await loadLearnedPolicy({ checkpoint: folder });
  return { policy, run, runDir: folder };
}

/**
 * Greedy evaluation: the mean global-question score (the metric of each instance) and the mean final
 * memory tokens over `instances`, answered by the extractive reader (`readerTopK` items).
 */
export async function evaluatePolicy(policy, instances, { readerTopK } = {}) {
  const reasoner = createExtractiveReader(readerTopK === undefined ? {} : { topK: readerTopK });
  let score = 0;
  let questions = 0;
  let tokens = 0;
  for (const instance of instances) {
    const result = await runEpisode({ instance, policy, reasoner });
    for (const question of result.questions) {
      score += question.record.score;
      questions++;
    }
    tokens += result.memoryTokens;
  }
  return { score: questions === 0 ? 0 : score / questions, memoryTokens: tokens / instances.length, questions };
}
