import { defineConfig } from "tsup";
import { fineMemTsup } from "../../tools/tsup-preset.mjs";

export default defineConfig(
  fineMemTsup({
    index: "src/index.ts",
    "testing/index": "src/testing/index.ts",
    // Entry points whose drivers are optional peer dependencies: importing the main entry loads none of them.
    pglite: "src/pglite.ts",
    postgres: "src/postgres.ts",
    "hybrid/index": "src/hybrid/index.ts",
  }),
);
