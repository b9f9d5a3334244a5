// Mutation testing of finemem's episode runner (src/episode/**): `npm run mutation -- --target episode`
// (see docs/mutation-testing.md).
import { fineMemStryker } from "../../tools/stryker-preset.mjs";

export default fineMemStryker({
  mutate: ["src/episode/**/*.ts"],
  // Test support that is not named as such: counting wrappers around a policy and a reasoner, imported
  // only by test files.
  notMutated: ["!src/episode/counting-doubles.ts"],
  // Only the test files that import src/episode/** (finemem's whole suite includes browser, CLI and
  // service tests that never reach the episode runner).
  related: true,
});
