// Mutation testing of finemem's episode runner (src/episode/**): `npm run mutation -- --target episode`
// (see docs/mutation-testing.md).
import { fineMemStryker } from "../../tools/stryker-preset.mjs";

export default fineMemStryker({
  mutate: ["src/episode/**/*.ts"],
  // Only the test files that import src/episode/** (finemem's whole suite includes browser, CLI and
  // service tests that never reach the episode runner).
  related: true,
});
