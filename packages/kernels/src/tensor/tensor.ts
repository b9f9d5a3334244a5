// Tensors: a shape over a device buffer of one backend. Operations on tensors enqueue kernels and return
// new tensors at once; the data stays on the device until `read()`, which is the one async step.
import type { DeviceBuffer, FloatArray, KernelBackend } from "../backend.js";
import { KernelError } from "../kernel-error.js";
import { registerInScope } from "./scope.js";
import type { TapeNode } from "./tape.js";

export type Shape = readonly number[];

function checkShape(shape: Shape, path: string): number {
  let size = 1;
  for (const [axis, extent] of shape.entries()) {
    if (!Number.isInteger(extent) || extent < 0) {
      throw new KernelError("invalid_option", `${path}[${axis}] must be a non-negative integer, got ${extent}`, {
        path: [path, axis],
      });
    }
    size *= extent;
  }
  return size;
}

/** A float tensor on a backend. */
export class Tensor {
  readonly backend: KernelBackend;
  readonly shape: Shape;
  readonly size: number;
  #buffer: DeviceBuffer | null;
  /** The recorded operation that produced this tensor, when a gradient tape watched it. */
  node: TapeNode | null = null;
  /** Set on the parameters a tape differentiates with respect to. */
  parameterName: string | null = null;
  /** The tensor whose buffer this view shares (reshape), or null: disposing a view frees nothing. */
  readonly base: Tensor | null;

  constructor(backend: KernelBackend, buffer: DeviceBuffer, shape: Shape, base: Tensor | null = null) {
    const size = checkShape(shape, "shape");
    if (buffer.length !== size) {
      throw new KernelError(
        "shape_mismatch",
        `a buffer of ${buffer.length} floats cannot hold shape [${shape.join(", ")}]`,
      );
    }
    this.backend = backend;
    this.shape = Object.freeze([...shape]);
    this.size = size;
    this.#buffer = buffer;
    this.base = base;
    registerInScope(this);
  }

  /** The device buffer; throws `disposed` after {@link Tensor.dispose}. */
  get buffer(): DeviceBuffer {
    if (this.#buffer === null) {
      throw new KernelError("disposed", "this tensor was disposed; keep it (return it from tidy) until its last use");
    }
    return this.#buffer;
  }

  get disposed(): boolean {
    return this.#buffer === null;
  }

  /** The values, row-major, after every kernel enqueued so far. */
  read(): Promise<FloatArray> {
    return this.backend.read(this.buffer);
  }

  /** The single value of a one-element tensor. */
  async item(): Promise<number> {
    if (this.size !== 1) {
      throw new KernelError(
        "shape_mismatch",
        `item() needs a one-element tensor, got shape [${this.shape.join(", ")}]`,
      );
    }
    return (await this.read())[0]!;
  }

  /** Frees the device buffer (views free nothing). Disposing twice is a no-op. */
  dispose(): void {
    if (this.#buffer === null) return;
    if (this.base === null) this.backend.release(this.#buffer);
    this.#buffer = null;
  }
}

/** An int32 tensor of indices (token ids, positions, group ids): uploaded from the host, never differentiated. */
export class IndexTensor {
  readonly backend: KernelBackend;
  readonly length: number;
  /** The host copy: bounds are checked against it, and group sizes are counted from it. */
  readonly values: Int32Array;
  #buffer: DeviceBuffer | null;

  constructor(backend: KernelBackend, values: ArrayLike<number>) {
    const copy = new Int32Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const value = values[i]!;
      if (!Number.isInteger(value) || value < 0 || value > 0x7fffffff) {
        throw new KernelError("index_out_of_range", `index ${i} is ${value}; indices are integers in [0, 2^31)`, {
          path: [i],
        });
      }
      copy[i] = value;
    }
    this.backend = backend;
    this.length = copy.length;
    this.values = copy;
    this.#buffer = backend.uploadIndices(copy);
  }

  get buffer(): DeviceBuffer {
    if (this.#buffer === null) throw new KernelError("disposed", "this index tensor was disposed");
    return this.#buffer;
  }

  /** The largest index (−1 when empty). */
  max(): number {
    let max = -1;
    for (const value of this.values) if (value > max) max = value;
    return max;
  }

  dispose(): void {
    if (this.#buffer === null) return;
    this.backend.release(this.#buffer);
    this.#buffer = null;
  }
}

/** A tensor holding `data` (rounded to the backend's float type) with this shape (default: a vector). */
export function tensor(backend: KernelBackend, data: ArrayLike<number>, shape: Shape = [data.length]): Tensor {
  const size = checkShape(shape, "shape");
  if (size !== data.length) {
    throw new KernelError(
      "shape_mismatch",
      `${data.length} values cannot fill shape [${shape.join(", ")}] (${size} values)`,
    );
  }
  return new Tensor(backend, backend.upload(data), shape);
}

/** A tensor of zeros. */
export function zeros(backend: KernelBackend, shape: Shape): Tensor {
  return new Tensor(backend, backend.allocate(checkShape(shape, "shape")), shape);
}

/** A tensor with every element `value`. */
export function full(backend: KernelBackend, shape: Shape, value: number): Tensor {
  const out = zeros(backend, shape);
  if (value !== 0) backend.run({ kind: "fill", out: out.buffer, value, length: out.size });
  return out;
}

/** An index tensor (token ids, gather positions). */
export function indices(backend: KernelBackend, values: ArrayLike<number>): IndexTensor {
  return new IndexTensor(backend, values);
}

/** Throws unless every tensor lives on `backend`. */
export function sameBackend(operation: string, ...tensors: readonly (Tensor | IndexTensor)[]): KernelBackend {
  const backend = tensors[0]!.backend;
  for (const other of tensors) {
    if (other.backend !== backend) {
      throw new KernelError(
        "inconsistent",
        `${operation}: tensors live on different backends (${backend.name} and ${other.backend.name}); create them on one backend`,
      );
    }
  }
  return backend;
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}
