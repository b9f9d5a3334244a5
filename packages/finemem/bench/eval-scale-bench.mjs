// Wall time and peak RSS of `finemem eval` (heuristic policy, extractive reader, default concurrency:
// one episode in flight, as no model is called over HTTP; --concurrency 2 to compare)
// on generated MemoryAgentBench-format files of 1, 4 and 16 instances of 10 MB of context each. A
// streamed evaluation reads, runs and releases instances one at a time (bounded by the episodes in
// flight), so time should grow linearly with the file and peak memory stay bounded by the instances
// in flight, not by the file.
//
// Usage: node bench/eval-scale-bench.mjs [--instances 1,4,16] [--context-mb 10] [--concurrency 2]
//        [--heap-growing-percent 0] [--report] (or `npm run bench:eval-scale -w finemem -- --instances 1,4`).
// --heap-growing-percent sets FINEMEM_HEAP_GROWING_PERCENT for the CLI (default: the CLI's own, 100;
// 0: V8's own heap sizing, which lets the heap grow to 4× what is live), to compare the two.
// Each size is a fresh CLI process on a fresh output folder (`finemem data generate` writes the file
// first, untimed). Peak RSS is the child's own `process.resourceUsage().maxRSS`, read at its exit
// through a preloaded module. The HTML report is off unless --report (it reads the whole step log).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

const cli = path.resolve(import.meta.dirname, "../dist/cli.js");

function positiveNumbers(flag, text) {
  const values = text.split(",").map((part) => Number(part.trim()));
  if (values.length === 0 || values.some((value) => !Number.isFinite(value) || value <= 0)) {
    console.error(`--${flag} must be positive numbers separated by commas, got "${text}"`);
    process.exit(1);
  }
  return values;
}

const { values: flags } = parseArgs({
  options: {
    instances: { type: "string", default: "1,4,16" },
    "context-mb": { type: "string", default: "10" },
    concurrency: { type: "string" },
    "heap-growing-percent": { type: "string" },
    report: { type: "boolean", default: false },
  },
});
const sizes = positiveNumbers("instances", flags.instances);
const [contextMb] = positiveNumbers("context-mb", flags["context-mb"]);

const folder = mkdtempSync(path.join(tmpdir(), "finemem-eval-scale-"));
const preload = path.join(folder, "max-rss.mjs");
writeFileSync(
  preload,
  `import { writeFileSync } from "node:fs";
process.on("exit", () => writeFileSync(process.env.FINEMEM_BENCH_RSS_OUT, String(process.resourceUsage().maxRSS * 1024)));
`,
);

function run(args, extraEnv = {}) {
  const child = spawnSync(process.execPath, args, {
    cwd: folder,
    encoding: "utf8",
    maxBuffer: 1 << 26,
    env: { ...process.env, ...extraEnv },
  });
  if (child.status !== 0) {
    console.error(`${args.join(" ")} exited ${child.status}:\n${child.stderr}`);
    process.exit(1);
  }
  return child;
}

const rows = [];
try {
  for (const instances of sizes) {
    const file = `Conflict_Resolution-${instances}x${contextMb}mb.parquet`;
    run([
      cli,
      "data",
      "generate",
      file,
      "--instances",
      String(instances),
      "--context-mb",
      String(contextMb),
      "--quiet",
    ]);
    const rssFile = path.join(folder, `rss-${instances}`);
    const started = process.hrtime.bigint();
    run(
      [
        "--import",
        preload,
        cli,
        "eval",
        "--file",
        file,
        "--out",
        path.join(folder, `runs-${instances}`),
        "--quiet",
        ...(flags.concurrency === undefined ? [] : ["--concurrency", flags.concurrency]),
        ...(flags.report ? [] : ["--set", "report.html=false"]),
      ],
      {
        FINEMEM_BENCH_RSS_OUT: rssFile,
        ...(flags["heap-growing-percent"] === undefined
          ? {}
          : { FINEMEM_HEAP_GROWING_PERCENT: flags["heap-growing-percent"] }),
      },
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const rss = Number(readFileSync(rssFile, "utf8"));
    rows.push({ instances, seconds, rss });
    console.error(`${instances} × ${contextMb} MB: ${seconds.toFixed(1)} s, peak RSS ${(rss / 1e6).toFixed(0)} MB`);
  }
} finally {
  rmSync(folder, { recursive: true, force: true });
}

const first = rows[0];
console.log(
  `finemem eval on generated MemoryAgentBench files (${contextMb} MB of context per instance), heuristic policy, ` +
    `extractive reader, episodes in flight: ${flags.concurrency ?? "the default (1: no model over HTTP)"}, ` +
    `heap growing percent: ${flags["heap-growing-percent"] ?? "the CLI's default (100)"}, Node ${process.version}`,
);
console.log("instances  wall s  s/instance  time ratio  peak RSS MB  RSS ratio");
console.log("---------  ------  ----------  ----------  -----------  ---------");
for (const row of rows) {
  console.log(
    [
      String(row.instances).padStart(9),
      row.seconds.toFixed(1).padStart(6),
      (row.seconds / row.instances).toFixed(2).padStart(10),
      (row.seconds / first.seconds).toFixed(2).padStart(10),
      (row.rss / 1e6).toFixed(0).padStart(11),
      (row.rss / first.rss).toFixed(2).padStart(9),
    ].join("  "),
  );
}
console.log(
  `ratios are against ${first.instances} instance(s); linear time gives a time ratio equal to the size ratio, bounded memory an RSS ratio near 1`,
);
