// verl's `kl_penalty_forward` (v0.9.0, core_algos.py): per-token estimators of KL(π ‖ π_ref) from the
// log-probabilities of the sampled tokens under the policy and the frozen reference.
import { KernelError } from "../kernel-error.js";
import { abs, affine, clamp, exp, square, sub } from "../ops/elementwise.js";
import { formatShape, type Tensor } from "../tensor/tensor.js";

/**
 * `k1` (alias `kl`): logp − ref; `abs`: |logp − ref|; `k2` (alias `mse`): ½(logp − ref)²;
 * `k3` (alias `low_var_kl`, Schulman's low-variance estimator): with d = clamp(ref − logp, −20, 20),
 * clamp(eᵈ − d − 1, −10, 10).
 */
export type KlEstimator = "k1" | "kl" | "abs" | "k2" | "mse" | "k3" | "low_var_kl";

export const KL_ESTIMATORS: readonly KlEstimator[] = ["k1", "kl", "abs", "k2", "mse", "k3", "low_var_kl"];

/** The per-token KL estimate, shaped like `logProb`. Differentiable in both inputs. */
export function klPenalty(logProb: Tensor, referenceLogProb: Tensor, estimator: KlEstimator): Tensor {
  if (formatShape(logProb.shape) !== formatShape(referenceLogProb.shape)) {
    throw new KernelError(
      "shape_mismatch",
      `klPenalty: log-probabilities ${formatShape(logProb.shape)} and reference ${formatShape(referenceLogProb.shape)} differ`,
    );
  }
  switch (estimator) {
    case "k1":
    case "kl":
      return sub(logProb, referenceLogProb);
    case "abs":
      return abs(sub(logProb, referenceLogProb));
    case "k2":
    case "mse":
      return affine(square(sub(logProb, referenceLogProb)), 0.5, 0);
    case "k3":
    case "low_var_kl": {
      const d = clamp(sub(referenceLogProb, logProb), -20, 20);
      return clamp(sub(affine(exp(d), 1, -1), d), -10, 10);
    }
    default:
      throw new KernelError(
        "invalid_option",
        `unknown KL estimator "${String(estimator)}"; use one of ${KL_ESTIMATORS.join(", ")}`,
        {
          path: ["estimator"],
        },
      );
  }
}
