import { defineConfig } from "tsup";
import { fineMemTsup } from "../../tools/tsup-preset.mjs";

// `cli` is the `finemem` bin; tsup keeps its `#!/usr/bin/env node` line and marks the file executable.
export default defineConfig(fineMemTsup({ index: "src/index.ts", cli: "src/cli.ts" }));
