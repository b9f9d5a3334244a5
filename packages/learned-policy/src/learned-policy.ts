import {
  createCpuBackend,
  type KernelBackend,
  segmentLogSoftmax,
  segments,
  type Tensor,
  tensor,
  tidy,
} from "@finemem/kernels";
import {
  type CallOptions,
  type JsonValue,
  type MemoryItem,
  type MemoryOperation,
  type MemoryPolicy,
  type PolicyDecision,
  type PolicyInput,
  SPECIFICATION_VERSION,
  throwIfAborted,
  type Validator,
} from "@finemem/spec";
import { createSeededRandom, splitSentences } from "@finemem/utils";
import { decisionRows, factCandidates, type IndexedItem, indexItem, StepIndex } from "./features/candidate-features.js";
import {
  FEATURE_GROUPS,
  FEATURE_WIDTH,
  type FeatureGroup,
  featureMask,
  KIND_PRIOR_COLUMN,
} from "./features/feature-groups.js";
import { LearnedPolicyError } from "./learned-policy-error.js";
import {
  initialParameterValues,
  type LearnedPolicyParameters,
  parameterShapes,
  parametersFrom,
  scoreRows,
} from "./network.js";
import {
  LEARNED_POLICY_REPLAY_VERSION,
  type LearnedPolicyReplay,
  learnedPolicyReplayValidator,
  type ReplayedDecision,
  type ReplayLogProbs,
  replayLogProbs,
} from "./replay.js";

/** Bumped whenever the same text gives other feature rows (a checkpoint then needs retraining). */
export const LEARNED_POLICY_FEATURE_VERSION = 1;

/** What a learned policy is made of, apart from its parameter values: recorded in checkpoints. */
export interface LearnedPolicyConfig {
  readonly featureVersion: number;
  /** k: the stored items considered for UPDATE / DELETE per fact. */
  readonly candidates: number;
  readonly hidden: number;
  /** Feature groups whose columns are 0 (the feature ablation). */
  readonly disabledFeatures: readonly FeatureGroup[];
  /** The seed of the initial parameters. */
  readonly initSeed: string;
}

export interface LearnedPolicyOptions {
  /** Where the parameters live. Default: a new CPU backend (WebAssembly SIMD). */
  readonly backend?: KernelBackend | undefined;
  /** Seed of the initial parameters. Default "0". */
  readonly initSeed?: string | number | undefined;
  /** k, the candidates per fact. Default 3. */
  readonly candidates?: number | undefined;
  /** Hidden units. Default 16. */
  readonly hidden?: number | undefined;
  readonly disabledFeatures?: readonly FeatureGroup[] | undefined;
  /** Parameter values to start from (a checkpoint's), by name; default: seeded initial values. */
  readonly parameters?: Readonly<Record<string, ArrayLike<number>>> | undefined;
  /** `greedy` (default: evaluation) or a seed to sample with (training rollouts). */
  readonly sampling?: "greedy" | { readonly seed: string } | undefined;
  readonly policyId?: string | undefined;
  /** The feature version `parameters` were trained with (a checkpoint's); another one is refused. */
  readonly featureVersion?: number | undefined;
}

/** A memory policy whose parameters live on the kernels. */
export interface LearnedPolicy extends MemoryPolicy {
  readonly config: LearnedPolicyConfig;
  /** The live parameters (a trainer updates them in place; every policy from `withSampling` shares them). */
  readonly parameters: LearnedPolicyParameters;
  readonly sampling: "greedy" | { readonly seed: string };
  readonly replayValidator: Validator<JsonValue>;
  /** The same parameters, sampling with `seed`. */
  withSampling(seed: string): LearnedPolicy;
  /** The same parameters, deciding greedily. */
  greedy(): LearnedPolicy;
  /** Every recorded decision's log-probability under `parameters` (default: the live ones), differentiably. */
  replayLogProbs(replays: readonly JsonValue[], parameters?: LearnedPolicyParameters): ReplayLogProbs;
  /** The parameter values on the host, by name. */
  parameterValues(): Promise<Record<string, Float32Array>>;
  /** Frees the parameters (and the backend, when the policy created it). */
  dispose(): void;
}

function positiveIntegerOption(name: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new LearnedPolicyError("invalid_option", `${name} must be an integer from 1 to ${max}, got ${value}`, {
      path: [name],
    });
  }
  return value;
}

/** Creates a learned policy: seeded initial parameters, or the values of a checkpoint. */
export async function createLearnedPolicy(options: LearnedPolicyOptions = {}): Promise<LearnedPolicy> {
  if (options.featureVersion !== undefined && options.featureVersion !== LEARNED_POLICY_FEATURE_VERSION) {
    throw new LearnedPolicyError(
      "invalid_option",
      `the parameters were trained with feature version ${options.featureVersion}, and this version of @finemem/learned-policy computes version ${LEARNED_POLICY_FEATURE_VERSION}: retrain, or install the version that trained them`,
      { path: ["featureVersion"] },
    );
  }
  const candidates = positiveIntegerOption("candidates", options.candidates ?? 3, 64);
  const hidden = positiveIntegerOption("hidden", options.hidden ?? 16, 1024);
  const disabled = [...new Set(options.disabledFeatures ?? [])];
  for (const [index, group] of disabled.entries()) {
    if (!(FEATURE_GROUPS as readonly string[]).includes(group)) {
      throw new LearnedPolicyError(
        "invalid_option",
        `unknown feature group "${group}"; the groups are ${FEATURE_GROUPS.join(", ")}`,
        { path: ["disabledFeatures", index] },
      );
    }
  }
  const config: LearnedPolicyConfig = {
    featureVersion: LEARNED_POLICY_FEATURE_VERSION,
    candidates,
    hidden,
    disabledFeatures: disabled.sort(),
    initSeed: String(options.initSeed ?? "0"),
  };
  const ownsBackend = options.backend === undefined;
  const backend = options.backend ?? (await createCpuBackend());
  const values =
    options.parameters ??
    initialParameterValues(FEATURE_WIDTH, hidden, createSeededRandom(`${config.initSeed}/init`), KIND_PRIOR_COLUMN);
  checkParameterValues(values, hidden);
  const parameters = parametersFrom(backend, values, FEATURE_WIDTH, hidden);
  const shared: SharedState = {
    config,
    parameters,
    mask: featureMask(new Set(disabled)),
    indexed: new WeakMap(),
    dispose: () => {
      for (const parameter of Object.values(parameters)) parameter.dispose();
      if (ownsBackend) backend.dispose();
    },
  };
  return policyView(shared, options.sampling ?? "greedy", options.policyId ?? "learned");
}

function checkParameterValues(values: Readonly<Record<string, ArrayLike<number>>>, hidden: number): void {
  const shapes = parameterShapes(FEATURE_WIDTH, hidden);
  for (const [name, shape] of Object.entries(shapes)) {
    const value = values[name];
    const size = shape.reduce((a, b) => a * b, 1);
    if (value === undefined || value.length !== size) {
      throw new LearnedPolicyError(
        "shape_mismatch",
        `parameter "${name}" must hold ${size} values (shape [${shape.join(", ")}] for ${FEATURE_WIDTH} features and ${hidden} hidden units), got ${value === undefined ? "none" : value.length}: the checkpoint was trained with another configuration`,
        { path: ["parameters", name] },
      );
    }
  }
}

interface SharedState {
  readonly config: LearnedPolicyConfig;
  readonly parameters: LearnedPolicyParameters;
  readonly mask: readonly number[];
  /** Stores hand out the same frozen item until it is written again: each is read once. */
  readonly indexed: WeakMap<MemoryItem, IndexedItem>;
  readonly dispose: () => void;
}

function policyView(
  shared: SharedState,
  sampling: "greedy" | { readonly seed: string },
  policyId: string,
): LearnedPolicy {
  const { config, parameters } = shared;
  const indexOf = (item: MemoryItem): IndexedItem => {
    let indexed = shared.indexed.get(item);
    if (indexed === undefined) {
      indexed = indexItem(item);
      shared.indexed.set(item, indexed);
    }
    return indexed;
  };
  return {
    specificationVersion: SPECIFICATION_VERSION,
    policyId,
    layout: "flat",
    config,
    parameters,
    sampling,
    replayValidator: learnedPolicyReplayValidator as unknown as Validator<JsonValue>,
    withSampling: (seed) => policyView(shared, { seed }, policyId),
    greedy: () => policyView(shared, "greedy", policyId),
    replayLogProbs: (replays, override) => replayLogProbs(replays, override ?? parameters),
    async parameterValues() {
      const entries = await Promise.all(
        Object.entries(parameters).map(
          async ([name, parameter]) => [name, Float32Array.from(await parameter.read())] as const,
        ),
      );
      return Object.fromEntries(entries);
    },
    dispose: shared.dispose,
    async decide(input: PolicyInput, callOptions?: CallOptions): Promise<PolicyDecision> {
      throwIfAborted(callOptions?.signal);
      const index = new StepIndex(input.view.items.map(indexOf));
      const random =
        sampling === "greedy"
          ? undefined
          : createSeededRandom(`${sampling.seed}/${input.instanceId ?? ""}/${input.step}/${input.chunk.id}`);
      const taken = new Set<string>();
      const decisions: ReplayedDecision[] = [];
      const decisionLogprobs: number[] = [];
      const operations: MemoryOperation[] = [];
      const rendered: string[] = [];
      for (const span of splitSentences(input.chunk.text)) {
        const text = span.text.trim();
        if (text.length === 0) continue;
        const fact = factCandidates(text, index, input.step, config.candidates, taken);
        const { kinds, rows } = decisionRows(fact, shared.mask);
        const logProbs = await rowLogProbs(rows, parameters);
        const chosen = random === undefined ? argmax(logProbs) : sample(logProbs, random.next());
        const logProb = Math.min(0, logProbs[chosen]!);
        decisions.push({ rows, chosen });
        decisionLogprobs.push(logProb);
        const kind = kinds[chosen]!;
        const target = chosen >= 2 ? fact.candidates[(chosen - 2) >> 1]!.item.id : undefined;
        if (kind === "INSERT") operations.push({ type: "INSERT", content: text });
        else if (kind === "UPDATE") operations.push({ type: "UPDATE", id: target!, content: text });
        else if (kind === "DELETE") operations.push({ type: "DELETE", id: target! });
        if (target !== undefined) taken.add(target);
        rendered.push(
          `${kind}${target === undefined ? "" : ` ${target}`} (p=${Math.exp(logProb).toFixed(3)}): ${text}`,
        );
      }
      const final = operations.length === 0 ? [{ type: "SKIP" as const }] : operations;
      const sum = decisionLogprobs.reduce((total, value) => total + value, 0);
      const replay: LearnedPolicyReplay = { version: LEARNED_POLICY_REPLAY_VERSION, width: FEATURE_WIDTH, decisions };
      return {
        operations: final,
        parseOutcomes: final.map((_, i) => ({
          fragment: i,
          status: "parsed" as const,
          operationIndex: i,
          repairs: [],
        })),
        rawOutput: rendered.join("\n"),
        actionLogprob: { value: Math.min(0, sum), source: "decisions", count: decisionLogprobs.length },
        ...(input.training === true ? { replay: replay as unknown as JsonValue, decisionLogprobs } : {}),
      };
    },
  };
}

/** log π over one fact's candidate actions, on the host. */
async function rowLogProbs(
  rows: readonly (readonly number[])[],
  parameters: LearnedPolicyParameters,
): Promise<number[]> {
  const backend = parameters.hiddenWeights.backend;
  const parts = segments(backend, [rows.length]);
  let result: Tensor | undefined;
  try {
    result = tidy(() =>
      segmentLogSoftmax(scoreRows(tensor(backend, rows.flat(), [rows.length, FEATURE_WIDTH]), parameters), parts),
    );
    return [...(await result.read())];
  } finally {
    result?.dispose();
    parts.dispose();
  }
}

function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/** Inverse-CDF sampling with one uniform draw; the last action takes any rounding remainder. */
function sample(logProbs: readonly number[], uniform: number): number {
  let cumulative = 0;
  for (let i = 0; i < logProbs.length; i++) {
    cumulative += Math.exp(logProbs[i]!);
    if (uniform < cumulative) return i;
  }
  return logProbs.length - 1;
}
