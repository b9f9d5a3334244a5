// `@finemem/kernels/node`: the WebGPU backend on Dawn (the optional peer `webgpu`) in Node. The main
// entry stays free of Node imports; this entry is the only one that imports `webgpu`.
import type { KernelBackend } from "./backend.js";
import {
  createNodeWebGpuBackendWith,
  type NodeWebGpuBackendOptions,
  type NodeWebGpuModule,
} from "./webgpu/node-webgpu-backend.js";

export type { NodeWebGpuBackendOptions } from "./webgpu/node-webgpu-backend.js";

/**
 * The WebGPU backend on Dawn in Node. Throws a `missing_dependency` KernelError when the `webgpu`
 * package is not installed, and `no_device` when Dawn finds no adapter (on Linux without a GPU, Mesa's
 * lavapipe from mesa-vulkan-drivers ≥ 25 is one).
 */
export async function createNodeWebGpuBackend(options: NodeWebGpuBackendOptions = {}): Promise<KernelBackend> {
  return createNodeWebGpuBackendWith(async () => (await import("webgpu")) satisfies NodeWebGpuModule, options);
}
