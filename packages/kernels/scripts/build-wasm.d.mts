// Types of build-wasm.mjs, for src/cpu/matmul-wasm-bytes.test.ts.
/** The module's bytes, assembled from the .wat text (default: src/cpu/matmul.wat) with only the SIMD128 feature on. */
export function assembleMatmulWat(watText?: string): Promise<Uint8Array>;
/** The text of matmul-wasm-bytes.ts for these bytes. */
export function bytesModuleSource(bytes: Uint8Array): string;
