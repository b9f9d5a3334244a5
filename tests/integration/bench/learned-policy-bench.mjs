// The learned policy's benchmark (issue #13): train with the default configuration for seeds 1, 2 and 3
// and evaluate greedily on held-out synthetic instances (seeds of their own, disjoint from training's
// `train-*` and from eval's default "0"), in the default and the hard setting (every fact changes, half
// the sentences distract), and on the shared MemoryAgentBench sample when ../shared is present. Per
// seed: training wall time, and held-out score and memory tokens for the untrained start, the trained
// policy, insert-every-fact, the heuristic and RAG-top2, all read by the extractive reader.
//
//   npm run build && npm run bench:learned-policy -w @finemem/integration-tests   [SEEDS=1,2,3 UPDATES=300 W_COMP=0]
//
// W_COMP trains with another weight of the compression reward (the default configuration has none).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createMemoryAgentBenchLoader, createSingleFileSource, generateSyntheticBenchmark } from "@finemem/benchmarks";
import { createLearnedPolicy } from "@finemem/learned-policy";
import { createBaseline, createHeuristicPolicy } from "@finemem/policy";
import { DEFAULT_TRAINING, evaluatePolicy, trainLearnedPolicy } from "./learned-policy-training.mjs";

const SEEDS = (process.env.SEEDS ?? "1,2,3").split(",");
const config = {
  ...DEFAULT_TRAINING,
  updates: Number(process.env.UPDATES ?? DEFAULT_TRAINING.updates),
  ...(process.env.W_COMP === undefined
    ? {}
    : {
        rewards: {
          ...DEFAULT_TRAINING.rewards,
          weights: { ...DEFAULT_TRAINING.rewards.weights, compression: Number(process.env.W_COMP) },
        },
      }),
};
const HELD_OUT = Number(process.env.HELD_OUT ?? 10);
const MAB_FILE = join(
  import.meta.dirname,
  "../../../../shared/data/memoryagentbench/Conflict_Resolution-factconsolidation_sh_6k.jsonl",
);

const datasets = {
  "held-out default": generateSyntheticBenchmark({ seed: "heldout-default", instanceCount: HELD_OUT }),
  "held-out hard": generateSyntheticBenchmark({
    seed: "heldout-hard",
    instanceCount: HELD_OUT,
    changedShare: 1,
    distractorShare: 0.5,
  }),
};
if (existsSync(MAB_FILE)) {
  const instances = [];
  for await (const instance of createMemoryAgentBenchLoader({
    source: createSingleFileSource({ path: MAB_FILE }),
  }).load())
    instances.push(instance);
  datasets["MemoryAgentBench sample"] = instances;
} else {
  console.log(`(the MemoryAgentBench sample is not at ${MAB_FILE}: its column is left out)`);
}

const cell = ({ score, memoryTokens }) => `${score.toFixed(3)} (${Math.round(memoryTokens)} tok)`;
async function row(name, policy, readerTopK) {
  const cells = [];
  for (const instances of Object.values(datasets))
    cells.push(cell(await evaluatePolicy(policy, instances, { readerTopK })));
  return [name, ...cells];
}
function print(rows) {
  const header = ["policy", ...Object.keys(datasets)];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((r) => r[column].length)));
  const line = (cells) => cells.map((text, column) => text.padEnd(widths[column])).join("  ");
  console.log(line(header));
  for (const r of rows) console.log(line(r));
}

console.log(`configuration: ${JSON.stringify(config)}`);
const ragTop2 = createBaseline("rag-top2");
const insertEveryFact = createBaseline("insert-every-fact");
const baselines = [
  await row("insert-every-fact", insertEveryFact.policy, insertEveryFact.readerTopK),
  await row("heuristic", createHeuristicPolicy()),
  await row("rag-top2", ragTop2.policy, ragTop2.readerTopK),
];
for (const seed of SEEDS) {
  const start = await createLearnedPolicy({ initSeed: seed });
  const untrained = await row("untrained start", start.greedy());
  start.dispose();
  const started = performance.now();
  let last;
  const { policy } = await trainLearnedPolicy({
    seed,
    config,
    onUpdate: (line) => {
      last = line;
      if (line.update % 50 === 0)
        process.stderr.write(
          `seed ${seed}: update ${line.update}/${config.updates}, mean reward ${line.meanReward.toFixed(3)}\n`,
        );
    },
  });
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `\nseed ${seed}: trained ${config.updates} updates in ${seconds.toFixed(1)} s (last mean reward ${last.meanReward.toFixed(3)})`,
  );
  print([untrained, await row("trained", policy), ...baselines]);
  policy.dispose();
}
