// Mutation testing of @finemem/utils: `npm run mutation -- --target utils` (see docs/mutation-testing.md).
import { fineMemStryker } from "../../tools/stryker-preset.mjs";

export default fineMemStryker({ mutate: ["src/**/*.ts"] });
