import { defineConfig } from "tsup";
import { fineMemTsup } from "../../tools/tsup-preset.mjs";

export default defineConfig(
  fineMemTsup({
    index: "src/index.ts",
    "testing/index": "src/testing/index.ts",
    "transformers/index": "src/transformers/index.ts",
    "llama-cpp/index": "src/llama-cpp/index.ts",
  }),
);
