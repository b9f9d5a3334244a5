import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { assembleMatmulWat, bytesModuleSource } from "../../scripts/build-wasm.mjs";
import { MATMUL_WASM_BASE64 } from "./matmul-wasm-bytes.js";
import { wasmApi } from "./wasm-api.js";

describe("matmul-wasm-bytes.ts", () => {
  it("holds exactly the bytes that matmul.wat assembles to (run `node scripts/build-wasm.mjs` after editing the .wat)", async () => {
    const bytes = await assembleMatmulWat();
    expect(MATMUL_WASM_BASE64).toBe(Buffer.from(bytes).toString("base64"));
    // The whole generated file, header included, is what the script writes.
    const committed = readFileSync(join(import.meta.dirname, "matmul-wasm-bytes.ts"), "utf8");
    expect(committed).toBe(bytesModuleSource(bytes));
  });

  it("is a valid SIMD module exporting matmul and scratch_bytes", async () => {
    const bytes = Uint8Array.from(atob(MATMUL_WASM_BASE64), (c) => c.charCodeAt(0));
    const api = wasmApi()!;
    expect(api.validate(bytes)).toBe(true);
    const module = await api.compile(bytes);
    expect(
      api.Module.exports(module)
        .map((entry) => entry.name)
        .sort(),
    ).toEqual(["matmul", "scratch_bytes"]);
    expect(api.Module.imports(module)).toEqual([{ module: "env", name: "memory", kind: "memory" }]);
  });
});
