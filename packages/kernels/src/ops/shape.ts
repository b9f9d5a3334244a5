import { KernelError } from "../kernel-error.js";
import { record } from "../tensor/tape.js";
import { formatShape, type Shape, Tensor } from "../tensor/tensor.js";

/** The same values under another shape of the same size (a view: no copy). */
export function reshape(x: Tensor, shape: Shape): Tensor {
  let size = 1;
  for (const extent of shape) size *= extent;
  if (size !== x.size) {
    throw new KernelError(
      "shape_mismatch",
      `reshape: ${formatShape(x.shape)} has ${x.size} values, ${formatShape(shape)} needs ${size}`,
    );
  }
  const view = new Tensor(x.backend, x.buffer, shape, x.base ?? x);
  return record(view, [x], (dy) => [new Tensor(dy.backend, dy.buffer, x.shape, dy.base ?? dy)]);
}

/**
 * Inserts an axis of `size` at `axis`, repeating x along it: [B] → [B, T] with axis 1. The gradient sums
 * over the inserted axis.
 */
export function expand(x: Tensor, axis: number, size: number): Tensor {
  const rank = x.shape.length;
  const at = axis < 0 ? axis + rank + 1 : axis;
  if (!Number.isInteger(at) || at < 0 || at > rank) {
    throw new KernelError("invalid_option", `expand: axis ${axis} is out of range for shape ${formatShape(x.shape)}`, {
      path: ["axis"],
    });
  }
  if (!Number.isInteger(size) || size < 0) {
    throw new KernelError("invalid_option", `expand: size must be a non-negative integer, got ${size}`, {
      path: ["size"],
    });
  }
  let outer = 1;
  for (let i = 0; i < at; i++) outer *= x.shape[i]!;
  const inner = outer === 0 ? 0 : x.size / outer;
  const shape = [...x.shape.slice(0, at), size, ...x.shape.slice(at)];
  const out = new Tensor(x.backend, x.backend.allocate(x.size * size), shape);
  if (out.size > 0)
    x.backend.run({ kind: "broadcast", x: x.buffer, out: out.buffer, outer, axis: size, inner, scale: 1 });
  return record(out, [x], (dy) => {
    const dx = new Tensor(x.backend, x.backend.allocate(x.size), x.shape);
    if (out.size > 0)
      x.backend.run({ kind: "reduce", fn: "sum", x: dy.buffer, out: dx.buffer, outer, axis: size, inner });
    return [dx];
  });
}
