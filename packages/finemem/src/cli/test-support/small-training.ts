// Flags for a `finemem train` run of seconds in the CLI tests: small generated instances (3 chunks of
// 3 facts, 2 questions each), one training instance per update, G = 2, and 2 held-out instances.
export const SMALL_TRAINING_FLAGS: readonly string[] = [
  "--set",
  'datasets=[{"kind":"synthetic","seed":"t","chunks":3,"factsPerChunk":3,"questionsPerChunk":2}]',
  "--set",
  'train.heldout=[{"kind":"synthetic","seed":"h","instances":2,"chunks":3,"factsPerChunk":3,"questionsPerChunk":2}]',
  "--set",
  "train.instancesPerUpdate=1",
  "--set",
  "train.rollouts=2",
];
