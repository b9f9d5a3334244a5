// Elementwise operations. Two-operand operations broadcast the second operand over the first's leading
// axes (a bias row, or one element); the gradient of a broadcast operand is summed back to its shape.
import type { DifferentiableUnaryFunction } from "../backend.js";
import { record } from "../tensor/tape.js";
import { sameBackend, type Tensor } from "../tensor/tensor.js";
import { binaryKernel, emptyLike, sumToShape, unaryKernel } from "./kernel-calls.js";

function differentiableUnary(fn: DifferentiableUnaryFunction, x: Tensor, alpha = 0, beta = 0): Tensor {
  const y = unaryKernel(fn, x, alpha, beta);
  return record(y, [x], (dy) => {
    const dx = emptyLike(x);
    x.backend.run({
      kind: "unaryGrad",
      fn,
      x: x.buffer,
      y: y.buffer,
      dy: dy.buffer,
      dx: dx.buffer,
      length: x.size,
      alpha,
      beta,
    });
    return [dx];
  });
}

export const relu = (x: Tensor): Tensor => differentiableUnary("relu", x);
/** GELU, tanh approximation (as GPT-2 and llm.c). */
export const gelu = (x: Tensor): Tensor => differentiableUnary("gelu", x);
export const tanh = (x: Tensor): Tensor => differentiableUnary("tanh", x);
export const sigmoid = (x: Tensor): Tensor => differentiableUnary("sigmoid", x);
export const exp = (x: Tensor): Tensor => differentiableUnary("exp", x);
export const log = (x: Tensor): Tensor => differentiableUnary("log", x);
export const abs = (x: Tensor): Tensor => differentiableUnary("abs", x);
export const square = (x: Tensor): Tensor => differentiableUnary("square", x);
export const sqrt = (x: Tensor): Tensor => differentiableUnary("sqrt", x);
/** min(max(x, low), high); the gradient passes where low ≤ x ≤ high (as torch.clamp). */
export const clamp = (x: Tensor, low: number, high: number): Tensor => differentiableUnary("clamp", x, low, high);

/** scale·x + shift. */
export function affine(x: Tensor, scale: number, shift = 0): Tensor {
  const y = unaryKernel("affine", x, scale, shift);
  return record(y, [x], (dy) => [unaryKernel("affine", dy, scale, 0)]);
}

/** −x. */
export const neg = (x: Tensor): Tensor => affine(x, -1, 0);

/** 1 where x > threshold, else 0 (no gradient). */
export const step = (x: Tensor, threshold = 0): Tensor => unaryKernel("step", x, threshold, 0);

export function add(a: Tensor, b: Tensor): Tensor {
  sameBackend("add", a, b);
  const out = binaryKernel("add", a, b);
  return record(out, [a, b], (dy) => [dy, sumToShape(dy, b)]);
}

export function sub(a: Tensor, b: Tensor): Tensor {
  sameBackend("sub", a, b);
  const out = binaryKernel("sub", a, b);
  return record(out, [a, b], (dy) => [dy, unaryKernel("affine", sumToShape(dy, b), -1, 0)]);
}

export function mul(a: Tensor, b: Tensor): Tensor {
  sameBackend("mul", a, b);
  const out = binaryKernel("mul", a, b);
  return record(out, [a, b], (dy) => [binaryKernel("mul", dy, b), sumToShape(binaryKernel("mul", dy, a), b)]);
}

export function div(a: Tensor, b: Tensor): Tensor {
  sameBackend("div", a, b);
  const out = binaryKernel("div", a, b);
  return record(out, [a, b], (dy) => [
    binaryKernel("div", dy, b),
    // d(a/b)/db = −(a/b)/b.
    sumToShape(unaryKernel("affine", binaryKernel("div", binaryKernel("mul", dy, out), b), -1, 0), b),
  ]);
}

/**
 * The gradient of max / min: to `a` where `a` was chosen (ties go to `a`, as the kinks are measure zero),
 * to `b` elsewhere.
 */
function selectGradients(b: Tensor, dy: Tensor, chooseA: Tensor): [Tensor, Tensor] {
  const toA = binaryKernel("mul", dy, chooseA);
  const toB = binaryKernel("sub", dy, toA);
  return [toA, sumToShape(toB, b)];
}

/** Elementwise max(a, b). */
export function maximum(a: Tensor, b: Tensor): Tensor {
  sameBackend("maximum", a, b);
  const out = binaryKernel("max", a, b);
  return record(out, [a, b], (dy) => {
    // a is chosen unless b > a, i.e. unless −(a − b) > 0.
    const chooseA = unaryKernel(
      "affine",
      unaryKernel("step", unaryKernel("affine", binaryKernel("sub", a, b), -1, 0), 0, 0),
      -1,
      1,
    );
    return selectGradients(b, dy, chooseA);
  });
}

/** Elementwise min(a, b). */
export function minimum(a: Tensor, b: Tensor): Tensor {
  sameBackend("minimum", a, b);
  const out = binaryKernel("min", a, b);
  return record(out, [a, b], (dy) => {
    // a is chosen unless a > b.
    const chooseA = unaryKernel("affine", unaryKernel("step", binaryKernel("sub", a, b), 0, 0), -1, 1);
    return selectGradients(b, dy, chooseA);
  });
}

/** 1 where a > b, else 0 (no gradient). */
export function greater(a: Tensor, b: Tensor): Tensor {
  sameBackend("greater", a, b);
  return binaryKernel("greater", a, b);
}

/** `cond ? a : b` elementwise, for a 0/1 `cond` shaped like `a`: b + cond·(a − b). */
export function where(cond: Tensor, a: Tensor, b: Tensor): Tensor {
  return add(b, mul(cond, sub(a, b)));
}
