// AdamW (Loshchilov & Hutter; PyTorch's torch.optim.AdamW with amsgrad off): per-parameter first and
// second moments keyed by parameter name, so the state can be saved and restored by name (checkpoints).
import { KernelError } from "../kernel-error.js";
import { keep } from "../tensor/scope.js";
import type { NamedTensors } from "../tensor/tape.js";
import { formatShape, type Tensor, tensor, zeros } from "../tensor/tensor.js";

export interface AdamWOptions {
  /** Default 1e-3 (PyTorch's). */
  readonly learningRate?: number | undefined;
  /** Default 0.9. */
  readonly beta1?: number | undefined;
  /** Default 0.999. */
  readonly beta2?: number | undefined;
  /** Default 1e-8. */
  readonly epsilon?: number | undefined;
  /** Decoupled weight decay. Default 0.01 (PyTorch's). */
  readonly weightDecay?: number | undefined;
}

/** The optimiser state as host arrays, for checkpoints. */
export interface AdamWState {
  readonly step: number;
  readonly moments: {
    readonly [name: string]: { readonly m: Float32Array | Float64Array; readonly v: Float32Array | Float64Array };
  };
}

export interface AdamWStepOptions {
  /** A one-element factor applied to every gradient first (from {@link clipGradNorm}). */
  readonly gradScale?: Tensor | undefined;
  /** Overrides the learning rate for this step (schedules). */
  readonly learningRate?: number | undefined;
}

function checkRange(name: string, value: number, low: number, high: number, closedHigh = false): number {
  const inRange = Number.isFinite(value) && value >= low && (closedHigh ? value <= high : value < high);
  if (!inRange) {
    throw new KernelError(
      "invalid_option",
      `${name} must be in [${low}, ${high}${closedHigh ? "]" : ")"}, got ${value}`,
      { path: [name] },
    );
  }
  return value;
}

/** AdamW over named parameters, updated in place on their backend. */
export class AdamW {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  #step = 0;
  readonly #moments = new Map<string, { m: Tensor; v: Tensor }>();

  constructor(options: AdamWOptions = {}) {
    this.learningRate = checkRange("learningRate", options.learningRate ?? 1e-3, 0, Number.MAX_VALUE, true);
    this.beta1 = checkRange("beta1", options.beta1 ?? 0.9, 0, 1);
    this.beta2 = checkRange("beta2", options.beta2 ?? 0.999, 0, 1);
    this.epsilon = checkRange("epsilon", options.epsilon ?? 1e-8, 0, Number.MAX_VALUE, true);
    this.weightDecay = checkRange("weightDecay", options.weightDecay ?? 0.01, 0, Number.MAX_VALUE, true);
  }

  /** The number of steps taken. */
  get step(): number {
    return this.#step;
  }

  /** One update of every parameter that has a gradient (names must match). */
  update(params: NamedTensors, grads: NamedTensors, options: AdamWStepOptions = {}): void {
    const learningRate = checkRange(
      "learningRate",
      options.learningRate ?? this.learningRate,
      0,
      Number.MAX_VALUE,
      true,
    );
    for (const name of Object.keys(grads)) {
      if (!(name in params)) {
        throw new KernelError("invalid_option", `a gradient for "${name}", which is not a parameter`, {
          path: ["grads", name],
        });
      }
    }
    this.#step++;
    for (const [name, param] of Object.entries(params)) {
      const grad = grads[name];
      if (grad === undefined) continue;
      if (grad.size !== param.size) {
        throw new KernelError(
          "shape_mismatch",
          `gradient of "${name}" has shape ${formatShape(grad.shape)}, the parameter ${formatShape(param.shape)}`,
          {
            path: ["grads", name],
          },
        );
      }
      let moments = this.#moments.get(name);
      if (moments === undefined) {
        // Moments outlive any tidy scope the caller runs the update in.
        moments = { m: keep(zeros(param.backend, param.shape)), v: keep(zeros(param.backend, param.shape)) };
        this.#moments.set(name, moments);
      }
      param.backend.run({
        kind: "adamw",
        param: param.buffer,
        grad: grad.buffer,
        m: moments.m.buffer,
        v: moments.v.buffer,
        gradScale: options.gradScale?.buffer ?? null,
        length: param.size,
        learningRate,
        beta1: this.beta1,
        beta2: this.beta2,
        epsilon: this.epsilon,
        weightDecay: this.weightDecay,
        step: this.#step,
      });
    }
  }

  /** The state, read back to the host. */
  async state(): Promise<AdamWState> {
    const moments: Record<string, { m: Float32Array | Float64Array; v: Float32Array | Float64Array }> = {};
    for (const [name, { m, v }] of this.#moments) moments[name] = { m: await m.read(), v: await v.read() };
    return { step: this.#step, moments };
  }

  /** Restores a state saved by {@link AdamW.state}, onto the parameters' backend. */
  restore(state: AdamWState, params: NamedTensors): void {
    if (!(Number.isInteger(state.step) && state.step >= 0)) {
      throw new KernelError("invalid_option", `state.step must be a non-negative integer, got ${state.step}`, {
        path: ["step"],
      });
    }
    const next = new Map<string, { m: Tensor; v: Tensor }>();
    for (const [name, { m, v }] of Object.entries(state.moments)) {
      const param = params[name];
      if (param === undefined) {
        throw new KernelError(
          "inconsistent",
          `the optimiser state has moments for "${name}", which is not a parameter`,
          { path: ["moments", name] },
        );
      }
      if (m.length !== param.size || v.length !== param.size) {
        throw new KernelError(
          "shape_mismatch",
          `moments of "${name}" hold ${m.length} and ${v.length} values, the parameter ${param.size}`,
          {
            path: ["moments", name],
          },
        );
      }
      next.set(name, {
        m: keep(tensor(param.backend, m, param.shape)),
        v: keep(tensor(param.backend, v, param.shape)),
      });
    }
    this.dispose();
    for (const [name, moments] of next) this.#moments.set(name, moments);
    this.#step = state.step;
  }

  /** Frees the moment tensors. */
  dispose(): void {
    for (const { m, v } of this.#moments.values()) {
      m.dispose();
      v.dispose();
    }
    this.#moments.clear();
  }
}
