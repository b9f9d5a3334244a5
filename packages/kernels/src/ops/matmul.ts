import { KernelError } from "../kernel-error.js";
import { record } from "../tensor/tape.js";
import { formatShape, sameBackend, type Tensor } from "../tensor/tensor.js";
import { emptyLike } from "./kernel-calls.js";

export interface MatmulOptions {
  /** Use Aᵀ: `a` is stored k×m. */
  readonly transposeA?: boolean | undefined;
  /** Use Bᵀ: `b` is stored n×k. */
  readonly transposeB?: boolean | undefined;
}

function product(a: Tensor, b: Tensor, transposeA: boolean, transposeB: boolean): Tensor {
  const m = transposeA ? a.shape[1]! : a.shape[0]!;
  const k = transposeA ? a.shape[0]! : a.shape[1]!;
  const n = transposeB ? b.shape[0]! : b.shape[1]!;
  const out = emptyLike(a, [m, n]);
  if (m * n > 0)
    a.backend.run({ kind: "matmul", a: a.buffer, b: b.buffer, out: out.buffer, m, k, n, transposeA, transposeB });
  return out;
}

/** op(A)·op(B) for 2-D tensors. */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  sameBackend("matmul", a, b);
  const transposeA = options.transposeA ?? false;
  const transposeB = options.transposeB ?? false;
  if (a.shape.length !== 2 || b.shape.length !== 2) {
    throw new KernelError(
      "shape_mismatch",
      `matmul needs 2-D tensors, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`,
    );
  }
  const k = transposeA ? a.shape[0]! : a.shape[1]!;
  const kB = transposeB ? b.shape[1]! : b.shape[0]!;
  if (k !== kB) {
    throw new KernelError(
      "shape_mismatch",
      `matmul: op(A) ${formatShape(a.shape)}${transposeA ? "ᵀ" : ""} has ${k} columns but op(B) ${formatShape(b.shape)}${transposeB ? "ᵀ" : ""} has ${kB} rows`,
    );
  }
  const out = product(a, b, transposeA, transposeB);
  return record(out, [a, b], (dy) => [
    // dA = dC·op(B)ᵀ (stored as A is); dB = op(A)ᵀ·dC (stored as B is).
    transposeA ? product(b, dy, transposeB, true) : product(dy, b, false, !transposeB),
    transposeB ? product(dy, a, true, transposeA) : product(a, dy, !transposeA, false),
  ]);
}
