#!/usr/bin/env node
// Kernel benchmark: matrix multiply (GFLOP/s) and segment log-softmax (GB/s) on this package's CPU
// (WebAssembly SIMD) backend, its TypeScript reference, its WebGPU backend when there is one, and two
// established single-threaded CPU engines for comparison: tfjs-backend-wasm (XNNPACK) and onnxruntime-node
// (MLAS). It also estimates this machine's f32 peak per thread with a tight WebAssembly SIMD loop.
//
// A script, not a test: `npm run bench` in packages/kernels, after `npx tsup` (it imports the built
// package by its name, as a user would). Every figure is the median of several timed batches after a
// warm-up long enough for V8 to tier the WebAssembly up to its optimizing compiler; each batch ends by
// reading the last result back to the host, so queued GPU work is counted.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { createCpuBackend, createReferenceBackend } from "@finemem/kernels";

const require = createRequire(import.meta.url);

// ---------------------------------------------------------------------------------------------- timing

/**
 * Seconds per call of `step` (which runs `count` operations and finishes by reading a result back):
 * warm up for `warmMs` (and at least once), then time `runs` batches of about `batchMs` each and
 * take the median.
 */
async function timePerOp(step, { warmMs = 1500, batchMs = 250, runs = 7, maxSeconds = 30 } = {}) {
  const warmStart = performance.now();
  let warmCalls = 0;
  do {
    await step(1);
    warmCalls++;
  } while (performance.now() - warmStart < warmMs);
  const perCall = (performance.now() - warmStart) / warmCalls;
  // Very slow rows (the reference at 1024³) get fewer, single-call batches to stay within maxSeconds.
  const count = Math.max(1, Math.round(batchMs / perCall));
  const batches = Math.max(3, Math.min(runs, Math.floor((maxSeconds * 1000) / (perCall * count))));
  const times = [];
  for (let r = 0; r < batches; r++) {
    const start = performance.now();
    await step(count);
    times.push((performance.now() - start) / 1000 / count);
  }
  times.sort((a, b) => a - b);
  return { seconds: times[Math.floor(times.length / 2)], best: times[0], batches, count };
}

/** CPU time (user + system, all threads) over wall time while `fn` runs: ≈ 1 for one busy thread. */
async function cpuPerWall(fn) {
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  await fn();
  const cpu = process.cpuUsage(cpuStart);
  return (cpu.user + cpu.system) / 1000 / (performance.now() - wallStart);
}

/** Deterministic values in [-1, 1). */
function values(length, salt) {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    const h = Math.sin((i + 1) * 12.9898 + salt * 78.233) * 43758.5453;
    out[i] = 2 * (h - Math.floor(h)) - 1;
  }
  return out;
}

// ------------------------------------------------------------------------------------------------ cases

const MATMUL_SHAPES = [
  [64, 64, 64],
  [256, 256, 256],
  [1024, 1024, 1024],
  [8192, 64, 64],
];
/** Ragged candidate sets: 4096 segments of 1–64 elements; and 1024 rows of 1024. */
const RAGGED_SIZES = Array.from({ length: 4096 }, (_, i) => 1 + ((i * 37 + (i >> 6)) % 64));
const ROWS = { rows: 1024, width: 1024 };

function offsetsOf(sizes) {
  const offsets = new Int32Array(sizes.length + 1);
  for (let s = 0; s < sizes.length; s++) offsets[s + 1] = offsets[s] + sizes[s];
  return offsets;
}
const SOFTMAX_CASES = [
  {
    name: `segment log-softmax, ${RAGGED_SIZES.length} ragged segments of 1–64`,
    offsets: offsetsOf(RAGGED_SIZES),
    ragged: true,
  },
  {
    name: `segment log-softmax, ${ROWS.rows} rows × ${ROWS.width}`,
    offsets: offsetsOf(new Array(ROWS.rows).fill(ROWS.width)),
    ragged: false,
  },
];
/** Bytes a log-softmax reads and writes: x, the offsets, out. */
const softmaxBytes = (c) => c.offsets[c.offsets.length - 1] * 8 + c.offsets.length * 4;

// ------------------------------------------------------------------------------------------- engines

/** One of this package's backends: every timed call runs `count` kernels, then reads the output back. */
function kernelEngine(label, backend, note = "") {
  return {
    label,
    note,
    async matmul([m, k, n]) {
      const a = backend.upload(values(m * k, 1));
      const b = backend.upload(values(k * n, 2));
      const out = backend.allocate(m * n);
      const op = { kind: "matmul", a, b, out, m, k, n, transposeA: false, transposeB: false };
      const result = await timePerOp(
        async (count) => {
          for (let i = 0; i < count; i++) backend.run(op);
          await backend.read(out);
        },
        backend.name === "reference" && m * k * n > 1e8 ? { warmMs: 0, runs: 3 } : {},
      );
      for (const buffer of [a, b, out]) backend.release(buffer);
      return result;
    },
    async softmax(c) {
      const total = c.offsets[c.offsets.length - 1];
      const x = backend.upload(values(total, 3).map((v) => 6 * v));
      const offsets = backend.uploadIndices(c.offsets);
      const out = backend.allocate(total);
      const op = { kind: "segmentSoftmax", x, offsets, out, segments: c.offsets.length - 1, log: true };
      const result = await timePerOp(async (count) => {
        for (let i = 0; i < count; i++) backend.run(op);
        await backend.read(out);
      });
      for (const buffer of [x, offsets, out]) backend.release(buffer);
      return result;
    },
    dispose: () => backend.dispose(),
  };
}

async function tfjsWasmEngine() {
  const tf = require("@tensorflow/tfjs-core");
  const wasm = require("@tensorflow/tfjs-backend-wasm");
  wasm.setWasmPaths(`${join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist")}/`);
  // Forces the single-threaded SIMD build (tfjs-backend-wasm-simd.wasm) before the backend loads.
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
  tf.env().set("WASM_HAS_SIMD_SUPPORT", true);
  if (!(await tf.setBackend("wasm"))) throw new Error("tf.setBackend('wasm') failed");
  await tf.ready();
  const multithread = await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT");
  const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
  // The threaded build's Emscripten module carries a PThread pool; the single-threaded one has none.
  const pthreads = tf.backend().wasm?.PThread !== undefined;
  // And the proof that counts: while a big matmul runs, CPU time equals wall time.
  const a = tf.randomUniform([1024, 1024]);
  const ratio = await cpuPerWall(async () => {
    for (let i = 0; i < 3; i++) {
      const c = tf.matMul(a, a);
      c.dataSync();
      c.dispose();
    }
  });
  a.dispose();
  return {
    label: "tfjs-backend-wasm 4.22 (XNNPACK)",
    note: `simd ${simd}, multithread ${multithread}, pthreads ${pthreads}, CPU/wall during 1024³ matmul ${ratio.toFixed(2)}`,
    async matmul([m, k, n]) {
      const a = tf.tensor2d(values(m * k, 1), [m, k]);
      const b = tf.tensor2d(values(k * n, 2), [k, n]);
      const result = await timePerOp(async (count) => {
        let c;
        for (let i = 0; i < count; i++) {
          c?.dispose();
          c = tf.matMul(a, b);
        }
        c.dataSync();
        c.dispose();
      });
      a.dispose();
      b.dispose();
      return result;
    },
    async softmax(c) {
      // tfjs has no ragged segments; its rows figure is tf.logSoftmax over the last axis.
      if (c.ragged) return null;
      const x = tf.tensor2d(
        values(ROWS.rows * ROWS.width, 3).map((v) => 6 * v),
        [ROWS.rows, ROWS.width],
      );
      const result = await timePerOp(async (count) => {
        let y;
        for (let i = 0; i < count; i++) {
          y?.dispose();
          y = tf.logSoftmax(x);
        }
        y.dataSync();
        y.dispose();
      });
      x.dispose();
      return result;
    },
    dispose() {},
  };
}

async function onnxRuntimeEngine() {
  const ort = require("onnxruntime-node");
  const { onnx } = require("onnx-proto");
  const { FLOAT } = onnx.TensorProto.DataType;
  const valueInfo = (name, dims) => ({
    name,
    type: {
      tensorType: {
        elemType: FLOAT,
        shape: { dim: dims.map((d) => (typeof d === "string" ? { dimParam: d } : { dimValue: d })) },
      },
    },
  });
  /** A one-node model: `opType` on the named inputs. */
  const oneNodeModel = (opType, inputs, output, attribute = []) =>
    onnx.ModelProto.encode(
      onnx.ModelProto.create({
        irVersion: 8,
        producerName: "@finemem/kernels bench",
        opsetImport: [{ domain: "", version: 17 }],
        graph: {
          name: opType,
          node: [{ opType, name: opType, input: inputs.map((i) => i.name), output: [output.name], attribute }],
          input: inputs,
          output: [output],
        },
      }),
    ).finish();
  const sessionOptions = {
    executionProviders: ["cpu"],
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
  };
  const matmulSession = await ort.InferenceSession.create(
    oneNodeModel("MatMul", [valueInfo("A", ["m", "k"]), valueInfo("B", ["k", "n"])], valueInfo("C", ["m", "n"])),
    sessionOptions,
  );
  const logSoftmaxSession = await ort.InferenceSession.create(
    oneNodeModel("LogSoftmax", [valueInfo("X", ["rows", "width"])], valueInfo("Y", ["rows", "width"]), [
      { name: "axis", type: onnx.AttributeProto.AttributeType.INT, i: -1 },
    ]),
    sessionOptions,
  );
  const big = {
    A: new ort.Tensor("float32", values(1024 * 1024, 1), [1024, 1024]),
    B: new ort.Tensor("float32", values(1024 * 1024, 2), [1024, 1024]),
  };
  const ratio = await cpuPerWall(async () => {
    for (let i = 0; i < 3; i++) await matmulSession.run(big);
  });
  return {
    label: `onnxruntime-node ${require("onnxruntime-node/package.json").version} (MLAS)`,
    note: `intraOpNumThreads 1, interOpNumThreads 1, CPU/wall during 1024³ matmul ${ratio.toFixed(2)}`,
    async matmul([m, k, n]) {
      const feeds = {
        A: new ort.Tensor("float32", values(m * k, 1), [m, k]),
        B: new ort.Tensor("float32", values(k * n, 2), [k, n]),
      };
      return timePerOp(async (count) => {
        for (let i = 0; i < count; i++) await matmulSession.run(feeds);
      });
    },
    async softmax(c) {
      // ONNX has no op over ragged segments; its rows figure is LogSoftmax over the last axis.
      if (c.ragged) return null;
      const feeds = {
        X: new ort.Tensor(
          "float32",
          values(ROWS.rows * ROWS.width, 3).map((v) => 6 * v),
          [ROWS.rows, ROWS.width],
        ),
      };
      return timePerOp(async (count) => {
        for (let i = 0; i < count; i++) await logSoftmaxSession.run(feeds);
      });
    },
    async dispose() {
      await matmulSession.release();
      await logSoftmaxSession.release();
    },
  };
}

/** The WebGPU backend from `@finemem/kernels/node`, when that entry exports it and Dawn finds an adapter. */
async function webGpuEngine() {
  let entry;
  try {
    entry = await import("@finemem/kernels/node");
  } catch (error) {
    return { skipped: `@finemem/kernels/node did not load (${error.message.split("\n")[0]})` };
  }
  if (typeof entry.createNodeWebGpuBackend !== "function") {
    return { skipped: "@finemem/kernels/node does not export createNodeWebGpuBackend yet" };
  }
  let adapterText = "unknown adapter";
  let software = false;
  try {
    const webgpu = await import("webgpu");
    // Kept alive until the process ends: Dawn must not collect the GPU object under a live adapter.
    globalThis.__benchGpu = webgpu.create([]);
    const adapter = await globalThis.__benchGpu.requestAdapter();
    const info = adapter?.info ?? {};
    adapterText =
      [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(" ") || adapterText;
    software =
      adapter?.isFallbackAdapter === true ||
      /llvmpipe|lavapipe|swiftshader|\bcpu\b/i.test(`${adapterText} ${info.type ?? ""}`);
  } catch (error) {
    return { skipped: `the webgpu package did not give an adapter (${error.message.split("\n")[0]})` };
  }
  try {
    const backend = await entry.createNodeWebGpuBackend();
    const label = software ? "webgpu, software Vulkan (lavapipe)" : "webgpu";
    return kernelEngine(label, backend, `adapter: ${adapterText}`);
  } catch (error) {
    return { skipped: `createNodeWebGpuBackend failed: ${error.code ?? ""} ${error.message.split("\n")[0]}` };
  }
}

// ----------------------------------------------------------------------------------------- f32 peak

/**
 * GFLOP/s of one thread running 13 independent chains of f32x4 x ← x·c + d (one mul and one add per
 * step, as in a matmul without fused multiply-add): enough chains to cover the latency of both, and
 * few enough (13 + 2 constants) to stay in the 15 xmm registers V8 allocates on x64. A peak is a best
 * case, so this takes the fastest batch, not the median.
 */
async function measurePeak() {
  const wabt = await require("wabt")();
  const chains = 13;
  const unroll = 2;
  const locals = Array.from({ length: chains }, (_, i) => `(local $x${i} v128)`).join(" ");
  const inits = Array.from(
    { length: chains },
    (_, i) => `(local.set $x${i} (v128.const f32x4 ${i} ${i} ${i} ${i}))`,
  ).join("\n");
  const body = Array.from({ length: unroll }, () =>
    Array.from(
      { length: chains },
      (_, i) => `(local.set $x${i} (f32x4.add (f32x4.mul (local.get $x${i}) (local.get $c)) (local.get $d)))`,
    ).join("\n"),
  ).join("\n");
  const sum = Array.from(
    { length: chains - 1 },
    (_, i) => `(local.set $x0 (f32x4.add (local.get $x0) (local.get $x${i + 1})))`,
  ).join("\n");
  const wat = `(module (func (export "run") (param $n i32) (result f32)
    (local $c v128) (local $d v128) ${locals}
    (local.set $c (v128.const f32x4 0.999 0.999 0.999 0.999)) (local.set $d (v128.const f32x4 0.001 0.001 0.001 0.001))
    ${inits}
    (loop $l ${body} (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    ${sum}
    (f32x4.extract_lane 0 (local.get $x0))))`;
  const module = wabt.parseWat("peak.wat", wat, { simd: true });
  const { instance } = await WebAssembly.instantiate(module.toBinary({}).buffer);
  module.destroy();
  const iterations = 1 << 20;
  const flopsPerCall = iterations * unroll * chains * 8;
  const { best } = await timePerOp(async (count) => {
    for (let i = 0; i < count; i++) instance.exports.run(iterations);
  });
  return flopsPerCall / best / 1e9;
}

// ------------------------------------------------------------------------------------------------ main

const fmt = (v, digits = 2) => (v === null || v === undefined || !Number.isFinite(v) ? "n/a" : v.toFixed(digits));
const ratio = (a, b) =>
  a === null || b === null || a === undefined || b === undefined ? "n/a" : `${(a / b).toFixed(2)}×`;

/** Rounds of side-by-side measurement for the CPU peers (median over rounds). */
const ROUNDS = 3;

async function main() {
  console.log(`Node ${process.version}, V8 ${process.versions.v8}, ${process.platform} ${process.arch}`);
  const peak = await measurePeak();
  console.log(
    `f32 peak estimate: ${peak.toFixed(1)} GFLOP/s per thread (WebAssembly SIMD128: 13 chains of f32x4 mul + add, no FMA;` +
      " native AVX2 + FMA code such as onnxruntime's MLAS can exceed it)\n",
  );

  const engines = [];
  engines.push(kernelEngine("@finemem/kernels cpu (wasm simd)", await createCpuBackend()));
  const optional = [
    ["tfjs-backend-wasm", tfjsWasmEngine],
    ["onnxruntime-node", onnxRuntimeEngine],
  ];
  const byKey = {};
  for (const [key, make] of optional) {
    try {
      const engine = await make();
      engines.push(engine);
      byKey[key] = engine;
    } catch (error) {
      console.log(`${key} skipped: ${error.message.split("\n")[0]}`);
    }
  }
  engines.push(kernelEngine("@finemem/kernels reference (TypeScript)", createReferenceBackend()));
  const webgpu = await webGpuEngine();
  if (webgpu.skipped) console.log(`WebGPU rows skipped: ${webgpu.skipped}`);
  else engines.push(webgpu);
  for (const engine of engines) if (engine.note) console.log(`${engine.label}: ${engine.note}`);
  console.log("");

  // This machine's speed drifts by a third over tens of seconds, so the single-threaded CPU peers (ours,
  // tfjs-wasm, onnxruntime) are measured side by side: ROUNDS rounds per case, each in a rotated order,
  // and each figure is the median over rounds. The reference and WebGPU rows are measured once.
  const peers = engines.filter(
    (engine) => engine.label.startsWith("@finemem/kernels cpu") || Object.values(byKey).includes(engine),
  );
  const once = engines.filter((engine) => !peers.includes(engine));
  async function measure(run, amount) {
    const perRound = new Map(engines.map((engine) => [engine, []]));
    for (let round = 0; round < ROUNDS; round++) {
      const order = peers.map((_, index) => peers[(index + round) % peers.length]);
      for (const engine of round === 0 ? [...order, ...once] : order) {
        const timing = await run(engine);
        perRound.get(engine).push(timing === null ? null : amount / timing.seconds / 1e9);
      }
    }
    const results = new Map();
    for (const [engine, figures] of perRound) {
      const measured = figures.filter((figure) => figure !== null).sort((a, b) => a - b);
      results.set(engine, measured.length === 0 ? null : measured[Math.floor(measured.length / 2)]);
    }
    return results;
  }
  const rows = [];
  for (const shape of MATMUL_SHAPES) {
    const flops = 2 * shape[0] * shape[1] * shape[2];
    rows.push({
      name: `matmul ${shape.join("×")}`,
      unit: "GFLOP/s",
      results: await measure((engine) => engine.matmul(shape), flops),
    });
  }
  for (const c of SOFTMAX_CASES) {
    rows.push({ name: c.name, unit: "GB/s", results: await measure((engine) => engine.softmax(c), softmaxBytes(c)) });
  }

  const tfjs = byKey["tfjs-backend-wasm"];
  const ort = byKey["onnxruntime-node"];
  const header = ["case", "backend", "value", "vs tfjs-wasm", "vs onnxruntime", "of wasm peak"];
  const table = [header];
  for (const row of rows) {
    for (const engine of engines) {
      const value = row.results.get(engine);
      table.push([
        row.name,
        engine.label,
        value === null ? "n/a" : `${fmt(value)} ${row.unit}`,
        tfjs ? ratio(value, row.results.get(tfjs)) : "n/a",
        ort ? ratio(value, row.results.get(ort)) : "n/a",
        row.unit === "GFLOP/s" && value !== null ? `${((100 * value) / peak).toFixed(0)}%` : "",
      ]);
    }
  }
  const widths = header.map((_, i) => Math.max(...table.map((r) => r[i].length)));
  const line = (r) => r.map((cell, i) => (i >= 2 ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join("  ");
  let previous = "";
  for (const [i, r] of table.entries()) {
    if (i > 0 && r[0] !== previous && previous !== header[0]) console.log("");
    console.log(line(r[0] === previous ? ["", ...r.slice(1)] : r));
    if (i === 0) console.log(widths.map((w) => "-".repeat(w)).join("  "));
    previous = r[0];
  }
  console.log(
    "\nGB/s counts bytes read + written (x, offsets, out). n/a: tfjs and ONNX have no op over ragged segments." +
      " Each figure: median of timed batches after warm-up (CPU peers: the median of 3 rotated side-by-side rounds); a batch ends by reading the result back.",
  );
  for (const engine of engines) await engine.dispose();
}

await main();
