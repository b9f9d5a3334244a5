// Reverse-mode gradients. While `valueAndGrad` runs the caller's forward pass, every operation whose
// inputs depend on a parameter records a node: its inputs and a backward function that maps the gradient
// of its output to gradients of its inputs (made of the same kernels, so backward runs on the device
// the forward ran on). Backward walks the nodes in reverse creation order, summing gradients per tensor.
import { KernelError } from "../kernel-error.js";
import { collectTensors, openScope } from "./scope.js";
import { Tensor } from "./tensor.js";

/** The gradients of an operation's inputs, in input order; null where an input gets none. */
export type BackwardFunction = (outputGradient: Tensor) => readonly (Tensor | null)[];

export interface TapeNode {
  readonly tape: Tape;
  readonly inputs: readonly Tensor[];
  readonly output: Tensor;
  readonly backward: BackwardFunction;
}

class Tape {
  readonly parameters = new Map<Tensor, string>();
  readonly nodes: TapeNode[] = [];
  tracks(tensor: Tensor): boolean {
    return this.parameters.has(tensor) || tensor.node?.tape === this;
  }
}

let activeTape: Tape | null = null;

/**
 * Records `output` as computed from `inputs` when a tape is recording and an input depends on a
 * parameter. Every differentiable operation calls this once, after enqueueing its forward kernels.
 */
export function record(output: Tensor, inputs: readonly Tensor[], backward: BackwardFunction): Tensor {
  const tape = activeTape;
  if (tape !== null && inputs.some((input) => tape.tracks(input))) {
    const node: TapeNode = { tape, inputs, output, backward };
    output.node = node;
    tape.nodes.push(node);
  }
  return output;
}

/** Parameters by name: the names key optimiser state and checkpoints. */
export type NamedTensors = { readonly [name: string]: Tensor };

/** What the differentiated function returns: the scalar loss, or the loss with auxiliary tensors (metrics) to keep. */
export type LossOutput = Tensor | { readonly loss: Tensor; readonly aux?: NamedTensors | undefined };

export interface ValueAndGrad {
  /** The loss (one element). */
  readonly value: Tensor;
  /** d loss / d parameter, by parameter name; zeros for a parameter the loss does not depend on. */
  readonly grads: { readonly [name: string]: Tensor };
  /** The auxiliary tensors the function returned (empty when it returned a tensor). */
  readonly aux: NamedTensors;
}

const isTensor = (value: unknown): value is Tensor => value instanceof Tensor;

/**
 * `valueAndGrad(fn)(params)` runs `fn(params)` forward, then backward, and returns the loss and its
 * gradient with respect to each named parameter. Intermediate tensors are disposed; the loss, the
 * gradients and `aux` are kept (dispose them when done). Gradients of gradients are not supported.
 */
export function valueAndGrad<P extends NamedTensors>(fn: (params: P) => LossOutput): (params: P) => ValueAndGrad {
  return (params) => {
    if (activeTape !== null) {
      throw new KernelError(
        "invalid_option",
        "valueAndGrad cannot be nested: higher-order gradients are not supported",
      );
    }
    const tape = new Tape();
    for (const [name, parameter] of Object.entries(params)) {
      if (!(parameter instanceof Tensor)) {
        throw new KernelError("invalid_option", `parameter "${name}" is not a Tensor`, { path: [name] });
      }
      if (tape.parameters.has(parameter)) {
        throw new KernelError(
          "invalid_option",
          `one tensor is passed as two parameters ("${tape.parameters.get(parameter)}" and "${name}")`,
          {
            path: [name],
          },
        );
      }
      tape.parameters.set(parameter, name);
    }
    const close = openScope();
    const keep = new Set<Tensor>();
    try {
      activeTape = tape;
      let output: LossOutput;
      try {
        output = fn(params);
      } finally {
        activeTape = null;
      }
      const loss = output instanceof Tensor ? output : output.loss;
      const aux = output instanceof Tensor ? {} : (output.aux ?? {});
      if (!(loss instanceof Tensor) || loss.size !== 1) {
        throw new KernelError(
          "shape_mismatch",
          `valueAndGrad needs a one-element loss, got ${loss instanceof Tensor ? `shape [${loss.shape.join(", ")}]` : typeof loss}; reduce it with sum or mean`,
        );
      }
      const gradients = backpropagate(tape, loss);
      const grads: Record<string, Tensor> = {};
      for (const [parameter, name] of tape.parameters) {
        grads[name] = gradients.get(parameter) ?? zerosLike(parameter);
      }
      collectTensors([loss, grads, aux], keep, isTensor);
      return { value: loss, grads, aux };
    } finally {
      for (const node of tape.nodes) node.output.node = null;
      close(keep);
    }
  };
}

function zerosLike(tensor: Tensor): Tensor {
  return new Tensor(tensor.backend, tensor.backend.allocate(tensor.size), tensor.shape);
}

function onesLike(tensor: Tensor): Tensor {
  const out = zerosLike(tensor);
  tensor.backend.run({ kind: "fill", out: out.buffer, value: 1, length: out.size });
  return out;
}

function addInto(gradients: Map<Tensor, Tensor>, tensor: Tensor, gradient: Tensor): void {
  if (gradient.size !== tensor.size) {
    throw new KernelError(
      "shape_mismatch",
      `internal: a backward function returned ${gradient.size} values for a tensor of ${tensor.size}`,
    );
  }
  const existing = gradients.get(tensor);
  if (existing === undefined) {
    gradients.set(tensor, gradient);
    return;
  }
  const sum = zerosLike(tensor);
  tensor.backend.run({
    kind: "binary",
    fn: "add",
    a: existing.buffer,
    b: gradient.buffer,
    out: sum.buffer,
    length: sum.size,
    bLength: sum.size,
  });
  gradients.set(tensor, sum);
}

function backpropagate(tape: Tape, loss: Tensor): Map<Tensor, Tensor> {
  const gradients = new Map<Tensor, Tensor>();
  if (!tape.tracks(loss)) return gradients;
  gradients.set(loss, onesLike(loss));
  for (let index = tape.nodes.length - 1; index >= 0; index--) {
    const node = tape.nodes[index]!;
    const outputGradient = gradients.get(node.output);
    if (outputGradient === undefined) continue;
    const inputGradients = node.backward(outputGradient);
    for (const [position, input] of node.inputs.entries()) {
      const gradient = inputGradients[position];
      if (gradient !== null && gradient !== undefined && tape.tracks(input)) addInto(gradients, input, gradient);
    }
  }
  return gradients;
}
