// The scorer: one number per candidate action from its feature row, a small MLP beside a linear term
// (the linear term learns per-action biases and single-feature rules at once; the hidden layer learns
// the conjunctions, e.g. "same full name AND same kind of fact").
import { add, type KernelBackend, matmul, reshape, type Tensor, tanh, tensor } from "@finemem/kernels";
import type { RandomSource } from "@finemem/utils";

/** The network's parameters by name; the trainer updates them in place. */
export interface LearnedPolicyParameters {
  readonly [name: string]: Tensor;
  /** [features, hidden] */
  readonly hiddenWeights: Tensor;
  /** [hidden] */
  readonly hiddenBias: Tensor;
  /** [hidden, 1] */
  readonly outputWeights: Tensor;
  /** [features, 1] */
  readonly linearWeights: Tensor;
}

/** The parameter names and shapes for `width` features and `hidden` units. */
export function parameterShapes(
  width: number,
  hidden: number,
): Record<keyof LearnedPolicyParameters & string, number[]> {
  return {
    hiddenWeights: [width, hidden],
    hiddenBias: [hidden],
    outputWeights: [hidden, 1],
    linearWeights: [width, 1],
  };
}

/** A standard normal draw (Box–Muller) from a seeded source. */
function normal(random: RandomSource): number {
  const u = 1 - random.next();
  const v = random.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * Seeded initial values: Glorot-scaled hidden weights, a small output layer, and a linear term that is 0
 * but for the kind-prior column's 1, so the untrained policy is close to uniform over the kinds of
 * action (SKIP, INSERT, UPDATE, DELETE), then over the candidates of a kind.
 */
export function initialParameterValues(
  width: number,
  hidden: number,
  random: RandomSource,
  priorColumn: number,
): Record<string, number[]> {
  const draw = (count: number, scale: number) => Array.from({ length: count }, () => normal(random) * scale);
  const linearWeights = new Array<number>(width).fill(0);
  linearWeights[priorColumn] = 1;
  return {
    hiddenWeights: draw(width * hidden, Math.sqrt(2 / (width + hidden))),
    hiddenBias: new Array<number>(hidden).fill(0),
    outputWeights: draw(hidden, 0.1),
    linearWeights,
  };
}

export function parametersFrom(
  backend: KernelBackend,
  values: Readonly<Record<string, ArrayLike<number>>>,
  width: number,
  hidden: number,
): LearnedPolicyParameters {
  const shapes = parameterShapes(width, hidden);
  const make = (name: keyof typeof shapes) => tensor(backend, values[name]!, shapes[name]);
  return {
    hiddenWeights: make("hiddenWeights"),
    hiddenBias: make("hiddenBias"),
    outputWeights: make("outputWeights"),
    linearWeights: make("linearWeights"),
  };
}

/** Scores of `rows` ([rows, features]) as [rows]. */
export function scoreRows(rows: Tensor, parameters: LearnedPolicyParameters): Tensor {
  const hidden = tanh(add(matmul(rows, parameters.hiddenWeights), parameters.hiddenBias));
  const score = add(matmul(hidden, parameters.outputWeights), matmul(rows, parameters.linearWeights));
  return reshape(score, [rows.shape[0]!]);
}
