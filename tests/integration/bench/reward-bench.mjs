// Reward computation for one large episode, beyond the reasoner's own calls: 100 chunks (steps), 100
// global questions with 20 retrieved items each, 10,000 memory items. Timed: φ read from the real
// store for every evidence item, the attribution, the format reward of every step, the compression
// reward from recorded token counts, and the composer. Peer, run side by side: counting the same
// tokens from scratch (o200k through js-tiktoken), which is what the recorded counts avoid.
//
//   npm run build && npm run bench:rewards -w @finemem/integration-tests   [RUNS=30]
import { performance } from "node:perf_hooks";
import { attributeEvidence, collectStepWeights, evidenceFromRecords } from "@finemem/evidence";
import { createInMemoryStore } from "@finemem/memory";
import { composeStepRewards, compressionReward, formatReward } from "@finemem/step-reward";
import { createO200kTokenCounter, createSeededRandom } from "@finemem/utils";

const STEPS = 100;
const QUESTIONS = 100;
const ITEMS = 10_000;
const RETRIEVED = 20;
const RUNS = Number(process.env.RUNS ?? 30);
const BUDGET_MS = 50;

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

// --- The episode (not timed): 100 INSERTs a step, and from step 51 on, 20 UPDATEs of older items a step.
const random = createSeededRandom("reward-bench");
const words = [
  "river",
  "ledger",
  "harbour",
  "copper",
  "violet",
  "orchard",
  "signal",
  "meadow",
  "cipher",
  "lantern",
  "quarry",
  "summit",
];
const sentence = (n) => `Fact ${n}: ${Array.from({ length: 12 }, () => words[random.int(words.length)]).join(" ")}.`;
const store = createInMemoryStore();
const namespace = { run: "bench" };
const steps = [];
const chunkTexts = [];
let written = 0;
for (let step = 1; step <= STEPS; step++) {
  const operations = [];
  for (let i = 0; i < ITEMS / STEPS; i++) operations.push({ type: "INSERT", content: sentence(written++) });
  if (step > STEPS / 2)
    for (let i = 0; i < 20; i++)
      operations.push({
        type: "UPDATE",
        id: `m${1 + random.int((step - 1) * (ITEMS / STEPS))}`,
        content: sentence(written++),
      });
  const identified = operations.map((operation, position) => ({ operationId: `s${step}.${position}`, operation }));
  const results = await store.apply({ namespace, step, operations: identified });
  // Every call parsed, as a clean model reply would.
  steps.push({
    decision: {
      operations,
      parseOutcomes: operations.map((_, index) => ({
        fragment: index,
        status: "parsed",
        operationIndex: index,
        repairs: [],
      })),
    },
    results,
  });
  chunkTexts.push(operations.map((operation) => operation.content).join(" "));
}
const finalView = await store.view(namespace);
if (finalView.items.length !== ITEMS) throw new Error(`expected ${ITEMS} items, got ${finalView.items.length}`);
const records = Array.from({ length: QUESTIONS }, (_, q) => {
  const picked = new Set();
  while (picked.size < RETRIEVED) picked.add(finalView.items[random.int(ITEMS)]);
  return {
    questionId: `q${q}`,
    retrieved: [...picked].map((item, index) => ({
      itemId: item.id,
      version: item.version,
      rank: index + 1,
      score: 10 - index / 4,
    })),
    answer: "an answer",
    score: random.next() < 0.7 ? 1 : 0,
  };
});
// Recorded counts: chunk lengths as counted when the chunks were packed, item lengths as the store's
// ledger counted them when each version was written.
const counter = createO200kTokenCounter();
const chunkTokens = chunkTexts.map((text) => counter.count(text));
store.tokens.view(finalView);

// --- Timed: everything the rewards need beyond the reasoner's calls.
async function rewards() {
  const questions = evidenceFromRecords(records);
  const stepWeights = await collectStepWeights(store, namespace, questions, "last-writer");
  const attribution = attributeEvidence({ steps: STEPS, questions, stepWeights });
  const compression = compressionReward({ memoryTokens: store.tokens.view(finalView), chunkTokens });
  return composeStepRewards(
    steps.map((step, index) => ({
      format: formatReward(step.decision, step.results).score,
      chunk: null,
      evidence: attribution.evidence[index],
      eara: attribution.eara[index],
    })),
    { compression },
  );
}

// The peer: the same lengths counted from scratch.
function countFromScratch() {
  let total = 0;
  for (const item of finalView.items) total += counter.count(item.content);
  for (const text of chunkTexts) total += counter.count(text);
  return total;
}

async function time(fn, runs) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

await time(rewards, 5);
countFromScratch();
const rewardMs = await time(rewards, RUNS);
const givenWeights = await collectStepWeights(store, namespace, evidenceFromRecords(records), "last-writer");
const attributionMs = await time(
  () => attributeEvidence({ steps: STEPS, questions: evidenceFromRecords(records), stepWeights: givenWeights }),
  RUNS,
);
const scratchMs = await time(countFromScratch, Math.max(3, Math.floor(RUNS / 5)));

console.log(
  `reward computation: ${STEPS} steps, ${QUESTIONS} global questions × ${RETRIEVED} retrieved, ${ITEMS.toLocaleString("en")} items; median of ${RUNS} runs, node ${process.version}`,
);
console.log("| what | median ms | / rewards |");
console.log("| --- | --- | --- |");
console.log(
  `| rewards: φ from the store + attribution + format + compression (recorded counts) + composer | ${rewardMs.toFixed(2)} | 1.00 |`,
);
console.log(`| attribution alone (φ given) | ${attributionMs.toFixed(2)} | ${(attributionMs / rewardMs).toFixed(2)} |`);
console.log(
  `| peer: o200k token counts from scratch (js-tiktoken), memory + chunks | ${scratchMs.toFixed(2)} | ${(scratchMs / rewardMs).toFixed(1)} |`,
);
console.log(
  `budget ${BUDGET_MS} ms: ${rewardMs < BUDGET_MS ? "within" : "OVER"} (${(rewardMs / BUDGET_MS).toFixed(2)} of it); counting from scratch costs ${(scratchMs / rewardMs).toFixed(1)}× the whole reward computation`,
);
