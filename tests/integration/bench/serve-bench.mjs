// finemem serve's episode engine: step latency by step index with live episodes (the default) beside
// replaying the journal at every step (liveEpisodes: 0), run side by side in alternating rounds.
// In-memory repository, extractive reader, scripted tool calls (one memory_insert per sentence).
// Usage: npm run bench:serve -w @finemem/integration-tests [-- <chunks> <rounds>]
import { generateSyntheticBenchmark } from "@finemem/benchmarks";
import { createExtractiveReader } from "@finemem/policy";
import { splitSentences } from "@finemem/utils";
import { createEpisodeEngine, createInMemoryEpisodeRepository } from "finemem/serve";

const T = Number(process.argv[2] ?? 100);
const ROUNDS = Number(process.argv[3] ?? 3);
const [instance] = generateSyntheticBenchmark({ seed: "serve-bench", instanceCount: 1, chunkCount: T });
const reasoner = createExtractiveReader();

function outputFor(prompt) {
  const user = prompt.messages.filter((message) => message.role === "user").at(-1).content;
  const chunk = /<chunk id="[^"]*">\n([\s\S]*?)\n<\/chunk>/.exec(user)[1];
  return {
    text: "",
    toolCalls: splitSentences(chunk).map((sentence, index) => ({
      id: `c${prompt.step}-${index}`,
      name: "memory_insert",
      arguments: JSON.stringify({ content: sentence.text }),
    })),
    finishReason: "tool_calls",
    usage: { promptTokens: 1, completionTokens: 1 },
  };
}

async function episode(liveEpisodes) {
  const engine = createEpisodeEngine({ repository: createInMemoryEpisodeRepository(), reasoner, liveEpisodes });
  const started = await engine.start(instance, { rollout: 0, seed: "s", prompt: "flat", callStyle: "tools" });
  const times = [];
  let next = started.next;
  while (next !== null) {
    const begin = performance.now();
    next = (await engine.step(started.episodeId, next.step, outputFor(next), `k${next.step}`)).next;
    times.push(performance.now() - begin);
  }
  return times;
}

await episode(0); // builds the o200k encoder (once per process) outside the figures
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const runs = { replay: [], live: [] };
for (let round = 0; round < ROUNDS; round++) {
  runs.replay.push(await episode(0));
  runs.live.push(await episode(1024));
}
const at = (name, step) => median(runs[name].map((times) => times[step - 1]));
const total = (name) => median(runs[name].map((times) => times.reduce((sum, time) => sum + time, 0)));
const steps = [1, Math.ceil(T / 10), Math.ceil(T / 2), T];
console.log(`finemem serve engine, ${T} chunks, median of ${ROUNDS} rounds (ms)`);
for (const name of ["replay", "live"])
  console.log(
    `${name.padEnd(6)} ${steps.map((step) => `step ${step} ${at(name, step).toFixed(1)}`).join(", ")}; all steps ${total(name).toFixed(0)}`,
  );
console.log(
  `live / replay: step ${T} ${(at("live", T) / at("replay", T)).toFixed(2)}, all steps ${(total("live") / total("replay")).toFixed(2)}`,
);
