// Counting wrappers for tests: how many times an episode asked its policy and its reasoner.
import type { MemoryPolicy, Reasoner } from "@finemem/spec";

export interface Counted<T> {
  readonly value: T;
  calls(): number;
}

export function countPolicy(policy: MemoryPolicy): Counted<MemoryPolicy> {
  let calls = 0;
  return {
    value: {
      ...policy,
      decide: (input, options) => {
        calls += 1;
        return policy.decide(input, options);
      },
    },
    calls: () => calls,
  };
}

export function countReasoner(reasoner: Reasoner): Counted<Reasoner> {
  let calls = 0;
  return {
    value: {
      ...reasoner,
      answer: (input, options) => {
        calls += 1;
        return reasoner.answer(input, options);
      },
    },
    calls: () => calls,
  };
}
