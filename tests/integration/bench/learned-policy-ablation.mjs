// The learned policy's feature ablation (issue #13): train with the default configuration with each
// feature group removed in turn (its columns are 0 in training and in evaluation), and print the
// held-out score beside the policy trained with every feature. One training seed per row (SEED).
//
//   npm run build && npm run bench:learned-policy-ablation -w @finemem/integration-tests   [SEED=1 UPDATES=300]
import { performance } from "node:perf_hooks";
import { generateSyntheticBenchmark } from "@finemem/benchmarks";
import { FEATURE_GROUPS } from "@finemem/learned-policy";
import { DEFAULT_TRAINING, evaluatePolicy, trainLearnedPolicy } from "./learned-policy-training.mjs";

const SEED = process.env.SEED ?? "1";
const config = { ...DEFAULT_TRAINING, updates: Number(process.env.UPDATES ?? DEFAULT_TRAINING.updates) };
const HELD_OUT = Number(process.env.HELD_OUT ?? 10);
const heldOut = {
  default: generateSyntheticBenchmark({ seed: "heldout-default", instanceCount: HELD_OUT }),
  hard: generateSyntheticBenchmark({
    seed: "heldout-hard",
    instanceCount: HELD_OUT,
    changedShare: 1,
    distractorShare: 0.5,
  }),
};

console.log(`seed ${SEED}, ${config.updates} updates; held-out score (memory tokens)`);
console.log(["removed".padEnd(12), "default".padEnd(16), "hard".padEnd(16), "train s"].join("  "));
for (const removed of [undefined, ...FEATURE_GROUPS]) {
  const started = performance.now();
  const { policy } = await trainLearnedPolicy({
    seed: SEED,
    config: { ...config, policy: { disabledFeatures: removed === undefined ? [] : [removed] } },
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const cells = [];
  for (const instances of Object.values(heldOut)) {
    const { score, memoryTokens } = await evaluatePolicy(policy, instances);
    cells.push(`${score.toFixed(3)} (${Math.round(memoryTokens)})`.padEnd(16));
  }
  console.log([(removed ?? "(none)").padEnd(12), ...cells, seconds].join("  "));
  policy.dispose();
}
