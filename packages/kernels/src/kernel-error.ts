import { FineMemError, type PathSegment } from "@finemem/spec";

/**
 * What went wrong in a kernel call, a tensor operation or a backend:
 * - `shape_mismatch`: shapes an operation cannot combine (the message gives both);
 * - `index_out_of_range`: an index (token id, segment offset, gather position) outside what it indexes;
 * - `disposed`: a tensor, buffer or backend used after `dispose()`;
 * - `inconsistent`: tensors of different backends in one operation, a buffer of another backend;
 * - `invalid_option`: a size, constant or option that is not valid (the path names it);
 * - `missing_dependency`: the `webgpu` package is not installed (for `@finemem/kernels/node`);
 * - `no_device`: no WebGPU adapter or device, a lost device, or no WebAssembly SIMD;
 * - `out_of_memory`: a backend could not allocate a buffer (wasm32's 4 GiB, a GPU's buffer limits);
 * - `kernel_failed`: the device rejected a kernel (a WebGPU validation error): later results cannot be
 *   trusted, create a new backend.
 */
export type KernelErrorCode =
  | "shape_mismatch"
  | "index_out_of_range"
  | "disposed"
  | "inconsistent"
  | "invalid_option"
  | "missing_dependency"
  | "no_device"
  | "out_of_memory"
  | "kernel_failed";

/** Thrown by `@finemem/kernels`; `code` says what was wrong, the message what to do. */
export class KernelError extends FineMemError {
  declare readonly code: KernelErrorCode;
  constructor(
    code: KernelErrorCode,
    message: string,
    options: { path?: readonly PathSegment[]; cause?: unknown } = {},
  ) {
    super(code, message, options);
  }
}
