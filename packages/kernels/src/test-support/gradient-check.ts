// Central finite differences in float64 against the tape's gradients (issue 19, acceptance 2): for each
// parameter element, (f(x + h) − f(x − h)) / 2h with h = 1e-5, whose error (h²·f‴/6 plus rounding
// ~1e-16·|f|/h) is far below the 1e-6·(1 + |g|) tolerance at smooth points. Callers choose points away
// from kinks.
import type { KernelBackend } from "../backend.js";
import { createReferenceBackend } from "../reference/reference-backend.js";
import { type NamedTensors, valueAndGrad } from "../tensor/tape.js";
import { type Tensor, tensor } from "../tensor/tensor.js";
import { tidy } from "../tensor/tidy.js";
import { conformanceValues } from "../testing/backend-conformance.js";

export interface ParameterValues {
  readonly shape: readonly number[];
  readonly values: readonly number[];
}

export interface GradientCheck {
  /** The largest |autodiff − finite difference| / (1 + |autodiff|) over every element. */
  readonly worst: number;
  readonly where: string;
  /** How many gradient elements were compared. */
  readonly compared: number;
}

const H = 1e-5;

/** Builds the parameters on the backend and runs `loss`, returning its value. */
function evaluate(
  backend: KernelBackend,
  loss: (params: NamedTensors, backend: KernelBackend) => Tensor,
  values: Record<string, ParameterValues>,
): Promise<number> {
  const result = tidy(() => {
    const params: Record<string, Tensor> = {};
    for (const [name, { shape, values: data }] of Object.entries(values)) params[name] = tensor(backend, data, shape);
    return loss(params, backend);
  });
  return result.item().finally(() => result.dispose());
}

export async function checkGradients(
  loss: (params: NamedTensors, backend: KernelBackend) => Tensor,
  parameters: Record<string, ParameterValues>,
): Promise<GradientCheck> {
  const backend = createReferenceBackend({ floatType: "float64" });
  const params: Record<string, Tensor> = {};
  for (const [name, { shape, values }] of Object.entries(parameters)) params[name] = tensor(backend, values, shape);
  const { value, grads } = valueAndGrad((p: NamedTensors) => loss(p, backend))(params);
  value.dispose();
  let worst = 0;
  let where = "";
  let compared = 0;
  for (const [name, { shape, values }] of Object.entries(parameters)) {
    const analytic = await grads[name]!.read();
    for (let index = 0; index < values.length; index++) {
      const shifted = (delta: number) => ({
        ...parameters,
        [name]: { shape, values: values.map((v, i) => (i === index ? v + delta : v)) },
      });
      const plus = await evaluate(backend, loss, shifted(H));
      const minus = await evaluate(backend, loss, shifted(-H));
      const numeric = (plus - minus) / (2 * H);
      const error = Math.abs(analytic[index]! - numeric) / (1 + Math.abs(analytic[index]!));
      compared++;
      if (!(error <= worst)) {
        worst = Number.isNaN(error) ? Number.POSITIVE_INFINITY : error;
        where = `${name}[${index}]: autodiff ${analytic[index]}, finite difference ${numeric}`;
      }
    }
  }
  backend.dispose();
  return { worst, where, compared };
}

/**
 * Deterministic values in [lo, hi) from the conformance suite's position hash, skipping those closer than
 * `gap` to a kink (relu's 0, a clamp's edges), so finite differences never straddle one.
 */
export function valuesAwayFrom(
  length: number,
  salt: number,
  lo: number,
  hi: number,
  kinks: readonly number[] = [],
  gap = 0.02,
): number[] {
  const out: number[] = [];
  for (let batch = 0; out.length < length; batch++) {
    for (const value of conformanceValues(length, salt + 1000 * batch, lo, hi)) {
      if (out.length < length && kinks.every((kink) => Math.abs(value - kink) >= gap)) out.push(value);
    }
  }
  return out;
}
