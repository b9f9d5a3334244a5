import { record } from "../tensor/tape.js";
import type { Tensor } from "../tensor/tensor.js";
import { emptyLike, splitAtAxis } from "./kernel-calls.js";

function reduction(fn: "sum" | "mean", x: Tensor, axis: number | undefined): Tensor {
  const [outer, axisSize, inner] = axis === undefined ? [1, x.size, 1] : splitAtAxis(x.shape, axis, fn);
  const shape =
    axis === undefined ? [] : x.shape.filter((_, index) => index !== (axis < 0 ? axis + x.shape.length : axis));
  const out = emptyLike(x, shape);
  x.backend.run({ kind: "reduce", fn, x: x.buffer, out: out.buffer, outer, axis: axisSize, inner });
  return record(out, [x], (dy) => {
    const dx = emptyLike(x);
    const scale = fn === "mean" ? 1 / axisSize : 1;
    x.backend.run({ kind: "broadcast", x: dy.buffer, out: dx.buffer, outer, axis: axisSize, inner, scale });
    return [dx];
  });
}

/** The sum over one axis (removed from the shape), or over every element (a scalar of shape []). */
export const sum = (x: Tensor, axis?: number): Tensor => reduction("sum", x, axis);

/** The mean over one axis, or over every element. */
export const mean = (x: Tensor, axis?: number): Tensor => reduction("mean", x, axis);
