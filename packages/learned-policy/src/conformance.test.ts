// The learned policy through spec's memory-policy conformance suite: valid operations for any chunk and
// view, fuzzed chunks, seeded sampling, decision log-probabilities that sum to the action's, replay
// payloads its validator accepts, and aborts.
import { memoryPolicyConformance } from "@finemem/spec/testing";
import { describe, it } from "vitest";
import { createLearnedPolicy, type LearnedPolicy } from "./learned-policy.js";

describe("the memory-policy conformance suite", () => {
  for (const conformanceCase of memoryPolicyConformance({
    name: "learned",
    createPolicy: (seed) => createLearnedPolicy({ initSeed: "1", sampling: { seed } }),
    disposePolicy: (policy) => (policy as LearnedPolicy).dispose(),
    deterministic: true,
    actionLogprobs: "decisions",
  }))
    it(`${conformanceCase.group}: ${conformanceCase.name}`, () => conformanceCase.run());
});
