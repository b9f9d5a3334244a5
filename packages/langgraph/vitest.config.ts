import { defineConfig } from "vitest/config";
import { fineMemVitest } from "../../tools/vitest-preset.mjs";

export default defineConfig(fineMemVitest(import.meta.dirname));
