/** Options every async boundary of the spec accepts. */
export interface CallOptions {
  /** Cancels the call; implementations reject with `AbortedError` once it fires. */
  readonly signal?: AbortSignal | undefined;
}

/** The version tag every interface of this major carries. */
export type SpecificationVersion = "v1";
export const SPECIFICATION_VERSION: SpecificationVersion = "v1";
