// The CPU backend: every buffer lives in one WebAssembly.Memory, so the WebAssembly SIMD kernels run on
// the buffers in place (no copies in or out): matmul (matmul.wat) and segment softmax and its gradient
// (softmax.wat, two modules instantiated on the same memory). Every other kernel runs the TypeScript
// reference loops on Float32Array / Int32Array views of that memory, so those results are the
// reference's bit for bit. Matmul is where training time goes; softmax over a vocabulary is next (an
// exp per element, which the reference computes in scalar f64); the other kernels are linear in their
// sizes and cheap per element. It imports nothing from Node: it runs unchanged in browsers and workers.
import type { DeviceBuffer, FloatArray, KernelBackend, KernelOp } from "../backend.js";
import { KernelError } from "../kernel-error.js";
import { type BufferResolver, runReferenceKernel } from "../reference/reference-kernels.js";
import { MATMUL_WASM_BASE64 } from "./matmul-wasm-bytes.js";
import { SOFTMAX_WASM_BASE64 } from "./softmax-wasm-bytes.js";
import { type WasmMemory, type WasmModuleHandle, wasmApi } from "./wasm-api.js";

export interface CpuBackendOptions {
  /** The WebAssembly memory's initial size in MiB (default 16). It grows as buffers need it, up to 4 GiB. */
  readonly initialMemoryMiB?: number | undefined;
}

interface WasmBuffer extends DeviceBuffer {
  readonly owner: object;
  /** Byte offset in the memory, a multiple of 16. */
  readonly offset: number;
  /** Bytes reserved: the size class that `release` returns it to. */
  readonly capacity: number;
  released: boolean;
}

interface MatmulExports {
  matmul(
    a: number,
    b: number,
    out: number,
    m: number,
    k: number,
    n: number,
    ta: number,
    tb: number,
    scratch: number,
  ): void;
  scratch_bytes(): number;
}

/** softmax.wat: each returns −1, or (having written nothing) the first segment outside [0, values). */
interface SoftmaxExports {
  segment_softmax(x: number, offsets: number, out: number, segments: number, values: number, log: number): number;
  segment_softmax_grad(
    y: number,
    dy: number,
    offsets: number,
    dx: number,
    segments: number,
    values: number,
    log: number,
  ): number;
}

const PAGE_BYTES = 65536;
/** wasm32's limit: 65,536 pages of 64 KiB, 4 GiB. */
const MAX_PAGES = 65536;

interface CompiledModules {
  readonly matmul: WasmModuleHandle;
  readonly softmax: WasmModuleHandle;
}

let compiledModules: Promise<CompiledModules> | null = null;

/** The module's bytes; atob is a global in browsers, workers and Node ≥ 16, so no Node import is needed. */
function decodeBase64(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Compiles the modules once per realm; each backend instantiates them with its own memory. */
function compileModules(): Promise<CompiledModules> {
  if (compiledModules !== null) return compiledModules;
  const api = wasmApi();
  const matmul = decodeBase64(MATMUL_WASM_BASE64);
  const softmax = decodeBase64(SOFTMAX_WASM_BASE64);
  if (api === undefined || !api.validate(matmul) || !api.validate(softmax)) {
    return Promise.reject(
      new KernelError(
        "no_device",
        `this JavaScript engine has no WebAssembly${api === undefined ? "" : " SIMD (128-bit fixed-width SIMD: Chrome 91+, Firefox 89+, Safari 16.4+, Node 16.4+)"}; use createReferenceBackend() instead`,
      ),
    );
  }
  compiledModules = Promise.all([api.compile(matmul), api.compile(softmax)]).then(([m, s]) => ({
    matmul: m,
    softmax: s,
  }));
  return compiledModules;
}

/**
 * Bytes reserved for a request: a multiple of 16 (so views of any element type are aligned and
 * v128 accesses stay 16-byte aligned), exact up to 1 KiB, then four classes per power of two (at most
 * 25% unused), so that a released buffer is reused by any later one of a similar size.
 */
function sizeClass(bytes: number): number {
  const rounded = Math.max(16, Math.ceil(bytes / 16) * 16);
  if (rounded <= 1024) return rounded;
  const step = 2 ** Math.floor(Math.log2(rounded)) / 4;
  return Math.ceil(rounded / step) * step;
}

/**
 * The WebAssembly SIMD CPU backend (`name` "cpu", float32).
 *
 * Async because WebAssembly compilation is: browsers refuse synchronous compilation
 * (`new WebAssembly.Module`) of modules over 4 KiB on the main thread, and the async path compiles
 * off the main thread. Keeping the factory async means the WebAssembly modules can grow past that size
 * without an API change. Rejects with KernelError `no_device` where WebAssembly SIMD is missing.
 */
export async function createCpuBackend(options: CpuBackendOptions = {}): Promise<KernelBackend> {
  const initialMiB = options.initialMemoryMiB ?? 16;
  if (typeof initialMiB !== "number" || !Number.isFinite(initialMiB) || initialMiB <= 0 || initialMiB > 4096) {
    throw new KernelError(
      "invalid_option",
      `initialMemoryMiB must be a number in (0, 4096], got ${String(initialMiB)}`,
      {
        path: ["initialMemoryMiB"],
      },
    );
  }
  const modules = await compileModules();
  const api = wasmApi()!;
  let memory: WasmMemory | null = new api.Memory({ initial: Math.ceil((initialMiB * 1024 * 1024) / PAGE_BYTES) });
  // Both modules import the one memory, so each kernel works on the buffers where they are.
  const [matmulInstance, softmaxInstance] = await Promise.all([
    api.instantiate(modules.matmul, { env: { memory } }),
    api.instantiate(modules.softmax, { env: { memory } }),
  ]);
  let kernels: MatmulExports | null = matmulInstance.exports as unknown as MatmulExports;
  let softmaxKernels: SoftmaxExports | null = softmaxInstance.exports as unknown as SoftmaxExports;

  const owner = {};
  let disposed = false;
  const live = new Set<WasmBuffer>();
  /** Released blocks by capacity. */
  const freeLists = new Map<number, number[]>();
  // Offset 0 stays unused, so no buffer sits at the null pointer.
  let top = 64;
  let scratch = -1;

  function checkAlive(): WasmMemory {
    if (disposed || memory === null)
      throw new KernelError("disposed", "the cpu backend was disposed; create a new one");
    return memory;
  }

  /** Grows the memory so that [0, end) exists. Growing detaches old views: views are made per use from `memory.buffer`. */
  function ensureBytes(mem: WasmMemory, end: number): void {
    const have = mem.buffer.byteLength / PAGE_BYTES;
    const need = Math.ceil(end / PAGE_BYTES);
    if (need <= have) return;
    if (need > MAX_PAGES) {
      throw new KernelError(
        "out_of_memory",
        `the cpu backend needs ${Math.ceil(end / 2 ** 20)} MiB of WebAssembly memory, over wasm32's 4 GiB; release buffers you no longer use`,
      );
    }
    // Grow by at least a quarter, so that many small allocations do not grow one page at a time.
    const wanted = Math.min(MAX_PAGES, Math.max(need, Math.ceil(have * 1.25)));
    try {
      mem.grow(wanted - have);
    } catch {
      try {
        mem.grow(need - have);
      } catch (cause) {
        throw new KernelError(
          "out_of_memory",
          `the cpu backend could not grow its WebAssembly memory to ${Math.ceil(end / 2 ** 20)} MiB; dispose tensors you no longer use (tidy)`,
          {
            cause,
          },
        );
      }
    }
  }

  /** A block of at least `bytes` bytes; `recycled` when it held a released buffer (so it is not zero). */
  function reserve(mem: WasmMemory, bytes: number): { offset: number; capacity: number; recycled: boolean } {
    const capacity = sizeClass(bytes);
    const list = freeLists.get(capacity);
    if (list !== undefined && list.length > 0) return { offset: list.pop()!, capacity, recycled: true };
    // Memory above `top` was never handed out, and new pages are zeros.
    ensureBytes(mem, top + capacity);
    const offset = top;
    top += capacity;
    return { offset, capacity, recycled: false };
  }

  function checkLength(length: number): void {
    if (!Number.isSafeInteger(length) || length < 0) {
      throw new KernelError("invalid_option", `a buffer length must be a non-negative integer, got ${String(length)}`, {
        path: ["length"],
      });
    }
  }

  function register(length: number, kind: "float" | "indices"): WasmBuffer {
    const mem = checkAlive();
    const { offset, capacity, recycled } = reserve(mem, length * 4);
    if (recycled) new Uint8Array(mem.buffer, offset, length * 4).fill(0);
    const buffer: WasmBuffer = { length, kind, owner, offset, capacity, released: false };
    live.add(buffer);
    return buffer;
  }

  function own(buffer: DeviceBuffer, kind: "float" | "indices"): WasmBuffer {
    checkAlive();
    const wasm = buffer as WasmBuffer;
    if (wasm.owner !== owner)
      throw new KernelError("inconsistent", "a buffer from another backend was passed to the cpu backend");
    if (wasm.released) throw new KernelError("disposed", "a released buffer was used; keep it until its last use");
    if (wasm.kind !== kind)
      throw new KernelError("inconsistent", `expected a ${kind} buffer, got a ${wasm.kind} buffer`);
    return wasm;
  }

  const floatView = (buffer: WasmBuffer): Float32Array =>
    new Float32Array(checkAlive().buffer, buffer.offset, buffer.length);
  const indexView = (buffer: WasmBuffer): Int32Array =>
    new Int32Array(checkAlive().buffer, buffer.offset, buffer.length);

  const resolver: BufferResolver = {
    float: (buffer) => floatView(own(buffer, "float")),
    indices: (buffer) => indexView(own(buffer, "indices")),
  };

  function runMatmul(op: Extract<KernelOp, { kind: "matmul" }>): void {
    const a = own(op.a, "float");
    const b = own(op.b, "float");
    const out = own(op.out, "float");
    const { m, k, n } = op;
    for (const [name, value] of [
      ["m", m],
      ["k", k],
      ["n", n],
    ] as const) {
      if (!Number.isSafeInteger(value) || value < 0) {
        throw new KernelError("invalid_option", `matmul ${name} must be a non-negative integer, got ${String(value)}`, {
          path: [name],
        });
      }
    }
    // The kernel writes raw memory: a buffer shorter than its operand would corrupt its neighbours.
    if (a.length < m * k || b.length < k * n || out.length < m * n) {
      throw new KernelError(
        "shape_mismatch",
        `matmul ${m}×${k}×${n} needs a ≥ ${m * k}, b ≥ ${k * n} and out ≥ ${m * n} floats, got ${a.length}, ${b.length} and ${out.length}`,
      );
    }
    if (m === 0 || n === 0) return;
    if (k === 0) {
      floatView(out).fill(0, 0, m * n);
      return;
    }
    if (scratch < 0) scratch = reserve(checkAlive(), kernels!.scratch_bytes()).offset;
    // Offsets past 2 GiB reach the kernel as negative i32 with the same bits; it compares them unsigned.
    kernels!.matmul(a.offset, b.offset, out.offset, m, k, n, op.transposeA ? 1 : 0, op.transposeB ? 1 : 0, scratch);
  }

  /**
   * Checks what the kernels cannot (they check each segment against `values` themselves); false when
   * there is nothing to do (no segments, where the offsets are not read, as in the reference).
   */
  function checkSegments(kernel: string, offsets: WasmBuffer, segments: number): boolean {
    if (!Number.isSafeInteger(segments) || segments < 0) {
      throw new KernelError(
        "invalid_option",
        `${kernel} segments must be a non-negative integer, got ${String(segments)}`,
        {
          path: ["segments"],
        },
      );
    }
    if (segments === 0) return false;
    // The kernel reads offsets[0..segments] from raw memory: a shorter buffer would be read past its end.
    if (segments + 1 > offsets.length) {
      throw new KernelError(
        "shape_mismatch",
        `${kernel}: ${segments} segments need ${segments + 1} offsets, got ${offsets.length}`,
        {
          path: ["offsets"],
        },
      );
    }
    return true;
  }

  /** The KernelError for segment `s`, which the kernel found outside [0, values) (and wrote nothing). */
  function segmentOutOfRange(kernel: string, offsets: WasmBuffer, s: number, values: number): KernelError {
    const view = indexView(offsets);
    return new KernelError(
      "index_out_of_range",
      `${kernel}: segment ${s} [${view[s]}, ${view[s + 1]}) is outside [0, ${values})`,
      {
        path: ["offsets", s],
      },
    );
  }

  function runSegmentSoftmax(op: Extract<KernelOp, { kind: "segmentSoftmax" }>): void {
    const x = own(op.x, "float");
    const offsets = own(op.offsets, "indices");
    const out = own(op.out, "float");
    if (!checkSegments("segmentSoftmax", offsets, op.segments)) return;
    const values = Math.min(x.length, out.length);
    const bad = softmaxKernels!.segment_softmax(
      x.offset,
      offsets.offset,
      out.offset,
      op.segments,
      values,
      op.log ? 1 : 0,
    );
    if (bad >= 0) throw segmentOutOfRange("segmentSoftmax", offsets, bad, values);
  }

  function runSegmentSoftmaxGrad(op: Extract<KernelOp, { kind: "segmentSoftmaxGrad" }>): void {
    const y = own(op.y, "float");
    const dy = own(op.dy, "float");
    const offsets = own(op.offsets, "indices");
    const dx = own(op.dx, "float");
    if (!checkSegments("segmentSoftmaxGrad", offsets, op.segments)) return;
    const values = Math.min(y.length, dy.length, dx.length);
    const bad = softmaxKernels!.segment_softmax_grad(
      y.offset,
      dy.offset,
      offsets.offset,
      dx.offset,
      op.segments,
      values,
      op.log ? 1 : 0,
    );
    if (bad >= 0) throw segmentOutOfRange("segmentSoftmaxGrad", offsets, bad, values);
  }

  return {
    name: "cpu",
    floatType: "float32",
    allocate(length) {
      checkLength(length);
      return register(length, "float");
    },
    upload(data) {
      checkLength(data.length);
      const buffer = register(data.length, "float");
      // Float32Array.set rounds each value to f32, as the reference's Float32Array does.
      floatView(buffer).set(data);
      return buffer;
    },
    uploadIndices(data) {
      checkLength(data.length);
      const buffer = register(data.length, "indices");
      indexView(buffer).set(data);
      return buffer;
    },
    run(op: KernelOp) {
      if (op.kind === "matmul") runMatmul(op);
      else if (op.kind === "segmentSoftmax") runSegmentSoftmax(op);
      else if (op.kind === "segmentSoftmaxGrad") runSegmentSoftmaxGrad(op);
      else runReferenceKernel(op, resolver);
    },
    // Copies, so that a later kernel or a memory growth cannot change or detach what the caller holds.
    read: async (buffer): Promise<FloatArray> => floatView(own(buffer, "float")).slice(),
    readIndices: async (buffer) => indexView(own(buffer, "indices")).slice(),
    release(buffer) {
      const wasm = buffer as WasmBuffer;
      if (wasm.owner !== owner || wasm.released || disposed) return;
      wasm.released = true;
      live.delete(wasm);
      let list = freeLists.get(wasm.capacity);
      if (list === undefined) {
        list = [];
        freeLists.set(wasm.capacity, list);
      }
      list.push(wasm.offset);
    },
    dispose() {
      for (const buffer of live) buffer.released = true;
      live.clear();
      freeLists.clear();
      disposed = true;
      // Drops the memory and the instance (which holds it) so that both can be collected even while
      // the backend object or its buffers are still referenced.
      memory = null;
      kernels = null;
      softmaxKernels = null;
    },
  };
}
