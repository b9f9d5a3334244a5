// One AdamW step in place, one thread per parameter. The constants derived from the hyperparameters
// (1 − lr·wd, 1 − β1, 1 − β2 and the bias corrections 1 − β^step) are computed on the host in double
// precision and passed as f32: computing 1 − 0.999 in f32 alone is off by 1e-5 relative.
import { elementwiseMain } from "./common.js";

/**
 * Uniforms: length, learningRate, beta1, beta2, epsilon, decay (1 − lr·wd), oneMinusBeta1,
 * oneMinusBeta2, correction1, correction2. Bindings: param, grad, m, v[, gradScale].
 */
export function adamwShader(withScale: boolean): string {
  return /* wgsl */ `
struct Params {
  length: u32, learningRate: f32, beta1: f32, beta2: f32, epsilon: f32, decay: f32,
  oneMinusBeta1: f32, oneMinusBeta2: f32, correction1: f32, correction2: f32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> param: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
@group(0) @binding(3) var<storage, read_write> m: array<f32>;
@group(0) @binding(4) var<storage, read_write> v: array<f32>;
${withScale ? `@group(0) @binding(5) var<storage, read> gradScale: array<f32>;` : ""}
${elementwiseMain(
  "p.length",
  `  let g = grad[i]${withScale ? " * gradScale[0]" : ""};
  let decayed = param[i] * p.decay;
  let mi = p.beta1 * m[i] + p.oneMinusBeta1 * g;
  let vi = p.beta2 * v[i] + p.oneMinusBeta2 * g * g;
  m[i] = mi;
  v[i] = vi;
  param[i] = decayed - (p.learningRate * (mi / p.correction1)) / (sqrt(vi / p.correction2) + p.epsilon);`,
)}`;
}
