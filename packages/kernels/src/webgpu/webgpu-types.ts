// The slice of the WebGPU API this backend uses, as structural interfaces. The package must typecheck
// and run without `@webgpu/types` (its consumers may not have it, and the lib setting has no DOM), and a
// real `GPU` / `GPUDevice` from a browser or from the `webgpu` package is assignable to these because
// they only name members the backend calls. Enum-like values are plain strings and numbers: the
// `GPUBufferUsage` / `GPUMapMode` globals exist in Node only when the `webgpu` package installs them.

/** Buffer usage flags (the numeric values of `GPUBufferUsage`). */
export const BufferUsage = {
  MAP_READ: 0x1,
  COPY_SRC: 0x4,
  COPY_DST: 0x8,
  UNIFORM: 0x40,
  STORAGE: 0x80,
} as const;

/** `GPUMapMode.READ`. */
export const MAP_MODE_READ = 1;

export interface WebGpuLimitsLike {
  readonly maxStorageBufferBindingSize: number;
  readonly maxBufferSize: number;
  readonly maxComputeWorkgroupsPerDimension: number;
  readonly minUniformBufferOffsetAlignment: number;
  readonly minStorageBufferOffsetAlignment: number;
}

export interface WebGpuAdapterInfoLike {
  readonly vendor?: string;
  readonly architecture?: string;
  readonly device?: string;
  readonly description?: string;
}

export interface WebGpuBufferLike {
  readonly size: number;
  mapAsync(mode: number, offset?: number, size?: number): Promise<undefined | undefined>;
  getMappedRange(offset?: number, size?: number): ArrayBuffer;
  unmap(): undefined | undefined;
  destroy(): undefined | undefined;
}

/**
 * An opaque GPU object (pipeline, bind group layout, bind group, shader module, command buffer).
 * Parameters that take one are typed `unknown`: WebGPU's own types brand each kind, and a parameter of
 * a wider type is what lets a real GPUDevice be assigned to these interfaces.
 */
export type WebGpuHandle = object;

export interface WebGpuComputePipelineLike {
  getBindGroupLayout(index: number): WebGpuHandle;
}

export interface WebGpuComputePassLike {
  setPipeline(pipeline: unknown): undefined | undefined;
  setBindGroup(index: number, bindGroup: unknown): undefined | undefined;
  dispatchWorkgroups(x: number, y?: number, z?: number): undefined | undefined;
  end(): undefined | undefined;
}

export interface WebGpuCommandEncoderLike {
  beginComputePass(descriptor?: { label?: string }): WebGpuComputePassLike;
  copyBufferToBuffer(
    source: unknown,
    sourceOffset: number,
    destination: unknown,
    destinationOffset: number,
    size: number,
  ): undefined | undefined;
  finish(): WebGpuHandle;
}

export interface WebGpuQueueLike {
  submit(commandBuffers: Iterable<unknown>): undefined | undefined;
}

export interface WebGpuDeviceLike {
  readonly limits: WebGpuLimitsLike;
  readonly queue: WebGpuQueueLike;
  readonly lost: Promise<{ readonly reason?: unknown; readonly message: string }>;
  createBuffer(descriptor: {
    size: number;
    usage: number;
    mappedAtCreation?: boolean;
    label?: string;
  }): WebGpuBufferLike;
  createShaderModule(descriptor: { code: string; label?: string }): WebGpuHandle;
  createComputePipeline(descriptor: {
    layout: unknown;
    compute: { module: unknown; entryPoint?: string | undefined };
    label?: string;
  }): WebGpuComputePipelineLike;
  createBindGroup(descriptor: { layout: unknown; entries: Iterable<unknown> }): WebGpuHandle;
  createCommandEncoder(descriptor?: { label?: string }): WebGpuCommandEncoderLike;
  destroy(): undefined | undefined;
}

export interface WebGpuAdapterLike {
  readonly limits: WebGpuLimitsLike;
  readonly info?: WebGpuAdapterInfoLike;
  requestDevice(descriptor?: {
    requiredLimits?: Record<string, number | undefined>;
    label?: string;
  }): Promise<WebGpuDeviceLike>;
}

/** `navigator.gpu`, or the object `create()` of the `webgpu` package returns. */
export interface WebGpuLike {
  requestAdapter(options?: { powerPreference?: "low-power" | "high-performance" }): Promise<WebGpuAdapterLike | null>;
}
