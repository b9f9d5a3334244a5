// The WebGPU backend on Dawn in Node, through the optional `webgpu` package. The loader is a parameter
// so that node.ts owns the one `import("webgpu")` (bundlers and the browser entry never see it) and the
// tests can inject a failing import.

import { importOptionalPeer } from "@finemem/utils";
import type { KernelBackend } from "../backend.js";
import { KernelError } from "../kernel-error.js";
import { NO_DEVICE_ADVICE } from "./acquire-device.js";
import { createWebGpuBackend } from "./webgpu-backend.js";
import type { WebGpuLike } from "./webgpu-types.js";

export interface NodeWebGpuBackendOptions {
  readonly powerPreference?: "low-power" | "high-performance" | undefined;
  /** Dawn toggles passed to the `webgpu` package's `create()`, e.g. `["adapter=…"]`. Default none. */
  readonly dawnOptions?: readonly string[] | undefined;
}

/** What `import("webgpu")` provides. */
export interface NodeWebGpuModule {
  create(options: string[]): WebGpuLike;
}

export async function createNodeWebGpuBackendWith(
  load: () => Promise<NodeWebGpuModule>,
  options: NodeWebGpuBackendOptions = {},
): Promise<KernelBackend> {
  const module = await importOptionalPeer("webgpu", "@finemem/kernels/node", load, (failure) =>
    failure.code === "missing_dependency"
      ? new KernelError("missing_dependency", failure.message, { cause: failure.cause })
      : new KernelError("no_device", `${failure.message}; reinstall webgpu, or ${NO_DEVICE_ADVICE}`, {
          cause: failure.cause,
        }),
  );
  // Dawn's GPU object must outlive every adapter and device made from it: Dawn crashes the process when
  // it is garbage collected while a device is alive. `instance` is referenced by the backend below for
  // as long as the backend is.
  let instance: WebGpuLike | null = module.create([...(options.dawnOptions ?? [])]);
  const backend = await createWebGpuBackend({ gpu: instance, powerPreference: options.powerPreference });
  return {
    name: backend.name,
    floatType: backend.floatType,
    allocate: (length) => backend.allocate(length),
    upload: (data) => backend.upload(data),
    uploadIndices: (data) => backend.uploadIndices(data),
    run: (op) => backend.run(op),
    read: (buffer) => backend.read(buffer),
    readIndices: (buffer) => backend.readIndices(buffer),
    release: (buffer) => backend.release(buffer),
    dispose() {
      // Destroys the device the backend created; only then may the GPU object go.
      backend.dispose();
      instance = null;
    },
  };
}
