// Mutation testing of @finemem/agent: `npm run mutation -- --target agent` (see docs/mutation-testing.md).
import { fineMemStryker } from "../../tools/stryker-preset.mjs";

export default fineMemStryker({ mutate: ["src/**/*.ts"] });
