// The TypeScript reference of every kernel: plain loops, written to be read. It computes in JavaScript's
// double precision and stores into the destination array, so on Float64Array buffers it is an f64
// implementation (the gradient checks use it) and on Float32Array buffers it rounds once per stored value.
// The fast backends are tested against it (acceptance 1 of issue 19).
import type { DeviceBuffer, FloatArray, KernelOp, UnaryFunction } from "../backend.js";

/** Resolves a device buffer to its host array. */
export type BufferResolver = {
  float(buffer: DeviceBuffer): FloatArray;
  indices(buffer: DeviceBuffer): Int32Array;
};

const GELU_C = Math.sqrt(2 / Math.PI);

export function unaryValue(fn: UnaryFunction, x: number, alpha: number, beta: number): number {
  switch (fn) {
    case "relu":
      return Math.max(x, 0);
    case "gelu":
      return 0.5 * x * (1 + Math.tanh(GELU_C * (x + 0.044715 * x * x * x)));
    case "tanh":
      return Math.tanh(x);
    case "sigmoid":
      // Two branches so that neither exp overflows.
      return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    case "exp":
      return Math.exp(x);
    case "log":
      return Math.log(x);
    case "abs":
      return Math.abs(x);
    case "square":
      return x * x;
    case "sqrt":
      return Math.sqrt(x);
    case "affine":
      return alpha * x + beta;
    case "clamp":
      return x < alpha ? alpha : Math.min(x, beta);
    case "step":
      return x > alpha ? 1 : 0;
  }
}

/** f′(x), given y = f(x). */
export function unaryDerivative(fn: UnaryFunction, x: number, y: number, alpha: number, beta: number): number {
  switch (fn) {
    case "relu":
      return x > 0 ? 1 : 0;
    case "gelu": {
      const inner = GELU_C * (x + 0.044715 * x * x * x);
      const t = Math.tanh(inner);
      return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_C * (1 + 3 * 0.044715 * x * x);
    }
    case "tanh":
      return 1 - y * y;
    case "sigmoid":
      return y * (1 - y);
    case "exp":
      return y;
    case "log":
      return 1 / x;
    case "abs":
      return x > 0 ? 1 : x < 0 ? -1 : 0;
    case "square":
      return 2 * x;
    case "sqrt":
      return 0.5 / y;
    case "affine":
      return alpha;
    case "clamp":
      // The gradient passes inside the interval, edges included (PyTorch's clamp does the same).
      return x >= alpha && x <= beta ? 1 : 0;
    case "step":
      return 0;
  }
}

export function binaryValue(fn: string, a: number, b: number): number {
  switch (fn) {
    case "add":
      return a + b;
    case "sub":
      return a - b;
    case "mul":
      return a * b;
    case "div":
      return a / b;
    case "max":
      return Math.max(a, b);
    case "min":
      return Math.min(a, b);
    case "greater":
      return a > b ? 1 : 0;
    default:
      throw new Error(`unknown binary function ${fn}`);
  }
}

/** Runs one kernel on host arrays. */
export function runReferenceKernel(op: KernelOp, buffers: BufferResolver): void {
  switch (op.kind) {
    case "matmul": {
      const a = buffers.float(op.a);
      const b = buffers.float(op.b);
      const out = buffers.float(op.out);
      const { m, k, n, transposeA, transposeB } = op;
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let sum = 0;
          for (let p = 0; p < k; p++) {
            const av = transposeA ? a[p * m + i]! : a[i * k + p]!;
            const bv = transposeB ? b[j * k + p]! : b[p * n + j]!;
            sum += av * bv;
          }
          out[i * n + j] = sum;
        }
      }
      return;
    }
    case "unary": {
      const x = buffers.float(op.x);
      const out = buffers.float(op.out);
      for (let i = 0; i < op.length; i++) out[i] = unaryValue(op.fn, x[i]!, op.alpha, op.beta);
      return;
    }
    case "unaryGrad": {
      const x = buffers.float(op.x);
      const y = buffers.float(op.y);
      const dy = buffers.float(op.dy);
      const dx = buffers.float(op.dx);
      for (let i = 0; i < op.length; i++) dx[i] = dy[i]! * unaryDerivative(op.fn, x[i]!, y[i]!, op.alpha, op.beta);
      return;
    }
    case "binary": {
      const a = buffers.float(op.a);
      const b = buffers.float(op.b);
      const out = buffers.float(op.out);
      for (let i = 0; i < op.length; i++) out[i] = binaryValue(op.fn, a[i]!, b[i % op.bLength]!);
      return;
    }
    case "reduce": {
      const x = buffers.float(op.x);
      const out = buffers.float(op.out);
      const { outer, axis, inner } = op;
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          let sum = 0;
          for (let a = 0; a < axis; a++) sum += x[(o * axis + a) * inner + i]!;
          out[o * inner + i] = op.fn === "mean" ? sum / axis : sum;
        }
      }
      return;
    }
    case "broadcast": {
      const x = buffers.float(op.x);
      const out = buffers.float(op.out);
      const { outer, axis, inner } = op;
      for (let o = 0; o < outer; o++) {
        for (let a = 0; a < axis; a++) {
          for (let i = 0; i < inner; i++) out[(o * axis + a) * inner + i] = x[o * inner + i]! * op.scale;
        }
      }
      return;
    }
    case "copyAxis": {
      const src = buffers.float(op.src);
      const dst = buffers.float(op.dst);
      for (let o = 0; o < op.outer; o++) {
        for (let a = 0; a < op.count; a++) {
          const from = (o * op.srcAxis + op.srcStart + a) * op.inner;
          const to = (o * op.dstAxis + op.dstStart + a) * op.inner;
          for (let i = 0; i < op.inner; i++) dst[to + i] = src[from + i]!;
        }
      }
      return;
    }
    case "gatherRows": {
      const table = buffers.float(op.table);
      const indices = buffers.indices(op.indices);
      const out = buffers.float(op.out);
      for (let r = 0; r < op.rows; r++) {
        const row = indices[r]!;
        for (let c = 0; c < op.width; c++) out[r * op.width + c] = table[row * op.width + c]!;
      }
      return;
    }
    case "scatterAddRows": {
      const source = buffers.float(op.source);
      const indices = buffers.indices(op.indices);
      const out = buffers.float(op.out);
      for (let r = 0; r < op.rows; r++) {
        const row = indices[r]!;
        for (let c = 0; c < op.width; c++)
          out[row * op.width + c] = out[row * op.width + c]! + source[r * op.width + c]!;
      }
      return;
    }
    case "segmentSoftmax": {
      const x = buffers.float(op.x);
      const offsets = buffers.indices(op.offsets);
      const out = buffers.float(op.out);
      for (let s = 0; s < op.segments; s++) {
        const start = offsets[s]!;
        const end = offsets[s + 1]!;
        if (end <= start) continue;
        let max = Number.NEGATIVE_INFINITY;
        for (let i = start; i < end; i++) if (x[i]! > max) max = x[i]!;
        let sum = 0;
        for (let i = start; i < end; i++) sum += Math.exp(x[i]! - max);
        if (op.log) {
          const logSum = Math.log(sum);
          for (let i = start; i < end; i++) out[i] = x[i]! - max - logSum;
        } else {
          for (let i = start; i < end; i++) out[i] = Math.exp(x[i]! - max) / sum;
        }
      }
      return;
    }
    case "segmentSoftmaxGrad": {
      const y = buffers.float(op.y);
      const dy = buffers.float(op.dy);
      const offsets = buffers.indices(op.offsets);
      const dx = buffers.float(op.dx);
      for (let s = 0; s < op.segments; s++) {
        const start = offsets[s]!;
        const end = offsets[s + 1]!;
        let sum = 0;
        if (op.log) {
          for (let i = start; i < end; i++) sum += dy[i]!;
          for (let i = start; i < end; i++) dx[i] = dy[i]! - Math.exp(y[i]!) * sum;
        } else {
          for (let i = start; i < end; i++) sum += dy[i]! * y[i]!;
          for (let i = start; i < end; i++) dx[i] = y[i]! * (dy[i]! - sum);
        }
      }
      return;
    }
    case "fill": {
      buffers.float(op.out).fill(op.value, 0, op.length);
      return;
    }
    case "adamw": {
      const param = buffers.float(op.param);
      const grad = buffers.float(op.grad);
      const m = buffers.float(op.m);
      const v = buffers.float(op.v);
      const scale = op.gradScale === null ? 1 : buffers.float(op.gradScale)[0]!;
      const { learningRate: lr, beta1, beta2, epsilon, weightDecay, step } = op;
      const correction1 = 1 - beta1 ** step;
      const correction2 = 1 - beta2 ** step;
      for (let i = 0; i < op.length; i++) {
        const g = grad[i]! * scale;
        const decayed = param[i]! * (1 - lr * weightDecay);
        const mi = beta1 * m[i]! + (1 - beta1) * g;
        const vi = beta2 * v[i]! + (1 - beta2) * g * g;
        m[i] = mi;
        v[i] = vi;
        param[i] = decayed - (lr * (mi / correction1)) / (Math.sqrt(vi / correction2) + epsilon);
      }
      return;
    }
  }
}
