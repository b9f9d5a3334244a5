import { defineConfig } from "tsup";
import { fineMemTsup } from "../../tools/tsup-preset.mjs";

export default defineConfig(
  fineMemTsup({
    index: "src/index.ts",
    "python-ports/index": "src/python-ports/index.ts",
    "testing/index": "src/testing/index.ts",
  }),
);
