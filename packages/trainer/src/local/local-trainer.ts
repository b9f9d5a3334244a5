import {
  AdamW,
  type AdamWState,
  clipGradNorm,
  expand,
  mul,
  type NamedTensors,
  type Tensor,
  tensor,
  tidy,
  valueAndGrad,
} from "@finemem/kernels";
import {
  type CallOptions,
  type JsonValue,
  SPECIFICATION_VERSION,
  type TrainerBackend,
  type TrainerMetrics,
  type TrainerUpdateRequest,
  type TrainingSample,
  throwIfAborted,
  trainerUpdateRequestValidator,
  ValidationError,
} from "@finemem/spec";
import { createSeededRandom, type RandomSource } from "@finemem/utils";
import { computeStepAdvantages } from "../advantages/step-advantages.js";
import { grpoLoss } from "../loss/grpo-loss.js";
import { TrainerError } from "../trainer-error.js";
import { type LocalTrainerConfig, resolveLocalTrainerConfig } from "./local-trainer-config.js";
import { rewardComponentMeans } from "./reward-means.js";
import type { TrainablePolicy } from "./trainable-policy.js";

export interface LocalTrainerOptions {
  readonly policy: TrainablePolicy;
  /** Seed of every random draw (minibatch shuffles). Default "0". */
  readonly seed?: string | number | undefined;
  readonly config?: Partial<LocalTrainerConfig> | undefined;
  /** Continue a run: the state a checkpoint holds (its parameters must be the policy's current ones). */
  readonly resumeFrom?: LocalTrainerState | undefined;
}

/** Everything a bit-identical resume needs, on the host. */
export interface LocalTrainerState {
  /** Updates done. */
  readonly updateStep: number;
  readonly seed: string;
  readonly config: LocalTrainerConfig;
  readonly parameters: Readonly<Record<string, Float32Array>>;
  readonly optimizer: AdamWState;
  /** The frozen reference's parameters, when the KL term is on. */
  readonly reference?: Readonly<Record<string, Float32Array>> | undefined;
}

/** The in-process backend: GRPO updates of a policy whose parameters live on the kernels. */
export interface LocalTrainer extends TrainerBackend {
  readonly config: LocalTrainerConfig;
  readonly seed: string;
  /** Updates done. */
  readonly updateStep: number;
  /** The state to checkpoint (parameters, optimiser moments, seed, update step). */
  state(): Promise<LocalTrainerState>;
  dispose(): void;
}

async function hostValues(tensors: NamedTensors): Promise<Record<string, Float32Array>> {
  const entries = await Promise.all(
    Object.entries(tensors).map(async ([name, value]) => [name, Float32Array.from(await value.read())] as const),
  );
  return Object.fromEntries(entries);
}

function copyOf(tensors: NamedTensors, values: Readonly<Record<string, ArrayLike<number>>>): Record<string, Tensor> {
  return Object.fromEntries(
    Object.entries(tensors).map(([name, like]) => [name, tensor(like.backend, values[name]!, like.shape)]),
  );
}

/** Creates the local backend (async: it reads the starting parameters for the KL reference). */
export async function createLocalTrainer(options: LocalTrainerOptions): Promise<LocalTrainer> {
  const { policy, resumeFrom } = options;
  const config = resolveLocalTrainerConfig(resumeFrom?.config ?? options.config ?? {});
  const seed = resumeFrom?.seed ?? String(options.seed ?? "0");
  const parameters = policy.parameters;
  const names = Object.keys(parameters);
  if (names.length === 0)
    throw new TrainerError("invalid_option", "the policy has no parameters", { path: ["policy"] });
  const current = await hostValues(parameters);
  const optimizer = new AdamW({
    learningRate: config.learningRate,
    weightDecay: config.weightDecay,
    beta1: config.beta1,
    beta2: config.beta2,
  });
  let updateStep = 0;
  if (resumeFrom !== undefined) {
    checkResumeParameters(current, resumeFrom);
    optimizer.restore(resumeFrom.optimizer, parameters);
    updateStep = resumeFrom.updateStep;
  }
  // The frozen reference of the KL term: the parameters the run started from.
  const reference =
    config.klCoefficient > 0
      ? copyOf(parameters, resumeFrom?.reference ?? resumeFrom?.parameters ?? current)
      : undefined;
  const referenceValues = reference === undefined ? undefined : (resumeFrom?.reference ?? current);

  const trainer: LocalTrainer = {
    specificationVersion: SPECIFICATION_VERSION,
    backendId: "local",
    config,
    seed,
    get updateStep() {
      return updateStep;
    },
    async update(request: TrainerUpdateRequest, callOptions?: CallOptions): Promise<TrainerMetrics> {
      throwIfAborted(callOptions?.signal);
      const checked = checkRequest(request);
      if (checked.grouping !== config.grouping) {
        throw new TrainerError(
          "invalid_request",
          `the request groups advantages "${checked.grouping}", this trainer was configured with "${config.grouping}": build requests with the trainer's grouping`,
          { path: ["grouping"] },
        );
      }
      const samples = checked.groups.flatMap((group) => group.rollouts.flatMap((rollout) => rollout.samples));
      const replays = samples.map((sample, index) => replayOf(sample, index, policy));
      const advantages = await computeStepAdvantages(checked.groups, {
        grouping: config.grouping,
        normalizeByStd: config.normalizeByStd,
        epsilon: config.epsilon,
      });
      const random = createSeededRandom(`${seed}/update-${updateStep + 1}`);
      const sums = new Map<string, number>();
      let minibatchCount = 0;
      const trainable = samples
        .map((_, index) => index)
        .filter((index) => samples[index]!.decisions!.decisionLogprobs.length > 0);
      for (let epoch = 0; epoch < config.epochs; epoch++) {
        const order = shuffled(trainable, random);
        for (const batch of split(order, config.minibatches)) {
          throwIfAborted(callOptions?.signal);
          if (batch.length === 0) continue;
          const figures = await minibatchStep(
            batch.map((index) => ({
              replay: replays[index]!,
              sample: samples[index]!,
              advantage: advantages[index]!.advantage,
            })),
          );
          for (const [name, value] of Object.entries(figures)) sums.set(name, (sums.get(name) ?? 0) + value);
          minibatchCount++;
        }
      }
      updateStep++;
      const mean = (name: string) => (minibatchCount === 0 ? 0 : (sums.get(name) ?? 0) / minibatchCount);
      const advantageValues = advantages.map((entry) => entry.advantage);
      const advantageMean = advantageValues.reduce((a, b) => a + b, 0) / Math.max(1, advantageValues.length);
      const advantageStd = Math.sqrt(
        advantageValues.reduce((a, b) => a + (b - advantageMean) ** 2, 0) / Math.max(1, advantageValues.length),
      );
      const extra: Record<string, number> = {
        pgLoss: mean("pgLoss"),
        pgClipFraction: mean("pgClipFraction"),
        pgClipFractionLower: mean("pgClipFractionLower"),
        ppoKl: mean("ppoKl"),
        entropy: mean("entropy"),
        gradNorm: mean("gradNorm"),
        advantageMean,
        advantageStd,
        minibatches: minibatchCount,
        decisions: trainable.reduce((count, index) => count + samples[index]!.decisions!.decisionLogprobs.length, 0),
        ...rewardComponentMeans(samples),
      };
      return {
        updateStep,
        samples: samples.length,
        meanReward: samples.reduce((total, sample) => total + sample.reward, 0) / samples.length,
        loss: mean("loss"),
        ...(config.klCoefficient > 0 ? { klDivergence: mean("kl") } : {}),
        extra,
      };
    },
    async state(): Promise<LocalTrainerState> {
      return {
        updateStep,
        seed,
        config,
        parameters: await hostValues(parameters),
        optimizer: await optimizer.state(),
        ...(referenceValues === undefined ? {} : { reference: { ...referenceValues } }),
      };
    },
    dispose() {
      optimizer.dispose();
      if (reference !== undefined) for (const value of Object.values(reference)) value.dispose();
    },
  };

  async function minibatchStep(
    batch: readonly { readonly replay: JsonValue; readonly sample: TrainingSample; readonly advantage: number }[],
  ): Promise<Record<string, number>> {
    const backend = Object.values(parameters)[0]!.backend;
    const longest = Math.max(...batch.map((entry) => entry.sample.decisions!.decisionLogprobs.length));
    const old = batch.flatMap((entry) => {
      const values = entry.sample.decisions!.decisionLogprobs;
      return Array.from({ length: longest }, (_, j) => values[j] ?? 0);
    });
    const replayList = batch.map((entry) => entry.replay);
    const releases: (() => void)[] = [];
    const replayed = (p: NamedTensors) => {
      const result = policy.replayLogProbs(replayList, p);
      if (result.release !== undefined) releases.push(() => result.release?.());
      return result;
    };
    const figures = tidy(() => {
      const oldLogProb = tensor(backend, old, [batch.length, longest]);
      const advantageColumn = tensor(
        backend,
        batch.map((entry) => entry.advantage),
        [batch.length],
      );
      const referenceLogProb = reference === undefined ? undefined : replayed(reference).logProbs;
      const { value, grads, aux } = valueAndGrad((p: NamedTensors) => {
        const current = replayed(p);
        const advantages = mul(expand(advantageColumn, 1, longest), current.mask);
        const out = grpoLoss(
          {
            logProb: current.logProbs,
            oldLogProb,
            advantages,
            mask: current.mask,
            referenceLogProb,
            entropy: current.entropy,
          },
          config,
        );
        const aux: Record<string, Tensor> = {
          pgLoss: out.pgLoss,
          pgClipFraction: out.pgClipFraction,
          pgClipFractionLower: out.pgClipFractionLower,
          ppoKl: out.ppoKl,
        };
        if (out.kl !== undefined) aux.kl = out.kl;
        if (out.entropy !== undefined) aux.entropy = out.entropy;
        return { loss: out.loss, aux };
      })(parameters);
      const clip = clipGradNorm(grads, config.maxGradNorm);
      optimizer.update(parameters, grads, { gradScale: clip.scale });
      return { loss: value, gradNorm: clip.totalNorm, ...aux };
    });
    for (const release of releases) release();
    const entries = await Promise.all(
      Object.entries(figures).map(async ([name, value]) => {
        const number = (await value.read())[0]!;
        value.dispose();
        return [name, number] as const;
      }),
    );
    return Object.fromEntries(entries);
  }

  return trainer;
}

function checkRequest(request: TrainerUpdateRequest): TrainerUpdateRequest {
  try {
    return trainerUpdateRequestValidator.parse(request);
  } catch (error) {
    if (error instanceof ValidationError) {
      throw new TrainerError(
        "invalid_request",
        `${error.message}: the update request is not a valid TrainerUpdateRequest`,
        {
          path: error.path,
          cause: error,
        },
      );
    }
    throw error;
  }
}

function replayOf(sample: TrainingSample, index: number, policy: TrainablePolicy): JsonValue {
  if (sample.decisions === undefined) {
    throw new TrainerError(
      "invalid_request",
      `sample ${index} (instance ${sample.instanceId}, rollout ${sample.rollout}, step ${sample.step}) has no decisions record: the local backend trains decision policies whose parameters live on the kernels; LLM samples go to the external backend`,
      { path: ["samples", index, "decisions"] },
    );
  }
  const replay = sample.decisions.replay;
  if (policy.replayValidator !== undefined) {
    const result = policy.replayValidator.validate(replay);
    if (!result.ok) {
      throw new TrainerError(
        "invalid_replay",
        `sample ${index} (instance ${sample.instanceId}, rollout ${sample.rollout}, step ${sample.step}): ${result.error.message}`,
        { path: ["samples", index, "decisions", "replay", ...result.error.path], cause: result.error },
      );
    }
  }
  return replay;
}

function checkResumeParameters(current: Readonly<Record<string, Float32Array>>, state: LocalTrainerState): void {
  for (const [name, values] of Object.entries(state.parameters)) {
    const mine = current[name];
    if (mine === undefined || mine.length !== values.length) {
      throw new TrainerError(
        "shape_mismatch",
        `the checkpoint's parameter "${name}" (${values.length} values) does not fit the policy (${mine === undefined ? "no such parameter" : `${mine.length} values`}): create the policy with the checkpoint's configuration`,
        { path: ["parameters", name] },
      );
    }
    for (let i = 0; i < values.length; i++) {
      if (!Object.is(mine[i], values[i])) {
        throw new TrainerError(
          "invalid_option",
          `the policy's parameter "${name}" differs from the checkpoint's at element ${i}: create the policy from the checkpoint's parameters before resuming`,
          { path: ["resumeFrom", "parameters", name] },
        );
      }
    }
  }
}

/** Fisher–Yates with the update's seeded source. */
function shuffled(values: readonly number[], random: RandomSource): number[] {
  const out = [...values];
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** `count` contiguous parts of near-equal size (the first ones one larger). */
function split(values: readonly number[], count: number): number[][] {
  const parts: number[][] = [];
  let start = 0;
  for (let part = 0; part < count; part++) {
    const size = Math.floor(values.length / count) + (part < values.length % count ? 1 : 0);
    parts.push(values.slice(start, start + size));
    start += size;
  }
  return parts;
}
