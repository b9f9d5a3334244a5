// A trainable policy small enough to reason about by hand: each decision picks one of three arms with
// softmax(logits); a step's replay lists the arms it picked. Stands in for a policy on the kernels in
// the trainer's unit tests (the learned policy is tested with the trainer in the integration tests).
import {
  createReferenceBackend,
  exp,
  gather,
  indices,
  type KernelBackend,
  logSoftmax,
  mul,
  type NamedTensors,
  neg,
  reshape,
  sum,
  tensor,
} from "@finemem/kernels";
import type { JsonValue, RolloutGroup, TrainingSample } from "@finemem/spec";
import { createSeededRandom } from "@finemem/utils";
import type { TrainablePolicy } from "../local/trainable-policy.js";

export interface BanditPolicy extends TrainablePolicy {
  readonly backend: KernelBackend;
  probabilities(): Promise<number[]>;
}

export function createBanditPolicy(initial: readonly number[] = [0, 0, 0]): BanditPolicy {
  const backend = createReferenceBackend();
  const parameters = { logits: tensor(backend, initial, [1, 3]) };
  return {
    backend,
    parameters,
    replayLogProbs(replays: readonly JsonValue[], override?: NamedTensors) {
      const logits = (override ?? parameters).logits!;
      const picks = replays.map((replay) => (replay as { arms: number[] }).arms);
      const longest = Math.max(1, ...picks.map((arms) => arms.length));
      const logProbs = reshape(logSoftmax(logits), [3]);
      const positions = picks.flatMap((arms) => Array.from({ length: longest }, (_, j) => arms[j] ?? 0));
      const mask = tensor(
        backend,
        picks.flatMap((arms) => Array.from({ length: longest }, (_, j) => (j < arms.length ? 1 : 0))),
        [picks.length, longest],
      );
      const ids = indices(backend, positions);
      const entropyOne = neg(sum(mul(exp(logProbs), logProbs)));
      return {
        logProbs: mul(reshape(gather(logProbs, ids), [picks.length, longest]), mask),
        entropy: mul(mask, reshape(entropyOne, [1])),
        mask,
        release: () => ids.dispose(),
      };
    },
    async probabilities() {
      const values = [...(await parameters.logits.read())];
      const max = Math.max(...values);
      const weights = values.map((value) => Math.exp(value - max));
      const total = weights.reduce((a, b) => a + b, 0);
      return weights.map((weight) => weight / total);
    },
  };
}

/**
 * G rollouts of T steps of one instance, each step picking `picksPerStep` arms by the policy's current
 * probabilities (seeded), rewarded `armRewards[arm]` per pick (averaged).
 */
export async function banditGroup(
  policy: BanditPolicy,
  options: {
    seed: string;
    instanceId?: string;
    rollouts?: number;
    steps?: number;
    picksPerStep?: number;
    armRewards?: number[];
  },
): Promise<RolloutGroup> {
  const { rollouts = 4, steps = 2, picksPerStep = 2, armRewards = [0, 0, 1] } = options;
  const instanceId = options.instanceId ?? "bandit";
  const probabilities = await policy.probabilities();
  const random = createSeededRandom(options.seed);
  return {
    instanceId,
    rollouts: Array.from({ length: rollouts }, (_, rollout) => ({
      rolloutId: `${instanceId}:r${rollout}`,
      rollout,
      seed: options.seed,
      samples: Array.from({ length: steps }, (_, index): TrainingSample => {
        const arms = Array.from({ length: picksPerStep }, () => {
          const u = random.next();
          let cumulative = 0;
          for (let arm = 0; arm < 3; arm++) {
            cumulative += probabilities[arm]!;
            if (u < cumulative) return arm;
          }
          return 2;
        });
        const decisionLogprobs = arms.map((arm) => Math.log(probabilities[arm]!));
        const reward = arms.reduce((total, arm) => total + armRewards[arm]!, 0) / arms.length;
        const sum = decisionLogprobs.reduce((a, b) => a + b, 0);
        return {
          instanceId,
          rollout,
          step: index + 1,
          dataSource: "bandit",
          reward,
          rewards: {
            format: null,
            chunk: reward,
            evidence: null,
            eara: null,
            compression: null,
            content: null,
            total: reward,
          },
          actionLogprob: { value: Math.min(0, sum), source: "decisions", count: arms.length },
          decisions: { replay: { arms }, decisionLogprobs },
        } as unknown as TrainingSample;
      }),
    })),
  };
}
