// Softmax and log-softmax over the last axis, and over variable-size segments: the candidate sets of
// different sizes that a memory policy scores in one batch. Rows are segments of equal size, so both
// are one kernel.
import type { KernelBackend } from "../backend.js";
import { KernelError } from "../kernel-error.js";
import { record } from "../tensor/tape.js";
import { formatShape, IndexTensor, sameBackend, type Tensor } from "../tensor/tensor.js";
import { emptyLike } from "./kernel-calls.js";

/** A partition of a vector into consecutive segments of given sizes (candidate sets). */
export class Segments {
  readonly sizes: readonly number[];
  /** offsets[s]…offsets[s + 1] is segment s. */
  readonly offsets: IndexTensor;
  readonly total: number;

  constructor(backend: KernelBackend, sizes: readonly number[]) {
    const offsets = [0];
    for (const [index, size] of sizes.entries()) {
      if (!Number.isInteger(size) || size < 0) {
        throw new KernelError("invalid_option", `segment ${index} has size ${size}; sizes are non-negative integers`, {
          path: ["sizes", index],
        });
      }
      offsets.push(offsets.at(-1)! + size);
    }
    this.sizes = Object.freeze([...sizes]);
    this.total = offsets.at(-1)!;
    this.offsets = new IndexTensor(backend, offsets);
  }

  /** The flat position of item `index` of segment `segment`. */
  position(segment: number, index: number): number {
    return this.offsets.values[segment]! + index;
  }

  dispose(): void {
    this.offsets.dispose();
  }
}

/** Segments of these sizes on `backend`. */
export function segments(backend: KernelBackend, sizes: readonly number[]): Segments {
  return new Segments(backend, sizes);
}

function softmaxOver(x: Tensor, offsets: IndexTensor, segmentCount: number, log: boolean): Tensor {
  const out = emptyLike(x);
  if (segmentCount > 0) {
    x.backend.run({
      kind: "segmentSoftmax",
      x: x.buffer,
      offsets: offsets.buffer,
      out: out.buffer,
      segments: segmentCount,
      log,
    });
  }
  return record(out, [x], (dy) => {
    const dx = emptyLike(x);
    if (segmentCount > 0) {
      x.backend.run({
        kind: "segmentSoftmaxGrad",
        y: out.buffer,
        dy: dy.buffer,
        offsets: offsets.buffer,
        dx: dx.buffer,
        segments: segmentCount,
        log,
      });
    }
    return [dx];
  });
}

function checkSegments(operation: string, x: Tensor, parts: Segments): void {
  sameBackend(operation, x, parts.offsets);
  if (x.size !== parts.total) {
    throw new KernelError(
      "shape_mismatch",
      `${operation}: segments cover ${parts.total} values, x ${formatShape(x.shape)} has ${x.size}`,
    );
  }
}

/** Softmax within each segment of a flat x. */
export function segmentSoftmax(x: Tensor, parts: Segments): Tensor {
  checkSegments("segmentSoftmax", x, parts);
  return softmaxOver(x, parts.offsets, parts.sizes.length, false);
}

/** Log-softmax within each segment of a flat x. */
export function segmentLogSoftmax(x: Tensor, parts: Segments): Tensor {
  checkSegments("segmentLogSoftmax", x, parts);
  return softmaxOver(x, parts.offsets, parts.sizes.length, true);
}

/**
 * Offsets of rows of `width`, cached per backend and shape: row softmax runs every step, and its backward
 * needs the offsets after the forward returns. They live as long as the backend.
 */
const rowOffsets = new WeakMap<KernelBackend, Map<string, IndexTensor>>();
function rowsOf(x: Tensor): [IndexTensor, number] {
  if (x.shape.length === 0) throw new KernelError("shape_mismatch", "softmax needs at least one axis");
  const width = x.shape.at(-1)!;
  const rows = width === 0 ? 0 : x.size / width;
  let cache = rowOffsets.get(x.backend);
  if (cache === undefined) {
    cache = new Map();
    rowOffsets.set(x.backend, cache);
  }
  const key = `${rows}×${width}`;
  let offsets = cache.get(key);
  if (offsets === undefined) {
    offsets = new IndexTensor(
      x.backend,
      Array.from({ length: rows + 1 }, (_, row) => row * width),
    );
    cache.set(key, offsets);
  }
  return [offsets, rows];
}

/** Softmax over the last axis. */
export function softmax(x: Tensor): Tensor {
  const [offsets, rows] = rowsOf(x);
  return softmaxOver(x, offsets, rows, false);
}

/** Log-softmax over the last axis. */
export function logSoftmax(x: Tensor): Tensor {
  const [offsets, rows] = rowsOf(x);
  return softmaxOver(x, offsets, rows, true);
}
