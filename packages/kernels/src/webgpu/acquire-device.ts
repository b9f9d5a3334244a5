// Getting a GPUDevice: from the caller, or from an adapter of `options.gpu` / `navigator.gpu`. Every
// failure is a `no_device` KernelError that says what to install or use instead, because "no adapter"
// alone does not tell a user on a headless Linux machine that a software Vulkan driver exists.
import { KernelError } from "../kernel-error.js";
import type { WebGpuDeviceLike, WebGpuLike } from "./webgpu-types.js";

/** What to do when there is no WebGPU device. */
export const NO_DEVICE_ADVICE =
  "on Linux without a GPU install Mesa's software Vulkan driver (apt-get install mesa-vulkan-drivers, Mesa ≥ 25 for lavapipe); " +
  "in Node use createNodeWebGpuBackend from @finemem/kernels/node (it needs the webgpu package); " +
  "in a browser use one with WebGPU enabled; or use createCpuBackend()";

export interface AcquiredDevice {
  readonly device: WebGpuDeviceLike;
  /** Whether this backend created the device (and so destroys it on dispose). */
  readonly owned: boolean;
}

export async function acquireDevice(options: {
  readonly gpu?: WebGpuLike | undefined;
  readonly device?: WebGpuDeviceLike | undefined;
  readonly powerPreference?: "low-power" | "high-performance" | undefined;
}): Promise<AcquiredDevice> {
  if (options.device !== undefined) return { device: options.device, owned: false };
  const gpu = options.gpu ?? (globalThis as { navigator?: { gpu?: WebGpuLike } }).navigator?.gpu;
  if (gpu === undefined || gpu === null) {
    throw new KernelError(
      "no_device",
      `WebGPU is not available here (no navigator.gpu and no gpu option): ${NO_DEVICE_ADVICE}`,
    );
  }
  let adapter: Awaited<ReturnType<WebGpuLike["requestAdapter"]>>;
  try {
    adapter = await gpu.requestAdapter(
      options.powerPreference === undefined ? {} : { powerPreference: options.powerPreference },
    );
  } catch (cause) {
    throw new KernelError("no_device", `requesting a WebGPU adapter failed (${String(cause)}): ${NO_DEVICE_ADVICE}`, {
      cause,
    });
  }
  if (adapter === null) throw new KernelError("no_device", `no WebGPU adapter was found: ${NO_DEVICE_ADVICE}`);
  // The defaults cap buffers at 256 MiB and storage bindings at 128 MiB even where the adapter allows
  // more; ask for what the adapter has, so that large tensors fit on real GPUs.
  const requiredLimits = {
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    maxBufferSize: adapter.limits.maxBufferSize,
  };
  try {
    return { device: await adapter.requestDevice({ requiredLimits, label: "@finemem/kernels" }), owned: true };
  } catch (cause) {
    throw new KernelError(
      "no_device",
      `the WebGPU adapter refused to create a device (${String(cause)}): ${NO_DEVICE_ADVICE}`,
      {
        cause,
      },
    );
  }
}
