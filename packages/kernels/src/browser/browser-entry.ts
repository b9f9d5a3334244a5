// Bundled for the browser by browser.test.ts (esbuild, platform "browser": a Node import anywhere in the
// core fails the bundle). In the page it runs the CPU backend's conformance suite and a gradient step on
// a small network, and the WebGPU backend's suite when the page gets an adapter, and leaves a summary on
// `window.finememKernelResults`.
import {
  add,
  createCpuBackend,
  createReferenceBackend,
  createWebGpuBackend,
  gather,
  gelu,
  indices,
  type KernelBackend,
  matmul,
  reshape,
  segmentLogSoftmax,
  segments,
  sum,
  tensor,
  valueAndGrad,
} from "../index.js";
import { runBackendConformance } from "../testing/index.js";

interface BackendSummary {
  readonly backend: string;
  readonly cases: number;
  readonly failed: readonly string[];
  readonly gradient: readonly number[];
}

export interface BrowserResults {
  readonly cpu: BackendSummary;
  readonly reference: BackendSummary;
  readonly webgpu: BackendSummary | { readonly skipped: string };
  /** The page's WebGPU adapter, as `requestAdapter()` describes it (or why there is none). */
  readonly adapter: string;
  readonly userAgent: string;
}

/** The gradient of a small scoring network's policy loss, as numbers (compared across backends by the test). */
async function gradientOf(backend: KernelBackend): Promise<number[]> {
  const w = tensor(backend, [0.2, -0.4, 0.1, 0.5, -0.3, 0.7, 0.05, -0.25], [4, 2]);
  const x = tensor(backend, [1, 0.5, -1, 2, 0, 1, -0.5, 1.5, 0.25, -1, 1, 0, 2, -2, 0.5, 1, 0, 0, 1, -1], [5, 4]);
  const v = tensor(backend, [0.6, -0.9], [2, 1]);
  const { grads } = valueAndGrad((p: { w: typeof w; v: typeof v }) => {
    const scores = reshape(matmul(gelu(matmul(x, p.w)), p.v), [5]);
    const chosen = gather(segmentLogSoftmax(scores, segments(backend, [2, 3])), indices(backend, [1, 2]));
    return add(sum(chosen), sum(chosen));
  })({ w, v });
  return [...(await grads.w!.read()), ...(await grads.v!.read())];
}

async function summarise(backend: KernelBackend): Promise<BackendSummary> {
  const results = await runBackendConformance(backend, { large: false });
  return {
    backend: backend.name,
    cases: results.length,
    failed: results
      .filter((result) => !result.passed)
      .map((result) => `${result.name}: ${JSON.stringify(result.firstFailure)}`),
    gradient: await gradientOf(backend),
  };
}

async function describeAdapter(): Promise<string> {
  type AdapterInfo = { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean };
  const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<{ info?: AdapterInfo } | null> } } })
    .navigator?.gpu;
  if (gpu === undefined) return "no navigator.gpu";
  const adapter = await gpu.requestAdapter();
  if (adapter === null) return "navigator.gpu gave no adapter";
  const info = adapter.info ?? {};
  return `${info.vendor ?? "?"} ${info.architecture ?? "?"}${info.description ? ` (${info.description})` : ""}${info.isFallbackAdapter ? ", a fallback (software) adapter" : ""}`;
}

async function run(): Promise<BrowserResults> {
  const cpu = await summarise(await createCpuBackend());
  const reference = await summarise(createReferenceBackend());
  let webgpu: BrowserResults["webgpu"];
  try {
    const backend = await createWebGpuBackend({});
    webgpu = await summarise(backend);
    backend.dispose();
  } catch (error) {
    webgpu = { skipped: error instanceof Error ? error.message : String(error) };
  }
  const adapter = await describeAdapter();
  const userAgent = (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent ?? "unknown";
  return { cpu, reference, webgpu, adapter, userAgent };
}

(globalThis as { finememKernelResults?: Promise<BrowserResults> }).finememKernelResults = run();
