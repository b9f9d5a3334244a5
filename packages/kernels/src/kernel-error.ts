import { FineMemError, type PathSegment } from "@finemem/spec";

/** What went wrong in a kernel call, a tensor operation or a backend. */
export type KernelErrorCode =
  /** shapes that an operation cannot combine (the message gives both) */
  | "shape_mismatch"
  /** an index (token id, segment offset, gather position) outside the table it indexes */
  | "index_out_of_range"
  /** a tensor or backend used after `dispose()` */
  | "disposed"
  /** tensors of different backends or float types in one operation */
  | "inconsistent"
  /** a size, constant or option that is not valid (the path names it) */
  | "invalid_option"
  /** the `webgpu` package is not installed */
  | "missing_dependency"
  /** no WebGPU adapter or device could be obtained, or the device was lost */
  | "no_device";

/** Thrown by `@finemem/kernels`; `code` says what was wrong, the message what to do. */
export class KernelError extends FineMemError {
  declare readonly code: KernelErrorCode;
  constructor(code: KernelErrorCode, message: string, options: { path?: readonly PathSegment[]; cause?: unknown } = {}) {
    super(code, message, options);
  }
}
