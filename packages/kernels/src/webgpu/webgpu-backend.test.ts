// The WebGPU backend on Dawn (the `webgpu` package) in Node. With no GPU, Dawn runs on Mesa's lavapipe
// (software Vulkan): this checks correctness against the TypeScript reference, not speed.
import { checkService, probeVulkanDriver } from "@finemem/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeviceBuffer, KernelBackend, KernelOp } from "../backend.js";
import { KernelError } from "../kernel-error.js";
import { createNodeWebGpuBackend } from "../node.js";
import { createReferenceBackend } from "../reference/reference-backend.js";
import { runBackendConformance } from "../testing/backend-conformance.js";
import { MAX_WORKGROUPS_PER_DIMENSION, planChunks, splitWorkgroups } from "./dispatch.js";
import { createNodeWebGpuBackendWith } from "./node-webgpu-backend.js";
import { buildScatterPlan } from "./scatter-plan.js";
import { createWebGpuBackend } from "./webgpu-backend.js";
import type { WebGpuDeviceLike } from "./webgpu-types.js";

const available = await checkService("webgpu", () => probeVulkanDriver());

describe("splitWorkgroups", () => {
  it("covers the count with every dimension within the limit", () => {
    const counts = [0, 1, 255, 65_535, 65_536, 65_537, 2 * 65_535 + 1, 1 << 20, 65_535 * 65_535 + 7, 2 ** 32 - 1];
    for (const count of counts) {
      const [x, y, z] = splitWorkgroups(count);
      for (const size of [x, y, z]) expect(size).toBeLessThanOrEqual(MAX_WORKGROUPS_PER_DIMENSION);
      expect(x * y * z).toBeGreaterThanOrEqual(count);
      // No whole row of workgroups is wasted beyond the count.
      expect(x * y * z - count).toBeLessThan(Math.max(1, x * y));
    }
    expect(splitWorkgroups(100, 7)).toEqual([7, 7, 3]);
    expect(splitWorkgroups(100, 10)).toEqual([10, 10, 1]);
    expect(splitWorkgroups(60, 4)).toEqual([4, 4, 4]);
    expect(() => splitWorkgroups(65, 4)).toThrow(RangeError);
  });
});

describe("planChunks", () => {
  it("keeps every window within the binding limit and aligned", () => {
    expect(planChunks(10, [3, 1], 1024, 256)).toEqual([[0, 10]]);
    for (const [units, floats] of [
      [1000, [15, 5]],
      [5000, [1, 1, 1]],
      [777, [16, 1]],
      [200, [10, 2]],
    ] as const) {
      const chunks = planChunks(units, floats, 4096, 256);
      expect(chunks.length).toBeGreaterThan(1);
      for (const [start, count] of chunks) {
        for (const width of floats) expect([(start * width * 4) % 256, count * width * 4 <= 4096]).toEqual([0, true]);
      }
      expect(chunks.reduce((sum, [, count]) => sum + count, 0)).toBe(units);
    }
    expect(() => planChunks(10, [2000], 4096, 256)).toThrow(RangeError);
  });
});

describe("buildScatterPlan", () => {
  it("lists each table row's source rows in increasing order", () => {
    const plan = buildScatterPlan(Int32Array.from([2, 0, 2, 2, 1, 0]), 6, 4);
    const sources = (t: number) => Array.from(plan.subarray(plan[t]!, plan[t + 1]!));
    expect([0, 1, 2, 3].map(sources)).toEqual([[1, 5], [4], [0, 2, 3], []]);
  });
});

describe("createNodeWebGpuBackend without the webgpu package", () => {
  it("throws missing_dependency with the install command", async () => {
    const missing = Object.assign(new Error("Cannot find package 'webgpu' imported from /app/node.js"), {
      code: "ERR_MODULE_NOT_FOUND",
    });
    const error = await createNodeWebGpuBackendWith(() => Promise.reject(missing)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KernelError);
    expect((error as KernelError).code).toBe("missing_dependency");
    expect((error as KernelError).message).toContain("npm install webgpu");
  });
});

/** The KernelError code `promise` rejects with, or `action` throws. */
async function codeOf(action: () => unknown): Promise<string | undefined> {
  try {
    await action();
  } catch (error) {
    expect(error).toBeInstanceOf(KernelError);
    return (error as KernelError).code;
  }
  return undefined;
}

describe("createWebGpuBackend without WebGPU", () => {
  it("throws no_device saying what to install when there is no navigator.gpu", async () => {
    const error = await createWebGpuBackend({}).catch((caught: unknown) => caught);
    expect((error as KernelError).code).toBe("no_device");
    expect((error as KernelError).message).toContain("mesa-vulkan-drivers");
    expect((error as KernelError).message).toContain("createCpuBackend");
  });

  it("throws no_device when there is no adapter or the device is refused", async () => {
    expect(await codeOf(() => createWebGpuBackend({ gpu: { requestAdapter: async () => null } }))).toBe("no_device");
    const refusing = {
      limits: {
        maxStorageBufferBindingSize: 1,
        maxBufferSize: 1,
        maxComputeWorkgroupsPerDimension: 1,
        minUniformBufferOffsetAlignment: 256,
        minStorageBufferOffsetAlignment: 256,
      },
      requestDevice: () => Promise.reject(new Error("out of memory")),
    };
    expect(await codeOf(() => createWebGpuBackend({ gpu: { requestAdapter: async () => refusing } }))).toBe(
      "no_device",
    );
  });
});

/** A view of `device` that reports a smaller maxStorageBufferBindingSize, to exercise chunked launches on small data. */
function withBindingLimit(device: object, maxStorageBufferBindingSize: number): WebGpuDeviceLike {
  const real = device as WebGpuDeviceLike & Record<string, unknown>;
  const method = (name: string) => (real[name] as (...args: unknown[]) => unknown).bind(device);
  const { limits } = real;
  return {
    limits: {
      maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
      minUniformBufferOffsetAlignment: limits.minUniformBufferOffsetAlignment,
      minStorageBufferOffsetAlignment: limits.minStorageBufferOffsetAlignment,
    },
    queue: real.queue,
    lost: real.lost,
    ...Object.fromEntries(
      [
        "createBuffer",
        "createShaderModule",
        "createComputePipeline",
        "createBindGroup",
        "createCommandEncoder",
        "destroy",
        "addEventListener",
      ].map((name) => [name, method(name)]),
    ),
  } as unknown as WebGpuDeviceLike;
}

/** Runs `op` on `backend` and on the reference from the same inputs: the largest |got − ref| / (1e-6 + 1e-5·|ref|) over `outputs`. */
async function differenceFromReference(
  backend: KernelBackend,
  inputs: Readonly<Record<string, readonly number[] | { readonly indices: readonly number[] }>>,
  outputs: readonly string[],
  op: (buffers: Readonly<Record<string, DeviceBuffer>>) => KernelOp,
): Promise<number> {
  const run = async (on: KernelBackend) => {
    const buffers = Object.fromEntries(
      Object.entries(inputs).map(([name, data]) => [
        name,
        "indices" in data ? on.uploadIndices(data.indices) : on.upload(data),
      ]),
    );
    on.run(op(buffers));
    const values = await Promise.all(outputs.map((name) => on.read(buffers[name]!)));
    for (const buffer of Object.values(buffers)) on.release(buffer);
    return values;
  };
  const reference = createReferenceBackend();
  const [expected, got] = [await run(reference), await run(backend)];
  reference.dispose();
  let worst = 0;
  for (const [output, values] of expected.entries()) {
    for (const [index, value] of values.entries()) {
      worst = Math.max(worst, Math.abs(got[output]![index]! - value) / (1e-6 + 1e-5 * Math.abs(value)));
    }
  }
  return worst;
}

describe.skipIf(!available.available)("the WebGPU backend on Dawn", () => {
  let backend: KernelBackend;
  beforeAll(async () => {
    const webgpu = await import("webgpu");
    // Logged so that a CI log says which adapter ran the kernels (lavapipe on a machine without a GPU).
    const adapter = await webgpu.create([]).requestAdapter();
    const info = adapter?.info;
    console.log(`WebGPU adapter: ${info?.vendor} ${info?.architecture} ${info?.device} ${info?.description}`.trim());
    backend = await createNodeWebGpuBackend();
  });
  afterAll(() => backend?.dispose());

  it("passes the conformance suite, large launches included", async () => {
    const started = performance.now();
    const results = await runBackendConformance(backend, { large: true });
    const worst = new Map<string, { ratio: number; name: string }>();
    for (const result of results) {
      const current = worst.get(result.kernel);
      if (current === undefined || result.worstRatio > current.ratio) {
        worst.set(result.kernel, { ratio: result.worstRatio, name: result.name });
      }
    }
    console.log(
      `conformance: ${results.length} cases in ${((performance.now() - started) / 1000).toFixed(1)} s; ` +
        "worst |got − ref| / tolerance per kernel:\n" +
        [...worst]
          .map(
            ([kernel, { ratio, name }]) => `  ${kernel.padEnd(18)} ${ratio.toExponential(2)}  (${name.slice(0, 60)})`,
          )
          .join("\n"),
    );
    expect(results.filter((result) => !result.passed)).toEqual([]);
  }, 120_000);

  it("multiplies a matrix worked by hand, in every transpose combination", async () => {
    // [1 2 3; 4 5 6] · [7 8; 9 10; 11 12] = [58 64; 139 154]
    const a = [1, 2, 3, 4, 5, 6];
    const aT = [1, 4, 2, 5, 3, 6];
    const b = [7, 8, 9, 10, 11, 12];
    const bT = [7, 9, 11, 8, 10, 12];
    for (const [transposeA, transposeB] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      const bufferA = backend.upload(transposeA ? aT : a);
      const bufferB = backend.upload(transposeB ? bT : b);
      const out = backend.allocate(4);
      backend.run({ kind: "matmul", a: bufferA, b: bufferB, out, m: 2, k: 3, n: 2, transposeA, transposeB });
      expect(Array.from(await backend.read(out))).toEqual([58, 64, 139, 154]);
      for (const buffer of [bufferA, bufferB, out]) backend.release(buffer);
    }
  });

  it("adds repeated scatterAddRows indices up, onto what out held", async () => {
    const source = backend.upload([1, 10, 2, 20, 3, 30, 4, 40, 5, 50]);
    const indices = backend.uploadIndices([2, 0, 2, 2, 0]);
    const out = backend.upload([0.5, 0.5, 100, 200, 7, 8]);
    backend.run({ kind: "scatterAddRows", source, indices, out, rows: 5, width: 2, tableRows: 3 });
    // Row 0 gets source rows 1 and 4, row 1 nothing, row 2 rows 0, 2 and 3.
    expect(Array.from(await backend.read(out))).toEqual([
      0.5 + 2 + 5,
      0.5 + 20 + 50,
      100,
      200,
      7 + 1 + 3 + 4,
      8 + 10 + 30 + 40,
    ]);
    // The cached inverse map is reused, and the kernel accumulates again.
    backend.run({ kind: "scatterAddRows", source, indices, out, rows: 5, width: 2, tableRows: 3 });
    expect((await backend.read(out))[0]).toBe(0.5 + 2 * (2 + 5));
    for (const buffer of [source, indices, out]) backend.release(buffer);
  });

  it("runs in place when an input is also the output, as the reference does", async () => {
    const reference = createReferenceBackend();
    const values = Array.from({ length: 300 }, (_, i) => Math.sin(i * 1.7) * 3);
    const offsets = [0, 3, 3, 290, 300];
    const inPlace = async (on: KernelBackend): Promise<number[][]> => {
      const x = on.upload(values);
      const y = on.upload(values.map((v) => v / 4));
      const segments = on.uploadIndices(offsets);
      on.run({ kind: "binary", fn: "mul", a: x, b: x, out: x, length: 300, bLength: 300 });
      on.run({ kind: "unary", fn: "affine", x, out: x, length: 300, alpha: 0.5, beta: -1 });
      on.run({ kind: "unaryGrad", fn: "tanh", x: y, y, dy: x, dx: x, length: 300, alpha: 0, beta: 0 });
      on.run({
        kind: "copyAxis",
        src: x,
        dst: x,
        outer: 3,
        inner: 10,
        srcAxis: 10,
        srcStart: 0,
        dstAxis: 10,
        dstStart: 6,
        count: 4,
      });
      // Segments of 3, 0, 287 (one workgroup per segment) and 10 (one thread per segment).
      on.run({ kind: "segmentSoftmax", x, offsets: segments, out: x, segments: 4, log: false });
      on.run({ kind: "segmentSoftmaxGrad", y: x, dy: y, offsets: segments, dx: y, segments: 4, log: false });
      const result = [Array.from(await on.read(x)), Array.from(await on.read(y))];
      for (const buffer of [x, y, segments]) on.release(buffer);
      return result;
    };
    const [expected, got] = [await inPlace(reference), await inPlace(backend)];
    reference.dispose();
    for (const [output, values] of expected.entries()) {
      values.forEach((value, index) => {
        expect(got[output]![index]).toBeCloseTo(value, 5);
      });
    }
  });

  it("rejects released buffers, foreign buffers, wrong kinds and out-of-range indices", async () => {
    const buffer = backend.upload([1, 2, 3]);
    const indices = backend.uploadIndices([0, 5]);
    expect(Array.from(await backend.readIndices(indices))).toEqual([0, 5]);
    const out = backend.allocate(2);
    expect(
      await codeOf(() =>
        backend.run({ kind: "gatherRows", table: buffer, indices, out, rows: 2, width: 1, tableRows: 3 }),
      ),
    ).toBe("index_out_of_range");
    expect(await codeOf(() => backend.run({ kind: "fill", out: indices, value: 1, length: 2 }))).toBe("inconsistent");
    backend.release(buffer);
    backend.release(buffer);
    expect(await codeOf(() => backend.read(buffer))).toBe("disposed");
    expect(await codeOf(() => backend.run({ kind: "fill", out: buffer, value: 1, length: 3 }))).toBe("disposed");
    const reference = createReferenceBackend();
    const foreign = reference.upload([1, 2]);
    expect(
      await codeOf(() => backend.run({ kind: "unary", fn: "abs", x: foreign, out, length: 2, alpha: 0, beta: 0 })),
    ).toBe("inconsistent");
    expect(await codeOf(() => backend.read(foreign))).toBe("inconsistent");
    reference.dispose();
    backend.release(indices);
    backend.release(out);
  });

  it("is unusable after dispose, and reports a lost device as no_device", async () => {
    const webgpu = await import("webgpu");
    const gpu = webgpu.create([]);
    const device = await (await gpu.requestAdapter())!.requestDevice();
    const onDevice = await createWebGpuBackend({ device });
    const buffer = onDevice.upload([1]);
    device.destroy();
    await device.lost;
    expect(await codeOf(() => onDevice.allocate(1))).toBe("no_device");
    onDevice.dispose();
    expect(await codeOf(() => onDevice.read(buffer))).toBe("disposed");
    expect(await codeOf(() => onDevice.upload([1]))).toBe("disposed");
  });

  it("reports a WebGPU validation error on its device as kernel_failed at the next read", async () => {
    const webgpu = await import("webgpu");
    const gpu = webgpu.create([]);
    const device = await (await gpu.requestAdapter())!.requestDevice();
    const onDevice = await createWebGpuBackend({ device });
    const buffer = onDevice.upload([1, 2]);
    expect([...(await onDevice.read(buffer))]).toEqual([1, 2]);
    // A buffer with no usage is invalid: Dawn raises an uncaptured validation error on the device.
    (device as unknown as { createBuffer(descriptor: { size: number; usage: number }): unknown }).createBuffer({
      size: 4,
      usage: 0,
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await codeOf(() => onDevice.read(buffer))).toBe("kernel_failed");
    onDevice.dispose();
    (device as unknown as { destroy(): void }).destroy();
  });

  it("splits kernels over buffers larger than maxStorageBufferBindingSize into windows, and names the limit otherwise", async () => {
    const webgpu = await import("webgpu");
    const gpu = webgpu.create([]);
    const device = await (await gpu.requestAdapter())!.requestDevice();
    // 4 KiB bindings: every kernel below runs in several chunks.
    const limited = await createWebGpuBackend({ device: withBindingLimit(device, 4096) });
    try {
      const values = (length: number, salt: number) => Array.from({ length }, (_, i) => Math.sin(i * 0.37 + salt) * 2);
      type Inputs = Parameters<typeof differenceFromReference>[1];
      const cases: [string, Inputs, string[], (b: Readonly<Record<string, DeviceBuffer>>) => KernelOp][] = [
        [
          "unary",
          { x: values(5000, 1), out: values(5000, 2) },
          ["out"],
          (b) => ({ kind: "unary", fn: "tanh", x: b.x!, out: b.out!, length: 5000, alpha: 0, beta: 0 }),
        ],
        [
          "unaryGrad",
          { x: values(3001, 1), y: values(3001, 2), dy: values(3001, 3), dx: values(3001, 4) },
          ["dx"],
          (b) => ({
            kind: "unaryGrad",
            fn: "square",
            x: b.x!,
            y: b.y!,
            dy: b.dy!,
            dx: b.dx!,
            length: 3001,
            alpha: 0,
            beta: 0,
          }),
        ],
        [
          "binary with broadcast",
          { a: values(4998, 1), b: values(7, 2), out: values(4998, 3) },
          ["out"],
          (b) => ({ kind: "binary", fn: "sub", a: b.a!, b: b.b!, out: b.out!, length: 4998, bLength: 7 }),
        ],
        [
          "binary",
          { a: values(5000, 1), b: values(5000, 2), out: values(5000, 3) },
          ["out"],
          (b) => ({ kind: "binary", fn: "mul", a: b.a!, b: b.b!, out: b.out!, length: 5000, bLength: 5000 }),
        ],
        ["fill", { out: values(5002, 1) }, ["out"], (b) => ({ kind: "fill", out: b.out!, value: 3, length: 5000 })],
        [
          "reduce",
          { x: values(1500, 1), out: values(500, 2) },
          ["out"],
          (b) => ({ kind: "reduce", fn: "mean", x: b.x!, out: b.out!, outer: 100, axis: 3, inner: 5 }),
        ],
        [
          "broadcast",
          { x: values(500, 1), out: values(1500, 2) },
          ["out"],
          (b) => ({ kind: "broadcast", x: b.x!, out: b.out!, outer: 100, axis: 3, inner: 5, scale: 2 }),
        ],
        [
          "gatherRows",
          {
            table: values(60, 1),
            indices: { indices: Array.from({ length: 1000 }, (_, i) => (i * 7) % 20) },
            out: values(3000, 2),
          },
          ["out"],
          (b) => ({
            kind: "gatherRows",
            table: b.table!,
            indices: b.indices!,
            out: b.out!,
            rows: 1000,
            width: 3,
            tableRows: 20,
          }),
        ],
        [
          "adamw",
          {
            param: values(3000, 1),
            grad: values(3000, 2),
            m: values(3000, 3),
            v: values(3000, 4).map(Math.abs),
            gradScale: [0.5],
          },
          ["param", "m", "v"],
          (b) => ({
            kind: "adamw",
            param: b.param!,
            grad: b.grad!,
            m: b.m!,
            v: b.v!,
            gradScale: b.gradScale!,
            length: 3000,
            learningRate: 0.01,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
            weightDecay: 0.1,
            step: 2,
          }),
        ],
      ];
      for (const [kernel, inputs, outputs, op] of cases) {
        const ratio = await differenceFromReference(limited, inputs, outputs, op);
        expect([kernel, ratio <= 1]).toEqual([kernel, true]);
      }
      const a = limited.upload(values(40 * 40, 1));
      const out = limited.allocate(40 * 40);
      const matmul: KernelOp = {
        kind: "matmul",
        a,
        b: a,
        out,
        m: 40,
        k: 40,
        n: 40,
        transposeA: false,
        transposeB: false,
      };
      expect(await codeOf(() => limited.run(matmul))).toBe("invalid_option");
      expect(() => limited.run(matmul)).toThrow(/maxStorageBufferBindingSize of 4096 bytes/);
    } finally {
      limited.dispose();
      device.destroy();
    }
  });
});
