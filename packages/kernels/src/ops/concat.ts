import { KernelError } from "../kernel-error.js";
import { record } from "../tensor/tape.js";
import { formatShape, sameBackend, type Tensor } from "../tensor/tensor.js";
import { emptyLike, resolveAxis, splitAtAxis } from "./kernel-calls.js";

/** Joins tensors along `axis`; every other axis must agree. */
export function concat(tensors: readonly Tensor[], axis = -1): Tensor {
  if (tensors.length === 0)
    throw new KernelError("invalid_option", "concat needs at least one tensor", { path: ["tensors"] });
  sameBackend("concat", ...tensors);
  const first = tensors[0]!;
  const resolved = resolveAxis(first.shape, axis);
  splitAtAxis(first.shape, axis, "concat");
  for (const tensor of tensors) {
    const agrees =
      tensor.shape.length === first.shape.length &&
      tensor.shape.every((extent, index) => index === resolved || extent === first.shape[index]);
    if (!agrees) {
      throw new KernelError(
        "shape_mismatch",
        `concat along axis ${axis}: ${formatShape(tensor.shape)} does not match ${formatShape(first.shape)} on the other axes`,
      );
    }
  }
  const total = tensors.reduce((count, tensor) => count + tensor.shape[resolved]!, 0);
  const shape = first.shape.map((extent, index) => (index === resolved ? total : extent));
  const out = emptyLike(first, shape);
  const [outer, , inner] = splitAtAxis(shape, resolved, "concat");
  const starts: number[] = [];
  let start = 0;
  for (const tensor of tensors) {
    const count = tensor.shape[resolved]!;
    starts.push(start);
    if (count > 0 && outer * inner > 0) {
      first.backend.run({
        kind: "copyAxis",
        src: tensor.buffer,
        dst: out.buffer,
        outer,
        inner,
        srcAxis: count,
        srcStart: 0,
        dstAxis: total,
        dstStart: start,
        count,
      });
    }
    start += count;
  }
  return record(out, tensors, (dy) =>
    tensors.map((tensor, index) => {
      const count = tensor.shape[resolved]!;
      const slice = emptyLike(tensor);
      if (count > 0 && outer * inner > 0) {
        dy.backend.run({
          kind: "copyAxis",
          src: dy.buffer,
          dst: slice.buffer,
          outer,
          inner,
          srcAxis: total,
          srcStart: starts[index]!,
          dstAxis: count,
          dstStart: 0,
          count,
        });
      }
      return slice;
    }),
  );
}
