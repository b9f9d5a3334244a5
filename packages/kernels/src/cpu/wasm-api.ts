// The part of the WebAssembly JavaScript API that the CPU backend uses, typed here because the package
// compiles against ES2023 + Node types, which declare no WebAssembly values (the DOM lib does).
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(deltaPages: number): number;
}

export interface WasmModuleHandle {
  readonly __brand: "WebAssembly.Module";
}

export interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  compile(bytes: Uint8Array): Promise<WasmModuleHandle>;
  instantiate(module: WasmModuleHandle, imports: object): Promise<{ readonly exports: object }>;
  readonly Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
  readonly Module: {
    exports(module: WasmModuleHandle): { name: string; kind: string }[];
    imports(module: WasmModuleHandle): { module: string; name: string; kind: string }[];
  };
}

/** The engine's WebAssembly object, or undefined where there is none. */
export function wasmApi(): WasmApi | undefined {
  return (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
}
