// The conformance suite every backend passes: each kernel on shapes that include 1, primes and sizes
// that are not multiples of any tile, plus (with `large`) launches that need more than 65,535
// workgroups in one dimension, each compared with the TypeScript reference element by element within
// 1e-6 + 1e-5·s·|ref|, where s is √K for a kernel that sums K terms per output and 1 otherwise
// (issue 19, acceptance 1). A new backend (CUDA, say) runs this before anything else.
import type { DeviceBuffer, FloatArray, KernelBackend, KernelName, KernelOp } from "../backend.js";
import { createReferenceBackend } from "../reference/reference-backend.js";
import { runReferenceKernel } from "../reference/reference-kernels.js";

/** One compared case. */
export interface ConformanceResult {
  readonly kernel: KernelName;
  /** What was run, e.g. `matmul 17×31×13 transposeA`. */
  readonly name: string;
  readonly passed: boolean;
  /** The largest |got − ref| / tolerance over every output element (≤ 1 passes; NaN where ref is not NaN fails). */
  readonly worstRatio: number;
  /** The first failing element, when one failed. */
  readonly firstFailure?: {
    readonly output: string;
    readonly index: number;
    readonly got: number;
    readonly expected: number;
  };
}

export interface ConformanceOptions {
  /** Adds the cases whose launches exceed 65,535 workgroups in a dimension (tens of MB each). Default false. */
  readonly large?: boolean | undefined;
  /** Only these kernels (default: all). */
  readonly kernels?: readonly KernelName[] | undefined;
}

/** Deterministic values in [lo, hi): a hash of the position and a salt, so both backends get identical inputs without a generator. */
export function conformanceValues(length: number, salt: number, lo = -1, hi = 1): Float64Array {
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const h = Math.sin((i + 1) * 12.9898 + salt * 78.233) * 43758.5453;
    out[i] = lo + (hi - lo) * (h - Math.floor(h));
  }
  return out;
}

/** Deterministic integers in [0, bound). */
function conformanceIndices(length: number, salt: number, bound: number): Int32Array {
  const values = conformanceValues(length, salt, 0, 1);
  return Int32Array.from(values, (v) => Math.min(bound - 1, Math.floor(v * bound)));
}

type Input =
  | { readonly kind: "float"; readonly data: ArrayLike<number> }
  | { readonly kind: "indices"; readonly data: ArrayLike<number> };

interface Case {
  readonly kernel: KernelName;
  readonly name: string;
  /** Inputs and initial outputs (outputs start as uploaded data, so in-place kernels are covered). */
  readonly buffers: { readonly [name: string]: Input };
  /** Names of the buffers compared after the kernel. */
  readonly outputs: readonly string[];
  /** The number of terms summed per output element (1 for elementwise kernels). */
  readonly terms: number;
  readonly op: (b: { readonly [name: string]: DeviceBuffer }) => KernelOp;
}

const float = (data: ArrayLike<number>): Input => ({ kind: "float", data });
const zeros = (length: number): Input => ({ kind: "float", data: new Float64Array(length) });
const indices = (data: ArrayLike<number>): Input => ({ kind: "indices", data });

/** Segment offsets for these sizes. */
function offsetsOf(sizes: readonly number[]): Int32Array {
  const offsets = new Int32Array(sizes.length + 1);
  for (let s = 0; s < sizes.length; s++) offsets[s + 1] = offsets[s]! + sizes[s]!;
  return offsets;
}

function matmulCases(large: boolean): Case[] {
  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [1, 7, 1],
    [3, 5, 7],
    [17, 31, 13],
    [64, 64, 64],
    [65, 67, 63],
    [128, 1, 3],
    [1, 257, 1],
    [33, 129, 2],
  ];
  if (large) shapes.push([(1 << 20) + 17, 3, 2]);
  const cases: Case[] = [];
  let salt = 1;
  for (const [m, k, n] of shapes) {
    for (const transposeA of [false, true]) {
      for (const transposeB of [false, true]) {
        if (m > 100_000 && (transposeA || transposeB)) continue;
        salt++;
        cases.push({
          kernel: "matmul",
          name: `matmul ${m}×${k}×${n}${transposeA ? " transposeA" : ""}${transposeB ? " transposeB" : ""}`,
          buffers: {
            a: float(conformanceValues(m * k, salt)),
            b: float(conformanceValues(k * n, salt + 100)),
            out: zeros(m * n),
          },
          outputs: ["out"],
          terms: k,
          op: (b) => ({ kind: "matmul", a: b.a!, b: b.b!, out: b.out!, m, k, n, transposeA, transposeB }),
        });
      }
    }
  }
  return cases;
}

const UNARY: { fn: Extract<KernelOp, { kind: "unary" }>["fn"]; lo: number; hi: number; alpha: number; beta: number }[] =
  [
    { fn: "relu", lo: -3, hi: 3, alpha: 0, beta: 0 },
    { fn: "gelu", lo: -6, hi: 6, alpha: 0, beta: 0 },
    { fn: "tanh", lo: -6, hi: 6, alpha: 0, beta: 0 },
    { fn: "sigmoid", lo: -12, hi: 12, alpha: 0, beta: 0 },
    { fn: "exp", lo: -8, hi: 8, alpha: 0, beta: 0 },
    { fn: "log", lo: 0.01, hi: 50, alpha: 0, beta: 0 },
    { fn: "abs", lo: -3, hi: 3, alpha: 0, beta: 0 },
    { fn: "square", lo: -3, hi: 3, alpha: 0, beta: 0 },
    { fn: "sqrt", lo: 0.01, hi: 50, alpha: 0, beta: 0 },
    { fn: "affine", lo: -3, hi: 3, alpha: -1.5, beta: 0.25 },
    { fn: "clamp", lo: -3, hi: 3, alpha: -0.8, beta: 1.2 },
    { fn: "step", lo: -3, hi: 3, alpha: 0.1, beta: 0 },
  ];

function elementwiseCases(large: boolean): Case[] {
  const lengths = [1, 2, 7, 64, 257, 1031];
  const cases: Case[] = [];
  let salt = 500;
  for (const { fn, lo, hi, alpha, beta } of UNARY) {
    for (const length of lengths) {
      salt++;
      cases.push({
        kernel: "unary",
        name: `unary ${fn} ${length}`,
        buffers: { x: float(conformanceValues(length, salt, lo, hi)), out: zeros(length) },
        outputs: ["out"],
        terms: 1,
        op: (b) => ({ kind: "unary", fn, x: b.x!, out: b.out!, length, alpha, beta }),
      });
      if (fn === "affine" || fn === "step") continue;
      const x = conformanceValues(length, salt, lo, hi);
      // y = f(x) from the reference, so that the grad kernel sees a consistent pair.
      const ySync = referenceOutput({ x, out: new Float64Array(length) }, "out", (b) => ({
        kind: "unary",
        fn,
        x: b.x!,
        out: b.out!,
        length,
        alpha,
        beta,
      }));
      cases.push({
        kernel: "unaryGrad",
        name: `unaryGrad ${fn} ${length}`,
        buffers: { x: float(x), y: float(ySync), dy: float(conformanceValues(length, salt + 1)), dx: zeros(length) },
        outputs: ["dx"],
        terms: 1,
        op: (b) => ({ kind: "unaryGrad", fn, x: b.x!, y: b.y!, dy: b.dy!, dx: b.dx!, length, alpha, beta }),
      });
    }
  }
  for (const fn of ["add", "sub", "mul", "div", "max", "min", "greater"] as const) {
    for (const [length, bLength] of [
      [1, 1],
      [7, 7],
      [7, 1],
      [391, 17],
      [1031, 1031],
    ] as const) {
      salt++;
      cases.push({
        kernel: "binary",
        name: `binary ${fn} ${length}/${bLength}`,
        buffers: {
          a: float(conformanceValues(length, salt, -2, 2)),
          // Divisors stay away from 0.
          b: float(conformanceValues(bLength, salt + 1, fn === "div" ? 0.5 : -2, 2)),
          out: zeros(length),
        },
        outputs: ["out"],
        terms: 1,
        op: (b) => ({ kind: "binary", fn, a: b.a!, b: b.b!, out: b.out!, length, bLength }),
      });
    }
  }
  if (large) {
    const length = (1 << 24) + 3;
    cases.push({
      kernel: "unary",
      name: `unary tanh ${length} (more than 65,535 workgroups)`,
      buffers: { x: float(conformanceValues(length, 7, -3, 3)), out: zeros(length) },
      outputs: ["out"],
      terms: 1,
      op: (b) => ({ kind: "unary", fn: "tanh", x: b.x!, out: b.out!, length, alpha: 0, beta: 0 }),
    });
    cases.push({
      kernel: "binary",
      name: `binary add ${length}/3 (more than 65,535 workgroups)`,
      buffers: { a: float(conformanceValues(length, 8)), b: float([0.5, -1, 2]), out: zeros(length) },
      outputs: ["out"],
      terms: 1,
      op: (b) => ({
        kind: "binary",
        fn: "add",
        a: b.a!,
        b: b.b!,
        out: b.out!,
        length: length - (length % 3),
        bLength: 3,
      }),
    });
    cases.push({
      kernel: "fill",
      name: `fill ${length} (more than 65,535 workgroups)`,
      buffers: { out: zeros(length) },
      outputs: ["out"],
      terms: 1,
      op: (b) => ({ kind: "fill", out: b.out!, value: -2.5, length }),
    });
  }
  for (const length of [1, 13, 1031]) {
    cases.push({
      kernel: "fill",
      name: `fill ${length}`,
      buffers: { out: float(conformanceValues(length + 2, length)) },
      outputs: ["out"],
      terms: 1,
      // Two trailing elements stay untouched.
      op: (b) => ({ kind: "fill", out: b.out!, value: 0.75, length }),
    });
  }
  return cases;
}

/** Runs one reference kernel on host float64 arrays and returns `output`'s array (to build consistent (x, y) pairs for gradient kernels). */
function referenceOutput(
  arrays: { readonly [name: string]: Float64Array | Int32Array },
  output: string,
  op: (b: { readonly [name: string]: DeviceBuffer }) => KernelOp,
): Float64Array {
  const handles: Record<string, DeviceBuffer> = {};
  const byHandle = new Map<DeviceBuffer, Float64Array | Int32Array>();
  for (const [name, data] of Object.entries(arrays)) {
    const handle: DeviceBuffer = { length: data.length, kind: data instanceof Int32Array ? "indices" : "float" };
    handles[name] = handle;
    byHandle.set(handle, data);
  }
  runReferenceKernel(op(handles), {
    float: (buffer) => byHandle.get(buffer) as Float64Array,
    indices: (buffer) => byHandle.get(buffer) as Int32Array,
  });
  return arrays[output] as Float64Array;
}

function reductionCases(large: boolean): Case[] {
  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [1, 7, 1],
    [3, 5, 7],
    [13, 1, 17],
    [2, 257, 3],
    [1, 1031, 1],
    [64, 64, 1],
  ];
  if (large) shapes.push([(1 << 22) + 1, 3, 5]);
  const cases: Case[] = [];
  let salt = 900;
  for (const [outer, axis, inner] of shapes) {
    for (const fn of ["sum", "mean"] as const) {
      salt++;
      if (outer > 100_000 && fn === "mean") continue;
      cases.push({
        kernel: "reduce",
        name: `reduce ${fn} [${outer}, ${axis}, ${inner}]`,
        buffers: { x: float(conformanceValues(outer * axis * inner, salt)), out: zeros(outer * inner) },
        outputs: ["out"],
        terms: axis,
        op: (b) => ({ kind: "reduce", fn, x: b.x!, out: b.out!, outer, axis, inner }),
      });
    }
    if (outer > 100_000) continue;
    salt++;
    cases.push({
      kernel: "broadcast",
      name: `broadcast [${outer}, ${axis}, ${inner}]`,
      buffers: { x: float(conformanceValues(outer * inner, salt)), out: zeros(outer * axis * inner) },
      outputs: ["out"],
      terms: 1,
      op: (b) => ({ kind: "broadcast", x: b.x!, out: b.out!, outer, axis, inner, scale: 0.5 }),
    });
    salt++;
    // Copy the middle third of the source axis into the end of a longer destination axis.
    const count = Math.max(1, Math.floor(axis / 3));
    const srcStart = Math.min(axis - count, count);
    const dstAxis = axis + 2;
    cases.push({
      kernel: "copyAxis",
      name: `copyAxis [${outer}, ${axis}→${dstAxis}, ${inner}] ${count} from ${srcStart}`,
      buffers: {
        src: float(conformanceValues(outer * axis * inner, salt)),
        dst: float(conformanceValues(outer * dstAxis * inner, salt + 1)),
      },
      outputs: ["dst"],
      terms: 1,
      op: (b) => ({
        kind: "copyAxis",
        src: b.src!,
        dst: b.dst!,
        outer,
        inner,
        srcAxis: axis,
        srcStart,
        dstAxis,
        dstStart: dstAxis - count,
        count,
      }),
    });
  }
  return cases;
}

function indexedCases(large: boolean): Case[] {
  const cases: Case[] = [];
  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [5, 3, 1],
    [17, 29, 7],
    [64, 1000, 16],
    [257, 13, 33],
  ];
  if (large) shapes.push([(1 << 20) + 1, 50, 17]);
  let salt = 1300;
  for (const [rows, tableRows, width] of shapes) {
    salt++;
    const ids = conformanceIndices(rows, salt, tableRows);
    cases.push({
      kernel: "gatherRows",
      name: `gatherRows ${rows} of ${tableRows}×${width}`,
      buffers: {
        table: float(conformanceValues(tableRows * width, salt)),
        indices: indices(ids),
        out: zeros(rows * width),
      },
      outputs: ["out"],
      terms: 1,
      op: (b) => ({ kind: "gatherRows", table: b.table!, indices: b.indices!, out: b.out!, rows, width, tableRows }),
    });
    if (rows > 100_000) continue;
    cases.push({
      kernel: "scatterAddRows",
      name: `scatterAddRows ${rows} into ${tableRows}×${width}`,
      buffers: {
        source: float(conformanceValues(rows * width, salt + 1)),
        indices: indices(ids),
        out: float(conformanceValues(tableRows * width, salt + 2)),
      },
      outputs: ["out"],
      terms: rows,
      op: (b) => ({
        kind: "scatterAddRows",
        source: b.source!,
        indices: b.indices!,
        out: b.out!,
        rows,
        width,
        tableRows,
      }),
    });
  }
  // Softmax over segments: equal rows, ragged candidate sets (with an empty one and one of size 1), one long segment.
  const segmentings: number[][] = [
    [1],
    [5, 5, 5],
    [3, 0, 1, 17, 2, 64],
    [1031],
    Array.from({ length: 40 }, (_, i) => (i * 7) % 13),
  ];
  if (large) segmentings.push(Array.from({ length: (1 << 20) + 1 }, (_, i) => 1 + (i % 3)));
  for (const sizes of segmentings) {
    const offsets = offsetsOf(sizes);
    const total = offsets[sizes.length]!;
    const segments = sizes.length;
    const longest = Math.max(1, ...sizes.slice(0, 64));
    for (const log of [false, true]) {
      salt++;
      const label = segments > 64 ? `${segments} segments of 1–3` : `[${sizes.join(",")}]`;
      const x = conformanceValues(total, salt, -6, 6);
      cases.push({
        kernel: "segmentSoftmax",
        name: `segmentSoftmax${log ? " log" : ""} ${label}`,
        buffers: { x: float(x), offsets: indices(offsets), out: zeros(total) },
        outputs: ["out"],
        terms: longest,
        op: (b) => ({ kind: "segmentSoftmax", x: b.x!, offsets: b.offsets!, out: b.out!, segments, log }),
      });
      if (segments > 64) continue;
      const yData = referenceOutput({ x, offsets, out: new Float64Array(total) }, "out", (b) => ({
        kind: "segmentSoftmax",
        x: b.x!,
        offsets: b.offsets!,
        out: b.out!,
        segments,
        log,
      }));
      cases.push({
        kernel: "segmentSoftmaxGrad",
        name: `segmentSoftmaxGrad${log ? " log" : ""} ${label}`,
        buffers: {
          y: float(yData),
          dy: float(conformanceValues(total, salt + 1)),
          offsets: indices(offsets),
          dx: zeros(total),
        },
        outputs: ["dx"],
        terms: longest,
        op: (b) => ({ kind: "segmentSoftmaxGrad", y: b.y!, dy: b.dy!, offsets: b.offsets!, dx: b.dx!, segments, log }),
      });
    }
  }
  for (const [length, withScale] of [
    [1, false],
    [7, true],
    [1031, false],
    [4099, true],
  ] as const) {
    salt++;
    cases.push({
      kernel: "adamw",
      name: `adamw ${length}${withScale ? " gradScale" : ""}`,
      buffers: {
        param: float(conformanceValues(length, salt)),
        grad: float(conformanceValues(length, salt + 1)),
        m: float(conformanceValues(length, salt + 2, -0.1, 0.1)),
        v: float(conformanceValues(length, salt + 3, 0, 0.01)),
        gradScale: float([0.37]),
      },
      outputs: ["param", "m", "v"],
      terms: 1,
      op: (b) => ({
        kind: "adamw",
        param: b.param!,
        grad: b.grad!,
        m: b.m!,
        v: b.v!,
        gradScale: withScale ? b.gradScale! : null,
        length,
        learningRate: 1e-3,
        beta1: 0.9,
        beta2: 0.999,
        epsilon: 1e-8,
        weightDecay: 0.01,
        step: 3,
      }),
    });
  }
  return cases;
}

function allCases(large: boolean): Case[] {
  return [...matmulCases(large), ...elementwiseCases(large), ...reductionCases(large), ...indexedCases(large)];
}

async function runCase(backend: KernelBackend, testCase: Case): Promise<Map<string, FloatArray>> {
  const buffers: Record<string, DeviceBuffer> = {};
  for (const [name, input] of Object.entries(testCase.buffers)) {
    buffers[name] = input.kind === "float" ? backend.upload(input.data) : backend.uploadIndices(input.data);
  }
  try {
    backend.run(testCase.op(buffers));
    const outputs = new Map<string, FloatArray>();
    for (const name of testCase.outputs) outputs.set(name, await backend.read(buffers[name]!));
    return outputs;
  } finally {
    for (const buffer of Object.values(buffers)) backend.release(buffer);
  }
}

/**
 * Runs every kernel case on `backend` and on the float32 TypeScript reference, and compares them.
 * Returns one result per case; a conforming backend passes all of them.
 */
export async function runBackendConformance(
  backend: KernelBackend,
  options: ConformanceOptions = {},
): Promise<ConformanceResult[]> {
  const reference = createReferenceBackend({ floatType: "float32" });
  const wanted = options.kernels === undefined ? null : new Set(options.kernels);
  const results: ConformanceResult[] = [];
  try {
    for (const testCase of allCases(options.large ?? false)) {
      if (wanted !== null && !wanted.has(testCase.kernel)) continue;
      const expected = await runCase(reference, testCase);
      const got = await runCase(backend, testCase);
      const scale = Math.sqrt(testCase.terms);
      let worstRatio = 0;
      let firstFailure: ConformanceResult["firstFailure"];
      for (const [output, expectedValues] of expected) {
        const gotValues = got.get(output)!;
        for (let i = 0; i < expectedValues.length; i++) {
          const e = expectedValues[i]!;
          const g = gotValues[i]!;
          const tolerance = 1e-6 + 1e-5 * scale * Math.abs(e);
          const ratio = Number.isNaN(e) && Number.isNaN(g) ? 0 : e === g ? 0 : Math.abs(g - e) / tolerance;
          const bad = !(ratio <= 1);
          if (bad && firstFailure === undefined) firstFailure = { output, index: i, got: g, expected: e };
          if (!(ratio <= worstRatio)) worstRatio = Number.isNaN(ratio) ? Number.POSITIVE_INFINITY : ratio;
        }
      }
      results.push({
        kernel: testCase.kernel,
        name: testCase.name,
        passed: firstFailure === undefined,
        worstRatio,
        ...(firstFailure === undefined ? {} : { firstFailure }),
      });
    }
  } finally {
    reference.dispose();
  }
  return results;
}
