// Mutation testing of @finemem/evidence: `npm run mutation -- --target evidence` (see docs/mutation-testing.md).
import { fineMemStryker } from "../../tools/stryker-preset.mjs";

export default fineMemStryker({ mutate: ["src/**/*.ts"] });
