// Mutation testing of @finemem/step-reward: `npm run mutation -- --target step-reward` (see docs/mutation-testing.md).
import { fineMemStryker } from "../../tools/stryker-preset.mjs";

export default fineMemStryker({ mutate: ["src/**/*.ts"] });
