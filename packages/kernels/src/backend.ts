/**
 * The backend interface: what a compute device must offer so that every tensor operation, its gradient
 * and the training ops run on it. A backend allocates buffers, uploads host data, runs kernels on
 * buffers that stay on the device, and reads a buffer back (explicit and async: on a GPU it waits for
 * the queue). Every operation of this package (forward, backward and the GRPO ops) is written in terms
 * of the kernels below, so a new backend (CUDA, say) implements this file and nothing else.
 *
 * Layouts are row-major and dense. Sizes are element counts. A kernel never allocates: the caller
 * passes every output buffer, sized as documented.
 */

/** The float type of a backend's buffers: the fast backends are `float32`; the reference also runs `float64` for gradient checks. */
export type FloatType = "float32" | "float64";

/** A host array of a backend's float type. */
export type FloatArray = Float32Array | Float64Array;

/**
 * A buffer on the device. Opaque to callers: only the backend that allocated it may use it. `indices`
 * buffers hold int32 values (token ids, segment offsets, gather positions) and are read only by kernels.
 */
export interface DeviceBuffer {
  readonly length: number;
  readonly kind: "float" | "indices";
}

/** Elementwise one-input functions. `alpha` / `beta` parameterise `affine` (αx + β), `clamp` ([α, β]) and `step` (x > α ? 1 : 0). */
export type UnaryFunction =
  | "relu"
  | "gelu" // the tanh approximation (GPT-2, llm.c): 0.5x(1 + tanh(√(2/π)(x + 0.044715x³)))
  | "tanh"
  | "sigmoid"
  | "exp"
  | "log"
  | "abs"
  | "square"
  | "sqrt"
  | "affine"
  | "clamp"
  | "step";

/** The unary functions with a derivative kernel (affine's is an affine of dy; step's is zero). */
export type DifferentiableUnaryFunction = Exclude<UnaryFunction, "affine" | "step">;

/** Elementwise two-input functions: `greater` is 1 where a > b, else 0. */
export type BinaryFunction = "add" | "sub" | "mul" | "div" | "max" | "min" | "greater";

/** The kernels a backend runs. Buffer fields name device buffers; every other field is a size or a constant. */
export type KernelOp =
  /**
   * out[m×n] = op(A)·op(B), op(A) of shape m×k, op(B) of shape k×n. With `transposeA`, A is stored k×m;
   * with `transposeB`, B is stored n×k.
   */
  | {
      readonly kind: "matmul";
      readonly a: DeviceBuffer;
      readonly b: DeviceBuffer;
      readonly out: DeviceBuffer;
      readonly m: number;
      readonly k: number;
      readonly n: number;
      readonly transposeA: boolean;
      readonly transposeB: boolean;
    }
  /** out[i] = f(x[i]); `length` elements. */
  | {
      readonly kind: "unary";
      readonly fn: UnaryFunction;
      readonly x: DeviceBuffer;
      readonly out: DeviceBuffer;
      readonly length: number;
      readonly alpha: number;
      readonly beta: number;
    }
  /** dx[i] = dy[i]·f′(x[i]), where `y` = f(x) (used by sigmoid, tanh, exp, sqrt, which are cheaper from the output). */
  | {
      readonly kind: "unaryGrad";
      readonly fn: DifferentiableUnaryFunction;
      readonly x: DeviceBuffer;
      readonly y: DeviceBuffer;
      readonly dy: DeviceBuffer;
      readonly dx: DeviceBuffer;
      readonly length: number;
      readonly alpha: number;
      readonly beta: number;
    }
  /** out[i] = f(a[i], b[i mod bLength]); `bLength` divides `length` (a bias row, or a scalar with bLength 1). */
  | {
      readonly kind: "binary";
      readonly fn: BinaryFunction;
      readonly a: DeviceBuffer;
      readonly b: DeviceBuffer;
      readonly out: DeviceBuffer;
      readonly length: number;
      readonly bLength: number;
    }
  /** x viewed as [outer, axis, inner]: out[o, i] = Σ_a x[o, a, i] (`mean`: divided by `axis`). */
  | {
      readonly kind: "reduce";
      readonly fn: "sum" | "mean";
      readonly x: DeviceBuffer;
      readonly out: DeviceBuffer;
      readonly outer: number;
      readonly axis: number;
      readonly inner: number;
    }
  /** The reverse of reduce: out[o, a, i] = x[o, i]·scale, out of shape [outer, axis, inner]. */
  | {
      readonly kind: "broadcast";
      readonly x: DeviceBuffer;
      readonly out: DeviceBuffer;
      readonly outer: number;
      readonly axis: number;
      readonly inner: number;
      readonly scale: number;
    }
  /**
   * Copies a block along a middle axis: for o < outer, a < count, i < inner,
   * dst[o, dstStart + a, i] (dst axis size `dstAxis`) = src[o, srcStart + a, i] (src axis size `srcAxis`).
   * Concatenation and its backward (slicing) are both this kernel.
   */
  | {
      readonly kind: "copyAxis";
      readonly src: DeviceBuffer;
      readonly dst: DeviceBuffer;
      readonly outer: number;
      readonly inner: number;
      readonly srcAxis: number;
      readonly srcStart: number;
      readonly dstAxis: number;
      readonly dstStart: number;
      readonly count: number;
    }
  /** out[r, :] = table[indices[r], :] for r < rows; rows of `width` floats; every index < tableRows. Embedding lookup and gather. */
  | {
      readonly kind: "gatherRows";
      readonly table: DeviceBuffer;
      readonly indices: DeviceBuffer;
      readonly out: DeviceBuffer;
      readonly rows: number;
      readonly width: number;
      readonly tableRows: number;
    }
  /**
   * out[indices[r], :] += source[r, :] for r < rows (out has tableRows rows and keeps what it held).
   * Repeated indices add up; the order of the additions is by increasing r on every backend, so results
   * are deterministic. The gradient of gatherRows, and segment sums.
   */
  | {
      readonly kind: "scatterAddRows";
      readonly source: DeviceBuffer;
      readonly indices: DeviceBuffer;
      readonly out: DeviceBuffer;
      readonly rows: number;
      readonly width: number;
      readonly tableRows: number;
    }
  /**
   * Softmax (or log-softmax with `log`) over each segment [offsets[s], offsets[s + 1]) of x, for
   * s < segments; `offsets` holds segments + 1 non-decreasing int32 values. Rows of a matrix are segments
   * of equal size; candidate sets of different sizes in one batch are segments of their own sizes. An
   * empty segment writes nothing.
   */
  | {
      readonly kind: "segmentSoftmax";
      readonly x: DeviceBuffer;
      readonly offsets: DeviceBuffer;
      readonly out: DeviceBuffer;
      readonly segments: number;
      readonly log: boolean;
    }
  /**
   * The gradient of segmentSoftmax from its output y: softmax dx = y·(dy − Σ_seg dy·y);
   * log-softmax dx = dy − exp(y)·Σ_seg dy.
   */
  | {
      readonly kind: "segmentSoftmaxGrad";
      readonly y: DeviceBuffer;
      readonly dy: DeviceBuffer;
      readonly offsets: DeviceBuffer;
      readonly dx: DeviceBuffer;
      readonly segments: number;
      readonly log: boolean;
    }
  /** out[i] = value for i < length. */
  | { readonly kind: "fill"; readonly out: DeviceBuffer; readonly value: number; readonly length: number }
  /**
   * One AdamW step in place (decoupled weight decay, PyTorch's `torch.optim.AdamW`):
   * param ← param·(1 − lr·wd); m ← β1·m + (1 − β1)·g; v ← β2·v + (1 − β2)·g²;
   * param ← param − lr·(m / (1 − β1^step)) / (√(v / (1 − β2^step)) + ε). `step` counts from 1.
   * `gradScale` (one float, optional) multiplies g first: global-norm clipping without a read-back.
   */
  | {
      readonly kind: "adamw";
      readonly param: DeviceBuffer;
      readonly grad: DeviceBuffer;
      readonly m: DeviceBuffer;
      readonly v: DeviceBuffer;
      readonly gradScale: DeviceBuffer | null;
      readonly length: number;
      readonly learningRate: number;
      readonly beta1: number;
      readonly beta2: number;
      readonly epsilon: number;
      readonly weightDecay: number;
      readonly step: number;
    };

/** The name of each kernel. */
export type KernelName = KernelOp["kind"];

/** A compute device. */
export interface KernelBackend {
  /** `reference`, `cpu` (WebAssembly SIMD), `webgpu`, … */
  readonly name: string;
  readonly floatType: FloatType;
  /** A float buffer of `length` zeros. */
  allocate(length: number): DeviceBuffer;
  /** A float buffer holding `data` (rounded to the backend's float type). */
  upload(data: ArrayLike<number>): DeviceBuffer;
  /** An int32 buffer holding `data`; the caller guarantees each value fits the kernel it feeds. */
  uploadIndices(data: ArrayLike<number>): DeviceBuffer;
  /** Enqueues one kernel. Returns before a GPU finishes; reads wait for it. */
  run(op: KernelOp): void;
  /** The buffer's contents, after every kernel enqueued before this call. */
  read(buffer: DeviceBuffer): Promise<FloatArray>;
  /** An `indices` buffer's contents. */
  readIndices(buffer: DeviceBuffer): Promise<Int32Array>;
  /**
   * Frees a buffer; using it in a later `run` is an error. Kernels already enqueued that use it still see
   * its contents (a GPU backend frees it once they were submitted). Releasing twice is a no-op.
   */
  release(buffer: DeviceBuffer): void;
  /** Frees every buffer and the device; the backend is unusable afterwards. */
  dispose(): void;
}
