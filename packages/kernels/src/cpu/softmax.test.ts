// The WebAssembly SIMD segment softmax of softmax.wat, beyond the conformance suite: the accuracy of its
// vectorised exp over the whole f32 range, hand-computed values, the segment shapes its loops split
// (empty, 1–3 elements gathered lane by lane, overlapping tails, odd and even vector counts), in-place
// runs, non-finite inputs, and the offset checks that guard its raw memory accesses.
import { describe, expect, it } from "vitest";
import type { KernelBackend, KernelOp } from "../backend.js";
import { createReferenceBackend } from "../reference/reference-backend.js";
import { kernelErrorCode } from "../test-support/kernel-error-code.js";
import { createCpuBackend } from "./cpu-backend.js";

/** The spacing of f32 values at |v|: 2^(e − 23) for a normal v in [2^e, 2^(e+1)), 2^−149 below 2^−126. */
function f32Ulp(v: number): number {
  const a = Math.abs(v);
  return a < 2 ** -126 ? 2 ** -149 : 2 ** (Math.floor(Math.log2(a)) - 23);
}

function offsetsOf(sizes: readonly number[]): number[] {
  const offsets = [0];
  for (const size of sizes) offsets.push(offsets.at(-1)! + size);
  return offsets;
}

/**
 * e^y for each y, as the log-softmax gradient kernel computes it: in segments of 2–10 elements whose
 * last element has dy = 1 (and y = 0) and the others dy = 0, Σ dy = 1 and dx = 0 − e^y·1 = −e^y exactly
 * for the others. The cycling lengths run the exp through both the full-vector trips and the tails.
 */
async function expViaGradient(backend: KernelBackend, ys: readonly number[]): Promise<Float32Array> {
  const y: number[] = [];
  const dy: number[] = [];
  const sizes: number[] = [];
  const positions: number[] = [];
  let size = 2;
  for (let i = 0; i < ys.length; ) {
    let taken = 0;
    for (; taken < size - 1 && i < ys.length; taken++, i++) {
      positions.push(y.length);
      y.push(ys[i]!);
      dy.push(0);
    }
    y.push(0);
    dy.push(1);
    sizes.push(taken + 1);
    size = size === 10 ? 2 : size + 1;
  }
  const dx = backend.allocate(y.length);
  backend.run({
    kind: "segmentSoftmaxGrad",
    y: backend.upload(y),
    dy: backend.upload(dy),
    offsets: backend.uploadIndices(offsetsOf(sizes)),
    dx,
    segments: sizes.length,
    log: true,
  });
  const read = await backend.read(dx);
  return Float32Array.from(positions, (p) => -read[p]!);
}

/** Runs `op` built on both backends from the same host data; returns both results of `output`. */
async function bothBackends(
  cpu: KernelBackend,
  data: Record<string, { float?: readonly number[]; indices?: readonly number[] }>,
  output: string,
  op: (b: Record<string, ReturnType<KernelBackend["upload"]>>) => KernelOp,
): Promise<{ got: Float32Array; expected: Float32Array }> {
  const reference = createReferenceBackend();
  const results: Float32Array[] = [];
  for (const backend of [cpu, reference]) {
    const buffers: Record<string, ReturnType<KernelBackend["upload"]>> = {};
    for (const [name, { float, indices }] of Object.entries(data)) {
      buffers[name] = indices !== undefined ? backend.uploadIndices(indices) : backend.upload(float!);
    }
    backend.run(op(buffers));
    results.push(Float32Array.from(await backend.read(buffers[output]!)));
  }
  reference.dispose();
  return { got: results[0]!, expected: results[1]! };
}

describe("cpu segment softmax (softmax.wat)", () => {
  it("computes e^x within 2^−23 relative (one ulp at the bottom of a binade) on a dense grid of [−87, 0]", async () => {
    // Bound: the polynomial's error (Cephes expf, ≤ 1 ulp), the reduction r = x − n·ln2 with ln2 in two
    // parts, and the final rounding; the scaling by 2^n is exact. Measured: 0.68·2^−23 (0.97 ulp of e^x).
    const backend = await createCpuBackend();
    const count = 1 << 20;
    const xs = Array.from({ length: count }, (_, i) => Math.fround(-87 + (87 * i) / (count - 1)));
    const got = await expViaGradient(backend, xs);
    let worst = 0;
    for (let i = 0; i < count; i++) {
      const exact = Math.exp(xs[i]!);
      worst = Math.max(worst, Math.abs(got[i]! - exact) / exact);
    }
    console.log(
      `vectorised exp on [−87, 0]: worst relative error ${worst.toExponential(3)} = ${(worst / 2 ** -23).toFixed(3)}·2^−23`,
    );
    expect(worst).toBeLessThanOrEqual(2 ** -23);
    backend.dispose();
  });

  it("keeps e^x ≥ 0 and within one f32 ulp from −104 to 88.7: subnormal, then 0 below; +∞ past f32's largest", async () => {
    const backend = await createCpuBackend();
    const count = 1 << 18;
    const xs = Array.from({ length: count }, (_, i) => Math.fround(-110 + (198.7 * i) / (count - 1)));
    const got = await expViaGradient(backend, xs);
    for (let i = 0; i < count; i++) {
      const exact = Math.exp(xs[i]!);
      const value = got[i]!;
      if (!(value >= 0) || Math.abs(value - exact) > f32Ulp(exact)) {
        expect.fail(`e^${xs[i]} = ${value}, expected ${exact} within one f32 ulp`);
      }
    }
    const specials = [-1e30, -200, -104, -Infinity, Number.NaN, Infinity, 89, 1e30];
    expect([...(await expViaGradient(backend, specials))].map((v) => (Object.is(v, -0) ? 0 : v))).toEqual([
      0,
      0,
      0,
      0,
      Number.NaN,
      Infinity,
      Infinity,
      Infinity,
    ]);
    backend.dispose();
  });

  it("softmax's own exp: segments [0, v…] over [−87, 0] within 6 f32 ulps of the f64 softmax", async () => {
    // The forward kernel's exp loop, with the f32 sum and the multiply by 1/Σ on top (measured 4.3 ulps).
    const backend = await createCpuBackend();
    const count = 1 << 18;
    const xs: number[] = [];
    const sizes: number[] = [];
    for (let i = 0, size = 2; i < count; size = size === 17 ? 2 : size + 1) {
      xs.push(0);
      let taken = 1;
      for (; taken < size && i < count; taken++, i++) xs.push(Math.fround(-87 + (87 * i) / (count - 1)));
      sizes.push(taken);
    }
    const offsets = offsetsOf(sizes);
    const out = backend.allocate(xs.length);
    backend.run({
      kind: "segmentSoftmax",
      x: backend.upload(xs),
      offsets: backend.uploadIndices(offsets),
      out,
      segments: sizes.length,
      log: false,
    });
    const got = await backend.read(out);
    let worst = 0;
    for (let s = 0; s < sizes.length; s++) {
      let sum = 0;
      for (let i = offsets[s]!; i < offsets[s + 1]!; i++) sum += Math.exp(xs[i]!);
      for (let i = offsets[s]!; i < offsets[s + 1]!; i++) {
        const exact = Math.exp(xs[i]!) / sum;
        if (exact >= 2 ** -126) worst = Math.max(worst, Math.abs(got[i]! - exact) / f32Ulp(exact));
      }
    }
    expect(worst).toBeLessThanOrEqual(6);
    backend.dispose();
  });

  it("softmax of [0, ln 2, ln 3] is [1/6, 2/6, 3/6]; log-softmax is their logs", async () => {
    const backend = await createCpuBackend();
    const x = backend.upload([0, Math.LN2, Math.log(3)]);
    const offsets = backend.uploadIndices([0, 3]);
    const out = backend.allocate(3);
    backend.run({ kind: "segmentSoftmax", x, offsets, out, segments: 1, log: false });
    // Within 2 f32 ulps (x holds ln 2 and ln 3 rounded to f32, half an ulp each).
    const near = (got: ArrayLike<number>, expected: number[]) => {
      for (const [i, value] of expected.entries()) {
        expect(Math.abs(got[i]! - value), `element ${i}`).toBeLessThanOrEqual(2 * f32Ulp(value));
      }
    };
    near(await backend.read(out), [1 / 6, 2 / 6, 3 / 6]);
    backend.run({ kind: "segmentSoftmax", x, offsets, out, segments: 1, log: true });
    near(await backend.read(out), [Math.log(1 / 6), Math.log(2 / 6), Math.log(3 / 6)]);
    backend.dispose();
  });

  it("writes nothing for empty segments; a size-1 segment gives 1 (log: 0) and a zero gradient", async () => {
    const backend = await createCpuBackend();
    // Segments [], [5], [], [−3, 2], []: the 7s at the empty ones' neighbours must stay.
    const offsets = backend.uploadIndices([0, 0, 1, 1, 3, 3]);
    const x = backend.upload([5, -3, 2]);
    for (const log of [false, true]) {
      const out = backend.upload([7, 7, 7, 7]);
      backend.run({ kind: "segmentSoftmax", x, offsets, out, segments: 5, log });
      const got = await backend.read(out);
      const e = Math.exp(-5);
      const pair = log ? [-5 - Math.log1p(e), -Math.log1p(e)] : [e / (1 + e), 1 / (1 + e)];
      expect(got[0]).toBe(log ? 0 : 1);
      expect(got[1]).toBeCloseTo(pair[0]!, 6);
      expect(got[2]).toBeCloseTo(pair[1]!, 6);
      expect(got[3]).toBe(7);
      const y = backend.upload(log ? [0] : [1]);
      const dx = backend.upload([7, 7]);
      backend.run({
        kind: "segmentSoftmaxGrad",
        y,
        dy: backend.upload([0.75]),
        offsets: backend.uploadIndices([0, 0, 1, 1]),
        dx,
        segments: 3,
        log,
      });
      expect([...(await backend.read(dx))]).toEqual([0, 7]);
    }
    // No segments at all: nothing is read or written.
    const untouched = backend.upload([7]);
    backend.run({
      kind: "segmentSoftmax",
      x,
      offsets: backend.uploadIndices([0]),
      out: untouched,
      segments: 0,
      log: false,
    });
    expect([...(await backend.read(untouched))]).toEqual([7]);
    backend.dispose();
  });

  it("matches the reference on every segment length 0–41, forward and gradient, out of place and in place", async () => {
    const backend = await createCpuBackend();
    const sizes = Array.from({ length: 42 }, (_, i) => i).concat([1, 2, 3, 4, 5, 0, 7, 8, 9]);
    const offsets = offsetsOf(sizes);
    const total = offsets.at(-1)!;
    const x = Array.from({ length: total }, (_, i) => 8 * Math.sin(i * 1.618) - 2);
    const dy = Array.from({ length: total }, (_, i) => Math.cos(i * 0.7));
    const segments = sizes.length;
    // f32 sums and exp against the reference's f64 ones: a few ulps of the largest term, √length-scaled.
    const check = (got: Float32Array, expected: Float32Array, what: string) => {
      for (let s = 0; s < segments; s++) {
        for (let i = offsets[s]!; i < offsets[s + 1]!; i++) {
          const tolerance = 1e-6 + 4e-7 * Math.sqrt(sizes[s]!) * Math.abs(expected[i]!);
          if (!(Math.abs(got[i]! - expected[i]!) <= tolerance)) {
            expect.fail(`${what}: element ${i} (segment ${s} of ${sizes[s]}) is ${got[i]}, expected ${expected[i]}`);
          }
        }
      }
    };
    for (const log of [false, true]) {
      const forward = await bothBackends(
        backend,
        { x: { float: x }, offsets: { indices: offsets }, out: { float: new Array(total).fill(0) } },
        "out",
        (b) => ({ kind: "segmentSoftmax", x: b.x!, offsets: b.offsets!, out: b.out!, segments, log }),
      );
      check(forward.got, forward.expected, `segmentSoftmax log=${log}`);
      const inPlace = await bothBackends(backend, { x: { float: x }, offsets: { indices: offsets } }, "x", (b) => ({
        kind: "segmentSoftmax",
        x: b.x!,
        offsets: b.offsets!,
        out: b.x!,
        segments,
        log,
      }));
      check(inPlace.got, forward.expected, `segmentSoftmax log=${log} in place`);
      const y = [...forward.expected];
      for (const alias of ["none", "y", "dy"] as const) {
        const grad = await bothBackends(
          backend,
          {
            y: { float: y },
            dy: { float: dy },
            offsets: { indices: offsets },
            dx: { float: new Array(total).fill(0) },
          },
          alias === "none" ? "dx" : alias,
          (b) => ({
            kind: "segmentSoftmaxGrad",
            y: b.y!,
            dy: b.dy!,
            offsets: b.offsets!,
            dx: alias === "none" ? b.dx! : b[alias]!,
            segments,
            log,
          }),
        );
        check(grad.got, grad.expected, `segmentSoftmaxGrad log=${log} dx=${alias}`);
      }
    }
    backend.dispose();
  });

  it("turns a segment with a NaN or +∞ into NaN and gives −∞ elements 0, as the reference does", async () => {
    const backend = await createCpuBackend();
    const sizes = [3, 6, 2, 5, 2];
    const x = [
      1,
      Number.NaN,
      2,
      0,
      1,
      Infinity,
      2,
      3,
      4,
      -Infinity,
      0,
      -Infinity,
      1,
      2,
      -Infinity,
      3,
      -Infinity,
      -Infinity,
    ];
    for (const log of [false, true]) {
      const { got, expected } = await bothBackends(
        backend,
        { x: { float: x }, offsets: { indices: offsetsOf(sizes) }, out: { float: new Array(x.length).fill(0) } },
        "out",
        (b) => ({ kind: "segmentSoftmax", x: b.x!, offsets: b.offsets!, out: b.out!, segments: sizes.length, log }),
      );
      for (let i = 0; i < x.length; i++) {
        if (Number.isNaN(expected[i]!)) expect(got[i], `element ${i}`).toBeNaN();
        else expect(got[i], `element ${i}`).toBeCloseTo(expected[i]!, 6);
      }
      // The segment [−∞, 0]: e^−∞ = 0 exactly, and log-softmax keeps −∞.
      expect([got[9], got[10]]).toEqual(log ? [-Infinity, 0] : [0, 1]);
    }
    backend.dispose();
  });

  it("rejects offsets outside the buffers before writing anything, and too few offsets", async () => {
    const backend = await createCpuBackend();
    const x = backend.upload([1, 2, 3, 4]);
    const out = backend.upload([7, 7, 7, 7]);
    const softmax =
      (offsets: number[], segments: number, target = out) =>
      () =>
        backend.run({
          kind: "segmentSoftmax",
          x,
          offsets: backend.uploadIndices(offsets),
          out: target,
          segments,
          log: false,
        });
    // The second segment ends past out's 4 floats; the first, valid, must not have been written.
    expect(kernelErrorCode(softmax([0, 2, 5], 2))).toBe("index_out_of_range");
    expect(kernelErrorCode(softmax([-1, 2], 1))).toBe("index_out_of_range");
    expect(kernelErrorCode(softmax([0, 4], 1, backend.upload([7, 7, 7])))).toBe("index_out_of_range");
    expect([...(await backend.read(out))]).toEqual([7, 7, 7, 7]);
    expect(kernelErrorCode(softmax([0, 2], 2))).toBe("shape_mismatch");
    expect(kernelErrorCode(softmax([0, 2], 1.5))).toBe("invalid_option");
    // Empty or reversed segments touch nothing, so their offsets may lie anywhere, as in the reference.
    softmax([9, 9, 0, 4], 3)();
    expect([...(await backend.read(out))].map((v) => v.toFixed(4))).toEqual(["0.0321", "0.0871", "0.2369", "0.6439"]);
    const dx = backend.upload([7, 7, 7]);
    expect(
      kernelErrorCode(() =>
        backend.run({
          kind: "segmentSoftmaxGrad",
          y: x,
          dy: x,
          offsets: backend.uploadIndices([0, 4]),
          dx,
          segments: 1,
          log: true,
        }),
      ),
    ).toBe("index_out_of_range");
    expect([...(await backend.read(dx))]).toEqual([7, 7, 7]);
    backend.dispose();
  });
});
