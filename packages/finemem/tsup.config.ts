import { defineConfig } from "tsup";
import { fineMemTsup } from "../../tools/tsup-preset.mjs";

// `cli` is the `finemem` bin; tsup keeps its `#!/usr/bin/env node` line and marks the file executable.
// `serve` is finemem/serve: the HTTP server, so `import "finemem"` loads no HTTP framework.
export default defineConfig(fineMemTsup({ index: "src/index.ts", serve: "src/serve.ts", cli: "src/cli.ts" }));
