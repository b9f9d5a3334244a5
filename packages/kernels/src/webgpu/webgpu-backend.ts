// The WebGPU backend: every kernel of backend.ts as a WGSL compute shader (one file per family under
// shaders/). It imports nothing from Node and no WebGPU globals, so the same module runs in browsers
// and, through `@finemem/kernels/node`, on Dawn in Node.
//
// Kernels are recorded into one command encoder and submitted in batches (at a read, or when the
// batch's uniform slots run out); WebGPU orders dispatches, so a read sees every earlier kernel. Each
// dispatch gets its own 256-byte slot of a per-batch uniform buffer, written while that buffer is still
// mapped at creation: a queue.writeBuffer into one shared uniform buffer would land before the whole
// batch runs, so every kernel of the batch would see the last kernel's sizes.
import type { DeviceBuffer, KernelBackend, KernelName, KernelOp } from "../backend.js";
import { KernelError } from "../kernel-error.js";
import { acquireDevice, NO_DEVICE_ADVICE } from "./acquire-device.js";
import { type Chunk, planChunks, splitWorkgroups, WORKGROUP_SIZE } from "./dispatch.js";
import { buildScatterPlan } from "./scatter-plan.js";
import { adamwShader } from "./shaders/adamw.js";
import { broadcastShader, copyAxisShader, reduceShader } from "./shaders/axis.js";
import { type Aliases, applyAliases } from "./shaders/common.js";
import { binaryShader, fillShader, unaryGradShader, unaryShader } from "./shaders/elementwise.js";
import { MATMUL_TILE, matmulShader, matmulThinShader } from "./shaders/matmul.js";
import { gatherRowsShader, scatterAddRowsShader } from "./shaders/rows.js";
import {
  segmentSoftmaxGradThreadShader,
  segmentSoftmaxGradWorkgroupShader,
  segmentSoftmaxThreadShader,
  segmentSoftmaxWorkgroupShader,
} from "./shaders/segment-softmax.js";
import {
  BufferUsage,
  MAP_MODE_READ,
  type WebGpuBufferLike,
  type WebGpuCommandEncoderLike,
  type WebGpuComputePassLike,
  type WebGpuComputePipelineLike,
  type WebGpuDeviceLike,
  type WebGpuHandle,
  type WebGpuLike,
} from "./webgpu-types.js";

export type { WebGpuAdapterLike, WebGpuDeviceLike, WebGpuLike } from "./webgpu-types.js";

export interface WebGpuBackendOptions {
  /** Where to request an adapter: `navigator.gpu` by default; in Node, the object `create()` of the `webgpu` package returns. */
  readonly gpu?: WebGpuLike | undefined;
  /** A device to run on (the backend then leaves it alive on dispose); `gpu` is ignored. */
  readonly device?: WebGpuDeviceLike | undefined;
  readonly powerPreference?: "low-power" | "high-performance" | undefined;
}

/** Dispatches per submitted batch: bounds the uniform buffer (64 KiB) and how long work waits unsubmitted. */
const BATCH_SLOTS = 256;

/** Products with m or n at most this run one thread per output instead of 64×64 tiles. */
const THIN_MATMUL = 8;

/** The longest segment that still runs one thread per segment; longer ones get a workgroup each. */
const THREAD_SEGMENT_LIMIT = 64;

const STORAGE_USAGE = BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST;

interface GpuBuffer extends DeviceBuffer {
  readonly owner: object;
  /** null once released. */
  gpu: WebGpuBufferLike | null;
  /** The host copy of an indices buffer: kernels never write indices, so it stays exact. */
  readonly host: Int32Array | null;
  /** Per indices buffer: scatter plans by `rows:tableRows`, validated index ranges and segment lengths. */
  derived: Map<string, WebGpuBufferLike | number> | null;
}

/** One storage binding: a window of a buffer, in bytes. */
interface Binding {
  readonly buffer: WebGpuBufferLike;
  readonly offset: number;
  readonly size: number;
}

interface Pipeline {
  readonly pipeline: WebGpuComputePipelineLike;
  readonly layout: WebGpuHandle;
}

/** The WebGPU backend on `options.device`, or on a device of an adapter of `options.gpu` / `navigator.gpu`. */
export async function createWebGpuBackend(options: WebGpuBackendOptions = {}): Promise<KernelBackend> {
  const { device, owned } = await acquireDevice(options);
  const limits = device.limits;
  const maxBinding = limits.maxStorageBufferBindingSize;
  const maxWorkgroups = limits.maxComputeWorkgroupsPerDimension;
  const storageAlignment = limits.minStorageBufferOffsetAlignment;
  const slotBytes = Math.max(256, limits.minUniformBufferOffsetAlignment);

  const owner = {};
  const live = new Set<GpuBuffer>();
  const pipelines = new Map<string, Pipeline>();
  let disposed = false;
  let lostMessage: string | null = null;
  let firstError: string | null = null;

  void device.lost.then((info) => {
    if (!disposed) lostMessage = info.message || String(info.reason ?? "unknown reason");
  });
  // Validation errors (a shader the driver rejects, a limit exceeded) are otherwise only printed; keep
  // the first one so that reads fail with it instead of returning what a dropped kernel never wrote.
  // It stays: once a kernel was dropped, every buffer it fed is suspect.
  const errorTarget = device as unknown as {
    addEventListener?: (type: string, listener: (event: { error?: { message?: string } }) => void) => void;
  };
  errorTarget.addEventListener?.("uncapturederror", (event) => {
    firstError ??= event.error?.message ?? "unknown WebGPU error";
  });

  // The batch being recorded.
  let encoder: WebGpuCommandEncoderLike | null = null;
  let pass: WebGpuComputePassLike | null = null;
  let uniforms: WebGpuBufferLike | null = null;
  let uniformView: DataView | null = null;
  let slot = 0;
  /** GPU buffers the current batch uses: releasing one defers its destroy until the batch is submitted. */
  const inBatch = new Set<WebGpuBufferLike>();
  const destroyAfterSubmit: WebGpuBufferLike[] = [];

  function checkUsable(): void {
    if (disposed) throw new KernelError("disposed", "the WebGPU backend was disposed; create a new one");
    if (lostMessage !== null) {
      throw new KernelError(
        "no_device",
        `the WebGPU device was lost (${lostMessage}); create a new backend, or ${NO_DEVICE_ADVICE}`,
      );
    }
  }

  function own(buffer: DeviceBuffer, kind: "float" | "indices"): GpuBuffer {
    checkUsable();
    const gpuBuffer = buffer as GpuBuffer;
    if (gpuBuffer.owner !== owner) {
      throw new KernelError("inconsistent", "a buffer from another backend was passed to the WebGPU backend");
    }
    if (gpuBuffer.gpu === null)
      throw new KernelError("disposed", "a released buffer was used; keep it until its last use");
    if (gpuBuffer.kind !== kind) {
      throw new KernelError("inconsistent", `expected a ${kind} buffer, got a ${gpuBuffer.kind} buffer`);
    }
    return gpuBuffer;
  }

  function createStorage(length: number, write?: (mapped: ArrayBuffer) => void): WebGpuBufferLike {
    const bytes = Math.max(4, length * 4);
    if (bytes > limits.maxBufferSize) {
      throw new KernelError(
        "out_of_memory",
        `a buffer of ${length} elements (${bytes} bytes) exceeds this device's maxBufferSize of ${limits.maxBufferSize} bytes; split the tensor or use createCpuBackend()`,
      );
    }
    // Buffers are zero-initialised by WebGPU; uploads write while mapped at creation, which needs no
    // queue ordering with the batch being recorded.
    const buffer = device.createBuffer({ size: bytes, usage: STORAGE_USAGE, mappedAtCreation: write !== undefined });
    if (write !== undefined) {
      write(buffer.getMappedRange());
      buffer.unmap();
    }
    return buffer;
  }

  function register(
    gpu: WebGpuBufferLike,
    length: number,
    kind: "float" | "indices",
    host: Int32Array | null,
  ): GpuBuffer {
    const buffer: GpuBuffer = { length, kind, owner, gpu, host, derived: null };
    live.add(buffer);
    return buffer;
  }

  function destroySoon(gpu: WebGpuBufferLike): void {
    // A buffer destroyed before its batch is submitted would fail the submit; after submission WebGPU
    // itself waits for the queue before freeing it.
    if (inBatch.has(gpu)) destroyAfterSubmit.push(gpu);
    else gpu.destroy();
  }

  function releaseBuffer(buffer: GpuBuffer): void {
    if (buffer.gpu === null) return;
    destroySoon(buffer.gpu);
    buffer.gpu = null;
    for (const value of buffer.derived?.values() ?? []) if (typeof value !== "number") destroySoon(value);
    buffer.derived = null;
    live.delete(buffer);
  }

  /** The pipeline of a shader variant, compiled on first use; `aliases` makes its in-place form. */
  function pipelineFor(name: string, source: () => string, aliases: Aliases = {}): Pipeline {
    const key = Object.keys(aliases).length === 0 ? name : `${name}:${JSON.stringify(aliases)}`;
    let cached = pipelines.get(key);
    if (cached === undefined) {
      const module = device.createShaderModule({ code: applyAliases(source(), aliases), label: key });
      const pipeline = device.createComputePipeline({
        layout: "auto",
        compute: { module, entryPoint: "main" },
        label: key,
      });
      cached = { pipeline, layout: pipeline.getBindGroupLayout(0) };
      pipelines.set(key, cached);
    }
    return cached;
  }

  /** A window of `floats` floats from float `start` of `buffer`, checked against the op's sizes and the binding limit. */
  function bind(kernel: KernelName, name: string, buffer: GpuBuffer, start: number, floats: number): Binding {
    if (start + floats > buffer.length) {
      throw new KernelError(
        "shape_mismatch",
        `${kernel}: ${name} needs ${start + floats} elements but the buffer holds ${buffer.length}`,
        { path: [name] },
      );
    }
    const size = Math.max(4, floats * 4);
    if (size > maxBinding) {
      throw new KernelError(
        "invalid_option",
        `${kernel}: ${name} spans ${size} bytes, more than this device's maxStorageBufferBindingSize of ${maxBinding} bytes ` +
          `(${kernel} cannot split it; use smaller tensors)`,
        { path: [name] },
      );
    }
    return { buffer: buffer.gpu!, offset: start * 4, size };
  }

  /** Chunks of `units` rows, each binding at most maxStorageBufferBindingSize of every buffer. */
  function chunks(kernel: KernelName, units: number, floatsPerUnit: readonly number[]): Chunk[] {
    try {
      return planChunks(units, floatsPerUnit, maxBinding, storageAlignment);
    } catch (cause) {
      throw new KernelError(
        "invalid_option",
        `${kernel}: one row is larger than this device's maxStorageBufferBindingSize of ${maxBinding} bytes`,
        { cause },
      );
    }
  }

  function beginBatch(): void {
    encoder = device.createCommandEncoder({ label: "@finemem/kernels batch" });
    uniforms = device.createBuffer({
      size: BATCH_SLOTS * slotBytes,
      usage: BufferUsage.UNIFORM,
      mappedAtCreation: true,
    });
    uniformView = new DataView(uniforms.getMappedRange());
    slot = 0;
  }

  /** Submits the batch being recorded (no-op when there is none). */
  function flush(): void {
    if (encoder === null) return;
    pass?.end();
    pass = null;
    uniforms!.unmap();
    device.queue.submit([encoder.finish()]);
    uniforms!.destroy();
    for (const buffer of destroyAfterSubmit) buffer.destroy();
    destroyAfterSubmit.length = 0;
    inBatch.clear();
    encoder = null;
    uniforms = null;
    uniformView = null;
  }

  /**
   * Records one dispatch of `workgroups` workgroups (spread over x, y, z). Uniform structs are u32
   * fields followed by f32 fields, 4 bytes each, in declaration order.
   */
  function dispatch(
    pipeline: Pipeline,
    u32s: readonly number[],
    f32s: readonly number[],
    storage: readonly (Binding | null)[],
    workgroups: number,
  ): void {
    if (workgroups === 0) return;
    if (encoder !== null && slot === BATCH_SLOTS) flush();
    if (encoder === null) beginBatch();
    const base = slot * slotBytes;
    let at = base;
    for (const value of u32s) {
      if (!(value >= 0 && value <= 0xffff_ffff)) {
        throw new KernelError(
          "invalid_option",
          `a size of ${value} does not fit the 32-bit indexing of the WebGPU kernels`,
        );
      }
      uniformView!.setUint32(at, value, true);
      at += 4;
    }
    for (const value of f32s) {
      uniformView!.setFloat32(at, value, true);
      at += 4;
    }
    const entries = [
      {
        binding: 0,
        resource: { buffer: uniforms!, offset: base, size: Math.max(16, Math.ceil((at - base) / 16) * 16) },
      },
    ];
    // An aliased input (null) has no binding: the shader reads the output it is the same buffer as.
    storage.forEach((binding, index) => {
      if (binding !== null) entries.push({ binding: index + 1, resource: binding });
    });
    const bindGroup = device.createBindGroup({ layout: pipeline.layout, entries });
    pass ??= encoder!.beginComputePass();
    pass.setPipeline(pipeline.pipeline);
    pass.setBindGroup(0, bindGroup);
    const [x, y, z] = splitWorkgroups(workgroups, maxWorkgroups);
    pass.dispatchWorkgroups(x, y, z);
    for (const binding of storage) if (binding !== null) inBatch.add(binding.buffer);
    slot++;
  }

  const groups = (threads: number): number => Math.ceil(threads / WORKGROUP_SIZE);

  /** The inputs that are also an output (an in-place kernel): input variable → output variable. */
  function aliasesOf(
    inputs: Readonly<Record<string, GpuBuffer | null>>,
    outputs: Readonly<Record<string, GpuBuffer>>,
  ): Record<string, string> {
    const aliases: Record<string, string> = {};
    for (const [name, input] of Object.entries(inputs)) {
      const output = Object.entries(outputs).find(([, buffer]) => buffer === input);
      if (output !== undefined) aliases[name] = output[0];
    }
    return aliases;
  }

  /** For kernels where a thread reads elements other threads write: in place would race. */
  function forbidAlias(kernel: KernelName, buffer: GpuBuffer, others: readonly GpuBuffer[]): void {
    if (others.includes(buffer)) {
      throw new KernelError("invalid_option", `${kernel}: an input must not be an output buffer (threads would race)`);
    }
  }

  /** Checks indices[0..rows) ⊂ [0, bound) once per (buffer, rows, bound), from the host copy. */
  function checkIndices(kernel: KernelName, indices: GpuBuffer, rows: number, bound: number): void {
    if (rows > indices.length) {
      throw new KernelError(
        "shape_mismatch",
        `${kernel}: ${rows} rows but the indices buffer holds ${indices.length}`,
        {
          path: ["indices"],
        },
      );
    }
    indices.derived ??= new Map();
    const key = `range:${rows}:${bound}`;
    if (indices.derived.has(key)) return;
    const host = indices.host!;
    for (let r = 0; r < rows; r++) {
      const value = host[r]!;
      if (value < 0 || value >= bound) {
        throw new KernelError("index_out_of_range", `${kernel}: indices[${r}] = ${value} is outside [0, ${bound})`, {
          path: ["indices", r],
        });
      }
    }
    indices.derived.set(key, 1);
  }

  /** The longest of the first `segments` segments, after checking the offsets (cached per buffer and count). */
  function longestSegment(kernel: KernelName, offsets: GpuBuffer, segments: number, values: number): number {
    if (segments + 1 > offsets.length) {
      throw new KernelError(
        "shape_mismatch",
        `${kernel}: ${segments} segments need ${segments + 1} offsets, got ${offsets.length}`,
        {
          path: ["offsets"],
        },
      );
    }
    offsets.derived ??= new Map();
    const key = `segments:${segments}:${values}`;
    const cached = offsets.derived.get(key);
    if (typeof cached === "number") return cached;
    const host = offsets.host!;
    let longest = 0;
    for (let s = 0; s < segments; s++) {
      const start = host[s]!;
      const end = host[s + 1]!;
      if (start < 0 || end > values) {
        throw new KernelError(
          "index_out_of_range",
          `${kernel}: segment ${s} [${start}, ${end}) is outside [0, ${values})`,
          {
            path: ["offsets", s],
          },
        );
      }
      longest = Math.max(longest, end - start);
    }
    offsets.derived.set(key, longest);
    return longest;
  }

  function scatterPlan(indices: GpuBuffer, rows: number, tableRows: number): GpuBuffer {
    indices.derived ??= new Map();
    const key = `plan:${rows}:${tableRows}`;
    let plan = indices.derived.get(key) as WebGpuBufferLike | undefined;
    if (plan === undefined) {
      const data = buildScatterPlan(indices.host!, rows, tableRows);
      plan = createStorage(data.length, (mapped) => new Uint32Array(mapped, 0, data.length).set(data));
      indices.derived.set(key, plan);
    }
    // A view of the plan as a buffer, for bind()'s size checks.
    return { length: tableRows + 1 + rows, kind: "indices", owner, gpu: plan, host: null, derived: null };
  }

  function runOp(op: KernelOp): void {
    switch (op.kind) {
      case "matmul": {
        const a = own(op.a, "float");
        const b = own(op.b, "float");
        const out = own(op.out, "float");
        forbidAlias("matmul", out, [a, b]);
        const { m, k, n, transposeA, transposeB } = op;
        if (m * n === 0) return;
        const tilesN = Math.ceil(n / MATMUL_TILE);
        const tiles = Math.ceil(m / MATMUL_TILE) * tilesN;
        const thin = m <= THIN_MATMUL || n <= THIN_MATMUL;
        const pipeline = pipelineFor(`matmul:${thin}:${transposeA}:${transposeB}`, () =>
          thin ? matmulThinShader(transposeA, transposeB) : matmulShader(transposeA, transposeB),
        );
        const storage = [
          bind("matmul", "a", a, 0, m * k),
          bind("matmul", "b", b, 0, k * n),
          bind("matmul", "out", out, 0, m * n),
        ];
        dispatch(pipeline, [m, k, n, tilesN, tiles], [], storage, thin ? groups(m * n) : tiles);
        return;
      }
      case "unary": {
        const x = own(op.x, "float");
        const out = own(op.out, "float");
        const aliases = aliasesOf({ xs: x }, { out });
        const pipeline = pipelineFor(`unary:${op.fn}`, () => unaryShader(op.fn), aliases);
        for (const [start, count] of chunks("unary", op.length, [1, 1])) {
          const storage = [
            aliases.xs ? null : bind("unary", "x", x, start, count),
            bind("unary", "out", out, start, count),
          ];
          dispatch(pipeline, [count], [op.alpha, op.beta], storage, groups(count));
        }
        return;
      }
      case "unaryGrad": {
        const x = own(op.x, "float");
        const y = own(op.y, "float");
        const dy = own(op.dy, "float");
        const dx = own(op.dx, "float");
        const aliases = aliasesOf({ xs: x, ys: y, dys: dy }, { dxs: dx });
        const pipeline = pipelineFor(`unaryGrad:${op.fn}`, () => unaryGradShader(op.fn), aliases);
        for (const [start, count] of chunks("unaryGrad", op.length, [1, 1, 1, 1])) {
          const storage = [
            aliases.xs ? null : bind("unaryGrad", "x", x, start, count),
            aliases.ys ? null : bind("unaryGrad", "y", y, start, count),
            aliases.dys ? null : bind("unaryGrad", "dy", dy, start, count),
            bind("unaryGrad", "dx", dx, start, count),
          ];
          dispatch(pipeline, [count], [op.alpha, op.beta], storage, groups(count));
        }
        return;
      }
      case "binary": {
        const a = own(op.a, "float");
        const b = own(op.b, "float");
        const out = own(op.out, "float");
        const { length, bLength } = op;
        if (length === 0) return;
        if (!(bLength > 0 && length % bLength === 0)) {
          throw new KernelError("shape_mismatch", `binary: bLength ${bLength} does not divide length ${length}`, {
            path: ["bLength"],
          });
        }
        // Without broadcasting, b is windowed like a; with it, b is bound whole and indexed modulo bLength.
        const broadcast = bLength !== length;
        if (broadcast && b === out) {
          throw new KernelError(
            "invalid_option",
            "binary: a broadcast b must not be the output buffer (threads would race)",
          );
        }
        const aliases = aliasesOf({ aValues: a, bValues: b }, { out });
        const pipeline = pipelineFor(`binary:${op.fn}:${broadcast}`, () => binaryShader(op.fn, broadcast), aliases);
        const bWhole = broadcast ? bind("binary", "b", b, 0, bLength) : null;
        for (const [start, count] of chunks("binary", length, [1, 1, 1])) {
          const storage = [
            aliases.aValues ? null : bind("binary", "a", a, start, count),
            aliases.bValues ? null : (bWhole ?? bind("binary", "b", b, start, count)),
            bind("binary", "out", out, start, count),
          ];
          dispatch(pipeline, [count, start, bLength], [], storage, groups(count));
        }
        return;
      }
      case "reduce": {
        const x = own(op.x, "float");
        const out = own(op.out, "float");
        const { outer, axis, inner } = op;
        if (outer * inner === 0) return;
        forbidAlias("reduce", out, [x]);
        const mean = op.fn === "mean";
        const pipeline = pipelineFor(`reduce:${mean}`, () => reduceShader(mean));
        for (const [start, count] of chunks("reduce", outer, [axis * inner, inner])) {
          const storage = [
            bind("reduce", "x", x, start * axis * inner, count * axis * inner),
            bind("reduce", "out", out, start * inner, count * inner),
          ];
          dispatch(pipeline, [count * inner, axis, inner], [], storage, groups(count * inner));
        }
        return;
      }
      case "broadcast": {
        const x = own(op.x, "float");
        const out = own(op.out, "float");
        const { outer, axis, inner } = op;
        forbidAlias("broadcast", out, [x]);
        const pipeline = pipelineFor("broadcast", () => broadcastShader());
        for (const [start, count] of chunks("broadcast", outer, [inner, axis * inner])) {
          const storage = [
            bind("broadcast", "x", x, start * inner, count * inner),
            bind("broadcast", "out", out, start * axis * inner, count * axis * inner),
          ];
          const total = count * axis * inner;
          dispatch(pipeline, [total, axis, inner], [op.scale], storage, groups(total));
        }
        return;
      }
      case "copyAxis": {
        const src = own(op.src, "float");
        const dst = own(op.dst, "float");
        const { outer, inner, count } = op;
        if (op.srcStart + count > op.srcAxis || op.dstStart + count > op.dstAxis) {
          throw new KernelError(
            "shape_mismatch",
            `copyAxis: ${count} rows from ${op.srcStart} / to ${op.dstStart} exceed the axes`,
          );
        }
        const total = outer * count * inner;
        if (total === 0) return;
        // In place, only disjoint blocks of one layout are safe: threads copy in no particular order.
        const disjoint =
          op.srcAxis === op.dstAxis && (op.srcStart + count <= op.dstStart || op.dstStart + count <= op.srcStart);
        if (src === dst && !disjoint) {
          throw new KernelError(
            "invalid_option",
            "copyAxis: copying within one buffer needs one axis size and disjoint blocks",
          );
        }
        const aliases = aliasesOf({ src }, { dst });
        const pipeline = pipelineFor("copyAxis", () => copyAxisShader(), aliases);
        const storage = [
          aliases.src ? null : bind("copyAxis", "src", src, 0, outer * op.srcAxis * inner),
          bind("copyAxis", "dst", dst, 0, outer * op.dstAxis * inner),
        ];
        dispatch(
          pipeline,
          [total, inner, count, op.srcAxis, op.srcStart, op.dstAxis, op.dstStart],
          [],
          storage,
          groups(total),
        );
        return;
      }
      case "gatherRows": {
        const table = own(op.table, "float");
        const indices = own(op.indices, "indices");
        const out = own(op.out, "float");
        forbidAlias("gatherRows", out, [table]);
        const { rows, width, tableRows } = op;
        if (rows * width === 0) return;
        checkIndices("gatherRows", indices, rows, tableRows);
        const pipeline = pipelineFor("gatherRows", () => gatherRowsShader());
        const tableBinding = bind("gatherRows", "table", table, 0, tableRows * width);
        for (const [start, count] of chunks("gatherRows", rows, [width, 1])) {
          const storage = [
            tableBinding,
            bind("gatherRows", "indices", indices, start, count),
            bind("gatherRows", "out", out, start * width, count * width),
          ];
          dispatch(pipeline, [count * width, width], [], storage, groups(count * width));
        }
        return;
      }
      case "scatterAddRows": {
        const source = own(op.source, "float");
        const indices = own(op.indices, "indices");
        const out = own(op.out, "float");
        forbidAlias("scatterAddRows", out, [source]);
        const { rows, width, tableRows } = op;
        if (rows * width === 0) return;
        checkIndices("scatterAddRows", indices, rows, tableRows);
        const plan = scatterPlan(indices, rows, tableRows);
        const pipeline = pipelineFor("scatterAddRows", () => scatterAddRowsShader());
        const storage = [
          bind("scatterAddRows", "source", source, 0, rows * width),
          bind("scatterAddRows", "plan", plan, 0, plan.length),
          bind("scatterAddRows", "out", out, 0, tableRows * width),
        ];
        dispatch(pipeline, [tableRows * width, width], [], storage, groups(tableRows * width));
        return;
      }
      case "segmentSoftmax": {
        const x = own(op.x, "float");
        const offsets = own(op.offsets, "indices");
        const out = own(op.out, "float");
        const { segments, log } = op;
        if (segments === 0) return;
        const values = Math.min(x.length, out.length);
        const longest = longestSegment("segmentSoftmax", offsets, segments, values);
        const aliases = aliasesOf({ xs: x }, { out });
        const perWorkgroup = longest > THREAD_SEGMENT_LIMIT;
        const pipeline = pipelineFor(
          `segmentSoftmax:${log}:${perWorkgroup}`,
          () => (perWorkgroup ? segmentSoftmaxWorkgroupShader(log) : segmentSoftmaxThreadShader(log)),
          aliases,
        );
        const storage = [
          aliases.xs ? null : bind("segmentSoftmax", "x", x, 0, values),
          bind("segmentSoftmax", "offsets", offsets, 0, segments + 1),
          bind("segmentSoftmax", "out", out, 0, values),
        ];
        dispatch(pipeline, [segments], [], storage, perWorkgroup ? segments : groups(segments));
        return;
      }
      case "segmentSoftmaxGrad": {
        const y = own(op.y, "float");
        const dy = own(op.dy, "float");
        const offsets = own(op.offsets, "indices");
        const dx = own(op.dx, "float");
        const { segments, log } = op;
        if (segments === 0) return;
        const values = Math.min(y.length, dy.length, dx.length);
        const longest = longestSegment("segmentSoftmaxGrad", offsets, segments, values);
        const aliases = aliasesOf({ ys: y, dys: dy }, { dxs: dx });
        const perWorkgroup = longest > THREAD_SEGMENT_LIMIT;
        const pipeline = pipelineFor(
          `segmentSoftmaxGrad:${log}:${perWorkgroup}`,
          () => (perWorkgroup ? segmentSoftmaxGradWorkgroupShader(log) : segmentSoftmaxGradThreadShader(log)),
          aliases,
        );
        const storage = [
          aliases.ys ? null : bind("segmentSoftmaxGrad", "y", y, 0, values),
          aliases.dys ? null : bind("segmentSoftmaxGrad", "dy", dy, 0, values),
          bind("segmentSoftmaxGrad", "offsets", offsets, 0, segments + 1),
          bind("segmentSoftmaxGrad", "dx", dx, 0, values),
        ];
        dispatch(pipeline, [segments], [], storage, perWorkgroup ? segments : groups(segments));
        return;
      }
      case "fill": {
        const out = own(op.out, "float");
        const pipeline = pipelineFor("fill", fillShader);
        for (const [start, count] of chunks("fill", op.length, [1])) {
          dispatch(pipeline, [count], [op.value], [bind("fill", "out", out, start, count)], groups(count));
        }
        return;
      }
      case "adamw": {
        const param = own(op.param, "float");
        const grad = own(op.grad, "float");
        const m = own(op.m, "float");
        const v = own(op.v, "float");
        const gradScale = op.gradScale === null ? null : own(op.gradScale, "float");
        const withScale = gradScale !== null;
        if (new Set([param, m, v]).size < 3)
          throw new KernelError("invalid_option", "adamw: param, m and v must be three buffers");
        if (gradScale !== null) forbidAlias("adamw", gradScale, [param, m, v]);
        const aliases = aliasesOf({ grad }, { param, m, v });
        const pipeline = pipelineFor(`adamw:${withScale}`, () => adamwShader(withScale), aliases);
        const { learningRate: lr, beta1, beta2, epsilon, weightDecay, step } = op;
        const constants = [
          lr,
          beta1,
          beta2,
          epsilon,
          1 - lr * weightDecay,
          1 - beta1,
          1 - beta2,
          1 - beta1 ** step,
          1 - beta2 ** step,
        ];
        const scaleBinding = gradScale === null ? null : bind("adamw", "gradScale", gradScale, 0, 1);
        for (const [start, count] of chunks("adamw", op.length, [1, 1, 1, 1])) {
          const storage = [
            bind("adamw", "param", param, start, count),
            aliases.grad ? null : bind("adamw", "grad", grad, start, count),
            bind("adamw", "m", m, start, count),
            bind("adamw", "v", v, start, count),
            scaleBinding,
          ];
          dispatch(pipeline, [count], constants, storage, groups(count));
        }
        return;
      }
    }
  }

  async function readBack(buffer: GpuBuffer): Promise<ArrayBuffer> {
    const bytes = Math.max(4, buffer.length * 4);
    const staging = device.createBuffer({ size: bytes, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
    if (encoder === null) beginBatch();
    pass?.end();
    pass = null;
    encoder!.copyBufferToBuffer(buffer.gpu!, 0, staging, 0, bytes);
    inBatch.add(buffer.gpu!);
    flush();
    try {
      await staging.mapAsync(MAP_MODE_READ);
    } catch (cause) {
      checkUsable();
      throw new KernelError("no_device", `reading a WebGPU buffer failed (${String(cause)})`, { cause });
    }
    try {
      if (firstError !== null) {
        throw new KernelError(
          "kernel_failed",
          `a WebGPU kernel failed validation, so results are unreliable; create a new backend: ${firstError}`,
        );
      }
      return staging.getMappedRange().slice(0, buffer.length * 4);
    } finally {
      staging.unmap();
      staging.destroy();
    }
  }

  return {
    name: "webgpu",
    floatType: "float32",
    allocate(length) {
      checkUsable();
      return register(createStorage(length), length, "float", null);
    },
    upload(data) {
      checkUsable();
      const gpu = createStorage(data.length, (mapped) => new Float32Array(mapped, 0, data.length).set(data));
      return register(gpu, data.length, "float", null);
    },
    uploadIndices(data) {
      checkUsable();
      const host = Int32Array.from(data as ArrayLike<number>);
      const gpu = createStorage(host.length, (mapped) => new Int32Array(mapped, 0, host.length).set(host));
      return register(gpu, host.length, "indices", host);
    },
    run(op) {
      checkUsable();
      runOp(op);
    },
    async read(buffer) {
      return new Float32Array(await readBack(own(buffer, "float")));
    },
    async readIndices(buffer) {
      // Kernels never write indices, so the host copy is the buffer's contents.
      return own(buffer, "indices").host!.slice();
    },
    release(buffer) {
      const gpuBuffer = buffer as GpuBuffer;
      if (gpuBuffer.owner !== owner) return;
      releaseBuffer(gpuBuffer);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      // Unsubmitted kernels are dropped: nothing can read their results any more.
      pass?.end();
      pass = null;
      encoder = null;
      uniforms?.destroy();
      uniforms = null;
      inBatch.clear();
      for (const buffer of [...live]) releaseBuffer(buffer);
      for (const buffer of destroyAfterSubmit) buffer.destroy();
      destroyAfterSubmit.length = 0;
      pipelines.clear();
      if (owned) device.destroy();
    },
  };
}
