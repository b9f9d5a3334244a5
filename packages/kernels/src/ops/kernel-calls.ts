// Thin wrappers that enqueue one kernel into a fresh output tensor, without recording on the tape: the
// building blocks of the public operations and of their backward functions.
import type { BinaryFunction, UnaryFunction } from "../backend.js";
import { KernelError } from "../kernel-error.js";
import { formatShape, type Shape, Tensor } from "../tensor/tensor.js";

export function emptyLike(like: Tensor, shape: Shape = like.shape): Tensor {
  let size = 1;
  for (const extent of shape) size *= extent;
  return new Tensor(like.backend, like.backend.allocate(size), shape);
}

export function unaryKernel(fn: UnaryFunction, x: Tensor, alpha = 0, beta = 0): Tensor {
  const out = emptyLike(x);
  x.backend.run({ kind: "unary", fn, x: x.buffer, out: out.buffer, length: x.size, alpha, beta });
  return out;
}

/** `b`'s shape must be a trailing part of `a`'s (a bias row, or one element). */
export function broadcastLength(operation: string, a: Tensor, b: Tensor): number {
  if (b.size === 1) return 1;
  const offset = a.shape.length - b.shape.length;
  const fits = offset >= 0 && b.shape.every((extent, axis) => extent === a.shape[offset + axis]);
  if (!fits) {
    throw new KernelError(
      "shape_mismatch",
      `${operation}: shape ${formatShape(b.shape)} does not broadcast onto ${formatShape(a.shape)}; the second operand must match the first's trailing axes or have one element`,
    );
  }
  return b.size;
}

export function binaryKernel(fn: BinaryFunction, a: Tensor, b: Tensor, operation: string = fn): Tensor {
  const bLength = broadcastLength(operation, a, b);
  const out = emptyLike(a);
  if (a.size > 0)
    a.backend.run({ kind: "binary", fn, a: a.buffer, b: b.buffer, out: out.buffer, length: a.size, bLength });
  return out;
}

/** Sums `gradient` (shaped like the larger operand) down to `target`'s shape: the backward of broadcasting. */
export function sumToShape(gradient: Tensor, target: Tensor): Tensor {
  if (gradient.size === target.size) return gradient;
  const out = emptyLike(gradient, target.shape);
  gradient.backend.run({
    kind: "reduce",
    fn: "sum",
    x: gradient.buffer,
    out: out.buffer,
    outer: 1,
    axis: gradient.size / target.size,
    inner: target.size,
  });
  return out;
}

/** [outer, axis, inner] of `shape` around `axis`. */
export function splitAtAxis(shape: Shape, axis: number, operation: string): [number, number, number] {
  const rank = shape.length;
  const resolved = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(resolved) || resolved < 0 || resolved >= rank) {
    throw new KernelError(
      "invalid_option",
      `${operation}: axis ${axis} is out of range for shape ${formatShape(shape)}`,
      {
        path: ["axis"],
      },
    );
  }
  let outer = 1;
  for (let i = 0; i < resolved; i++) outer *= shape[i]!;
  let inner = 1;
  for (let i = resolved + 1; i < rank; i++) inner *= shape[i]!;
  return [outer, shape[resolved]!, inner];
}

export function resolveAxis(shape: Shape, axis: number): number {
  return axis < 0 ? axis + shape.length : axis;
}
