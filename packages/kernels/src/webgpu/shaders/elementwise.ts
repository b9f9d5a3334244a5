// Elementwise kernels: unary, unaryGrad, binary and fill, one thread per element. Each function is a
// pipeline variant of its own (the function is inlined, not switched on at run time).
import type { BinaryFunction, DifferentiableUnaryFunction, UnaryFunction } from "../../backend.js";
import { ACTIVATIONS_WGSL, elementwiseMain } from "./common.js";

const UNARY_WGSL: Record<UnaryFunction, string> = {
  relu: "select(0.0, v, v > 0.0)",
  gelu: "v * sigmoidStable(2.0 * geluInner(v))",
  tanh: "tanhStable(v)",
  sigmoid: "sigmoidStable(v)",
  exp: "exp(v)",
  log: "log(v)",
  abs: "abs(v)",
  square: "v * v",
  sqrt: "sqrt(v)",
  affine: "p.alpha * v + p.beta",
  // Written with select (not clamp()) so that NaN passes through as in the reference.
  clamp: "select(select(v, p.beta, v > p.beta), p.alpha, v < p.alpha)",
  step: "select(0.0, 1.0, v > p.alpha)",
};

/** f′(x) given x and y = f(x). gelu: 0.5(1 + t) = s and 1 − t² = 4s(1 − s) with s = sigmoid(2u). */
const DERIVATIVE_WGSL: Record<DifferentiableUnaryFunction, string> = {
  relu: "select(0.0, 1.0, x > 0.0)",
  gelu: "geluDerivative(x)",
  tanh: "1.0 - y * y",
  sigmoid: "y * (1.0 - y)",
  exp: "y",
  log: "1.0 / x",
  abs: "select(select(0.0, -1.0, x < 0.0), 1.0, x > 0.0)",
  square: "2.0 * x",
  sqrt: "0.5 / y",
  clamp: "select(0.0, 1.0, x >= p.alpha && x <= p.beta)",
};

const GELU_DERIVATIVE_WGSL = /* wgsl */ `
fn geluDerivative(x: f32) -> f32 {
  let s = sigmoidStable(2.0 * geluInner(x));
  return s + 2.0 * x * s * (1.0 - s) * GELU_C * (1.0 + 3.0 * 0.044715 * x * x);
}
`;

/** Uniforms: length, alpha, beta. */
export function unaryShader(fn: UnaryFunction): string {
  return /* wgsl */ `
struct Params { length: u32, alpha: f32, beta: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> xs: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
${ACTIVATIONS_WGSL}
${elementwiseMain("p.length", `  let v = xs[i];\n  out[i] = ${UNARY_WGSL[fn]};`)}`;
}

/** Uniforms: length, alpha, beta. Bindings: x, y, dy, dx. */
export function unaryGradShader(fn: DifferentiableUnaryFunction): string {
  return /* wgsl */ `
struct Params { length: u32, alpha: f32, beta: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> xs: array<f32>;
@group(0) @binding(2) var<storage, read> ys: array<f32>;
@group(0) @binding(3) var<storage, read> dys: array<f32>;
@group(0) @binding(4) var<storage, read_write> dxs: array<f32>;
${ACTIVATIONS_WGSL}
${GELU_DERIVATIVE_WGSL}
${elementwiseMain("p.length", `  let x = xs[i];\n  let y = ys[i];\n  dxs[i] = dys[i] * (${DERIVATIVE_WGSL[fn]});`)}`;
}

const BINARY_WGSL: Record<BinaryFunction, string> = {
  add: "a + b",
  sub: "a - b",
  mul: "a * b",
  div: "a / b",
  max: "select(b, a, a >= b)",
  min: "select(b, a, a <= b)",
  greater: "select(0.0, 1.0, a > b)",
};

/**
 * Uniforms: length (of this chunk), base (the chunk's first element), bLength. `broadcast`: b is bound
 * whole and indexed (base + i) mod bLength; otherwise b has a's length and is windowed like a.
 */
export function binaryShader(fn: BinaryFunction, broadcast: boolean): string {
  const bIndex = broadcast ? "(p.base + i) % p.bLength" : "i";
  return /* wgsl */ `
struct Params { length: u32, base: u32, bLength: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> aValues: array<f32>;
@group(0) @binding(2) var<storage, read> bValues: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
${elementwiseMain("p.length", `  let a = aValues[i];\n  let b = bValues[${bIndex}];\n  out[i] = ${BINARY_WGSL[fn]};`)}`;
}

/** Uniforms: length, value. */
export function fillShader(): string {
  return /* wgsl */ `
struct Params { length: u32, value: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
${elementwiseMain("p.length", "  out[i] = p.value;")}`;
}
