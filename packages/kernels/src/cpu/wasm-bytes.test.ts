import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { assembleWat, base64ConstantName, bytesModuleSource, watNames } from "../../scripts/build-wasm.mjs";
import { MATMUL_WASM_BASE64 } from "./matmul-wasm-bytes.js";
import { SOFTMAX_WASM_BASE64 } from "./softmax-wasm-bytes.js";
import { wasmApi } from "./wasm-api.js";

/** Each module's committed base64 and the exports the CPU backend calls. */
const MODULES: Record<string, { base64: string; exports: string[] }> = {
  matmul: { base64: MATMUL_WASM_BASE64, exports: ["matmul", "scratch_bytes"] },
  softmax: { base64: SOFTMAX_WASM_BASE64, exports: ["segment_softmax", "segment_softmax_grad"] },
};

describe("the committed WebAssembly bytes", () => {
  it("cover every .wat file in src/cpu", () => {
    expect(watNames()).toEqual(Object.keys(MODULES).sort());
  });

  for (const [name, { base64, exports }] of Object.entries(MODULES)) {
    describe(`${name}-wasm-bytes.ts`, () => {
      it(`holds exactly the bytes that ${name}.wat assembles to (run \`node scripts/build-wasm.mjs\` after editing the .wat)`, async () => {
        const bytes = await assembleWat(name);
        expect(base64).toBe(Buffer.from(bytes).toString("base64"));
        // The whole generated file, header included, is what the script writes.
        const committed = readFileSync(join(import.meta.dirname, `${name}-wasm-bytes.ts`), "utf8");
        expect(committed).toBe(bytesModuleSource(name, bytes));
        expect(committed).toContain(`export const ${base64ConstantName(name)} =`);
      });

      it(`is a valid SIMD module exporting ${exports.join(" and ")}, importing only the memory`, async () => {
        const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
        const api = wasmApi()!;
        expect(api.validate(bytes)).toBe(true);
        const module = await api.compile(bytes);
        expect(
          api.Module.exports(module)
            .map((entry) => entry.name)
            .sort(),
        ).toEqual(exports);
        expect(api.Module.imports(module)).toEqual([{ module: "env", name: "memory", kind: "memory" }]);
      });
    });
  }
});
