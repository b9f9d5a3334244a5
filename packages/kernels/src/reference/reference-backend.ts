// The reference backend: buffers are plain typed arrays and every kernel is the readable TypeScript loop
// of reference-kernels.ts. `float64` makes it the f64 oracle of the gradient checks.
import type { DeviceBuffer, FloatArray, FloatType, KernelBackend, KernelOp } from "../backend.js";
import { KernelError } from "../kernel-error.js";
import { runReferenceKernel } from "./reference-kernels.js";

interface HostBuffer extends DeviceBuffer {
  data: FloatArray | Int32Array | null;
  readonly owner: object;
}

export interface ReferenceBackendOptions {
  /** `float64` for gradient checks; `float32` (the default) to mirror the fast backends. */
  readonly floatType?: FloatType | undefined;
}

/** The TypeScript reference backend: every kernel as readable loops, in f32 or f64. */
export function createReferenceBackend(options: ReferenceBackendOptions = {}): KernelBackend {
  const floatType = options.floatType ?? "float32";
  if (floatType !== "float32" && floatType !== "float64") {
    throw new KernelError("invalid_option", `floatType must be "float32" or "float64", got ${String(floatType)}`, {
      path: ["floatType"],
    });
  }
  const owner = {};
  let disposed = false;
  const live = new Set<HostBuffer>();
  const makeFloat = (length: number): FloatArray =>
    floatType === "float64" ? new Float64Array(length) : new Float32Array(length);

  function own(buffer: DeviceBuffer, kind: "float" | "indices"): HostBuffer {
    if (disposed) throw new KernelError("disposed", "the reference backend was disposed; create a new one");
    const host = buffer as HostBuffer;
    if (host.owner !== owner) {
      throw new KernelError("inconsistent", "a buffer from another backend was passed to the reference backend");
    }
    if (host.data === null) throw new KernelError("disposed", "a released buffer was used; keep it until its last use");
    if (host.kind !== kind) {
      throw new KernelError("inconsistent", `expected a ${kind} buffer, got a ${host.kind} buffer`);
    }
    return host;
  }
  function register(data: FloatArray | Int32Array, kind: "float" | "indices"): DeviceBuffer {
    if (disposed) throw new KernelError("disposed", "the reference backend was disposed; create a new one");
    const buffer: HostBuffer = { length: data.length, kind, data, owner };
    live.add(buffer);
    return buffer;
  }
  const resolver = {
    float: (buffer: DeviceBuffer) => own(buffer, "float").data as FloatArray,
    indices: (buffer: DeviceBuffer) => own(buffer, "indices").data as Int32Array,
  };

  return {
    name: floatType === "float64" ? "reference-f64" : "reference",
    floatType,
    allocate: (length) => register(makeFloat(length), "float"),
    upload(data) {
      const array = makeFloat(data.length);
      for (let i = 0; i < data.length; i++) array[i] = data[i]!;
      return register(array, "float");
    },
    uploadIndices: (data) => register(Int32Array.from(data as ArrayLike<number>), "indices"),
    run: (op: KernelOp) => runReferenceKernel(op, resolver),
    read: async (buffer) => resolver.float(buffer).slice(),
    readIndices: async (buffer) => resolver.indices(buffer).slice(),
    release(buffer) {
      const host = buffer as HostBuffer;
      if (host.owner !== owner || host.data === null) return;
      host.data = null;
      live.delete(host);
    },
    dispose() {
      for (const buffer of live) buffer.data = null;
      live.clear();
      disposed = true;
    },
  };
}
