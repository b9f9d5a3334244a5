import { defineConfig } from "tsup";
import { fineMemTsup } from "../../tools/tsup-preset.mjs";

export default defineConfig(fineMemTsup({ index: "src/index.ts" }));
