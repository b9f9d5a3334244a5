// Global-norm gradient clipping as `torch.nn.utils.clip_grad_norm_`: the norm of all gradients together,
// and the factor min(1, maxNorm / (norm + 1e-6)) that brings it under maxNorm. Computed on the device and
// returned as a one-element tensor, which the AdamW step takes as `gradScale`: no read-back per update.
import { KernelError } from "../kernel-error.js";
import { add, affine, div, minimum, sqrt, square } from "../ops/elementwise.js";
import { sum } from "../ops/reduce.js";
import { full, type Tensor } from "../tensor/tensor.js";
import { tidy } from "../tensor/tidy.js";

export interface GradientClip {
  /** √(Σ over every gradient element of g²), one element. */
  readonly totalNorm: Tensor;
  /** min(1, maxNorm / (totalNorm + 1e-6)), one element: multiply the gradients by it. */
  readonly scale: Tensor;
}

/** The global gradient norm and the clipping factor for `maxNorm`. */
export function clipGradNorm(grads: { readonly [name: string]: Tensor }, maxNorm: number): GradientClip {
  if (!(maxNorm > 0)) {
    throw new KernelError("invalid_option", `maxNorm must be a positive number, got ${maxNorm}`, { path: ["maxNorm"] });
  }
  const list = Object.values(grads);
  if (list.length === 0) throw new KernelError("invalid_option", "clipGradNorm got no gradients", { path: ["grads"] });
  const backend = list[0]!.backend;
  return tidy(() => {
    let total = full(backend, [], 0);
    for (const grad of list) total = add(total, sum(square(grad)));
    const totalNorm = sqrt(total);
    const scale = minimum(div(full(backend, [], maxNorm), affine(totalNorm, 1, 1e-6)), full(backend, [], 1));
    return { totalNorm, scale };
  });
}
