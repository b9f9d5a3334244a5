// The in-process training loop of the learned policy, shared by its benchmark, its feature ablation and
// the resume test: per update, fresh synthetic training instances (seeds of their own, never the
// evaluation files of ../shared), G sampled rollouts of each from an empty memory (finemem's
// runRollouts with training: true), their rollout groups (toRolloutGroup), one GRPO update of the
// local trainer. `finemem train` (issue #14) wraps the same steps with run folders and reports.
import { generateSyntheticBenchmark } from "@finemem/benchmarks";
import { createLearnedPolicy } from "@finemem/learned-policy";
import { createExtractiveReader } from "@finemem/policy";
import { createLocalTrainer } from "@finemem/trainer";
import { runEpisode, runRollouts, toRolloutGroup } from "finemem";

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
  /** Odd updates draw instances with these knobs (every fact changes, half the sentences distract). */
  alternateData: Object.freeze({ changedShare: 1, distractorShare: 0.5 }),
  rewards: Object.freeze({ evidence: "cited", questionFraction: 1, weights: Object.freeze({ compression: 0 }) }),
  trainer: Object.freeze({}),
  policy: Object.freeze({}),
});

/** The synthetic training instances of one update (their own seeds, disjoint from any evaluation seed). */
export function trainingInstances(seed, update, config = DEFAULT_TRAINING) {
  const knobs = {
    ...config.data,
    ...(config.alternateData !== undefined && update % 2 === 1 ? config.alternateData : {}),
  };
  return generateSyntheticBenchmark({
    seed: `train-${seed}-${update}`,
    instanceCount: config.instancesPerUpdate,
    ...knobs,
  });
}

/**
 * Trains from `policy` (default: a new learned policy initialised from `seed`) for updates
 * `trainer.updateStep + 1 … config.updates`. `resumeFrom` continues a checkpointed run.
 */
export async function trainLearnedPolicy({ seed, config = DEFAULT_TRAINING, policy, resumeFrom, stopAfter, onUpdate }) {
  const learned = policy ?? (await createLearnedPolicy({ initSeed: seed, ...config.policy }));
  const trainer = await createLocalTrainer({ policy: learned, seed, config: config.trainer, resumeFrom });
  const reasoner = createExtractiveReader();
  const last = stopAfter ?? config.updates;
  while (trainer.updateStep < last) {
    const update = trainer.updateStep;
    const groups = [];
    for (const instance of trainingInstances(seed, update, config)) {
      const episodes = await runRollouts({
        instance,
        rollouts: config.rollouts,
        policy: (rollout) => learned.withSampling(`${seed}/update-${update}/rollout-${rollout}`),
        reasoner,
        training: true,
        rewards: config.rewards,
      });
      groups.push(toRolloutGroup(episodes, { replayValidator: learned.replayValidator }));
    }
    const metrics = await trainer.update({ groups, grouping: trainer.config.grouping });
    onUpdate?.(metrics);
  }
  return { policy: learned, trainer };
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
