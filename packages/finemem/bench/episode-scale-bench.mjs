// Time per chunk of the default `finemem eval` (heuristic policy, extractive reader) on the synthetic
// benchmark at 10, 40 and 125 chunks per instance. Linear episodes keep the time per chunk flat as the
// memory grows; a step that rebuilt its maps or its retrieval index from the whole memory would make
// it grow with the chunk count.
//
// Usage: node bench/episode-scale-bench.mjs [--chunks 10,40,125] [--instances 5] [--repeats 1]
// (or `npm run bench:episode-scale -w finemem -- --repeats 3`). Each run is a fresh CLI process on a
// fresh output folder, so the wall time includes start-up (module loading, the o200k encoder where a
// step needs it); the marginal column, the slope between the smallest and each larger size, leaves
// the start-up out.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

const cli = path.resolve(import.meta.dirname, "../dist/cli.js");

function positiveIntegers(flag, text) {
  const values = text.split(",").map((part) => Number(part.trim()));
  if (values.length === 0 || values.some((value) => !Number.isInteger(value) || value < 1)) {
    console.error(`--${flag} must be positive integers separated by commas, got "${text}"`);
    process.exit(1);
  }
  return values;
}

const { values: flags } = parseArgs({
  options: {
    chunks: { type: "string", default: "10,40,125" },
    instances: { type: "string", default: "5" },
    repeats: { type: "string", default: "1" },
  },
});
const chunkCounts = positiveIntegers("chunks", flags.chunks);
const [instances] = positiveIntegers("instances", flags.instances);
const [repeats] = positiveIntegers("repeats", flags.repeats);

function runEval(chunks) {
  const folder = mkdtempSync(path.join(tmpdir(), "finemem-episode-scale-"));
  try {
    const config = path.join(folder, "config.json");
    writeFileSync(config, JSON.stringify({ datasets: [{ kind: "synthetic", instances, chunks }] }));
    const started = process.hrtime.bigint();
    const child = spawnSync(process.execPath, [cli, "eval", "--config", config, "--out", folder, "--quiet"], {
      encoding: "utf8",
      maxBuffer: 1 << 26,
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (child.status !== 0) {
      console.error(`finemem eval at ${chunks} chunks exited ${child.status}:\n${child.stderr}`);
      process.exit(1);
    }
    return seconds;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

const rows = [];
for (const chunks of chunkCounts) {
  const times = [];
  for (let repeat = 0; repeat < repeats; repeat += 1) {
    times.push(runEval(chunks));
    process.stderr.write(`  … ${chunks} chunks, run ${repeat + 1}/${repeats}: ${times.at(-1).toFixed(2)} s\n`);
  }
  rows.push({ chunks, seconds: median(times), times });
}

const base = rows[0];
console.log(`finemem eval, synthetic, ${instances} instances, median of ${repeats} run(s) per size`);
console.log("chunks  wall s  ms/chunk  marginal ms/chunk  runs");
for (const row of rows) {
  const perChunk = (row.seconds * 1000) / (row.chunks * instances);
  const marginal =
    row === base ? "-" : (((row.seconds - base.seconds) * 1000) / ((row.chunks - base.chunks) * instances)).toFixed(1);
  console.log(
    `${String(row.chunks).padStart(6)}  ${row.seconds.toFixed(2).padStart(6)}  ${perChunk.toFixed(1).padStart(8)}  ${marginal.padStart(17)}  ${row.times.map((time) => time.toFixed(2)).join(" ")}`,
  );
}
