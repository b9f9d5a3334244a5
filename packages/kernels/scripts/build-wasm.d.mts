// Types of build-wasm.mjs, for src/cpu/wasm-bytes.test.ts.
/** The names (without `.wat`) of the .wat files in src/cpu, sorted: "matmul", "softmax". */
export function watNames(): string[];
/** The module's bytes, assembled from `<name>.wat` (or the given text) with only the SIMD128 feature on. */
export function assembleWat(name: string, watText?: string): Promise<Uint8Array>;
/** The exported constant of `<name>-wasm-bytes.ts`: MATMUL_WASM_BASE64 for "matmul". */
export function base64ConstantName(name: string): string;
/** The text of `<name>-wasm-bytes.ts` for these bytes. */
export function bytesModuleSource(name: string, bytes: Uint8Array): string;
