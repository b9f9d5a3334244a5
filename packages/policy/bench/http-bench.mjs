// HTTP throughput of the OpenAI-compatible backend against a local server that answers every request
// after a fixed latency L, at concurrency C, over N requests.
//
// The server runs in a worker thread, as a real inference server runs in its own process: sharing the
// client's thread, its JSON and socket work would be charged to the client being measured.
//
// With C requests always in flight and each taking L, the ideal throughput is C / L. A fixed L keeps
// the C requests in lockstep waves whose answers the client handles one after another, so the CPU
// cost of a request (Node's fetch, then this backend's mapping, validation, limiter and ledger) adds
// about C × cost / 2 to every request's latency. The same load sent by raw `fetch` workers, the named
// peer, separates Node's HTTP client from this package; the backend's own cost per call is measured
// apart with fetch stubbed out.
//
// Usage (after `npm run build` in packages/policy):
//   node bench/http-bench.mjs [L=50] [C=64] [N=2000] [ROUNDS=3]
//   L=20 C=128 N=5000 node bench/http-bench.mjs
// also --latency-ms=, --concurrency=, --requests=, --rounds=. Progress goes to stderr, the table to stdout.
import { once } from "node:events";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { createOpenAICompatibleModel } from "../dist/index.js";
import { chatCompletion, startOpenAIReplayServer } from "../dist/testing/index.js";
import { median, readNumericOptions } from "./bench-support.mjs";

const TARGET_RATIO = 0.9;

/**
 * Runs the bench and returns its figures. Each round measures ours then the peer on the same server;
 * the reported throughput of each is the median over rounds, which damps a stray GC pause.
 *
 * @param {{ latencyMs?: number, concurrency?: number, requests?: number, rounds?: number, log?: (line: string) => void }} [options]
 */
export async function runHttpBench(options = {}) {
  const latencyMs = options.latencyMs ?? 50;
  const concurrency = options.concurrency ?? 64;
  const requests = options.requests ?? 2000;
  const rounds = options.rounds ?? 3;
  const log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  for (const [name, value] of Object.entries({ latencyMs, concurrency, requests, rounds })) {
    if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a number > 0, got ${value}`);
  }

  const server = await startServerWorker(latencyMs);
  const messages = [{ role: "user", content: "Where does Maya live?" }];
  try {
    const model = createOpenAICompatibleModel({ baseURL: server.baseURL, model: "bench-model", concurrency });
    const runOurs = async (count) => {
      await Promise.all(Array.from({ length: count }, () => model.generate({ messages })));
    };
    const url = `${server.baseURL}/chat/completions`;
    const payload = JSON.stringify({ model: "bench-model", messages });
    const runPeer = async (count) => {
      let next = 0;
      const worker = async () => {
        while (next < count) {
          next++;
          const response = await fetch(url, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: payload,
          });
          if (!response.ok) throw new Error(`peer: HTTP ${response.status}`);
          await response.json();
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
    };

    // Warm-up: opens the connection pool and lets V8 optimise both paths before anything is timed.
    log(`warm-up: ${concurrency * 2} requests each`);
    await runOurs(concurrency * 2);
    await runPeer(concurrency * 2);

    const timed = async (run) => {
      const start = performance.now();
      await run(requests);
      return requests / ((performance.now() - start) / 1000);
    };
    const ours = [];
    const peer = [];
    for (let round = 1; round <= rounds; round++) {
      ours.push(await timed(runOurs));
      peer.push(await timed(runPeer));
      log(`round ${round}/${rounds}: ours ${ours.at(-1).toFixed(0)} req/s, raw fetch ${peer.at(-1).toFixed(0)} req/s`);
    }
    const ideal = concurrency / (latencyMs / 1000);
    const backendMicrosPerCall = await measureBackendCost(concurrency);
    log(`backend alone (fetch stubbed out): ${backendMicrosPerCall.toFixed(1)} µs per call`);
    const oursRate = median(ours);
    const peerRate = median(peer);
    return {
      latencyMs,
      concurrency,
      requests,
      rounds,
      idealRequestsPerSecond: ideal,
      ours: { requestsPerSecond: oursRate, ratioToIdeal: oursRate / ideal },
      peer: { name: "raw fetch", requestsPerSecond: peerRate, ratioToIdeal: peerRate / ideal },
      oursOverPeer: oursRate / peerRate,
      backendMicrosPerCall,
      ledger: model.ledger.snapshot().total,
    };
  } finally {
    await server.close();
  }
}

/** The backend's own CPU cost per call, in µs: the same calls answered by a stub fetch without I/O. */
async function measureBackendCost(concurrency) {
  const text = JSON.stringify(
    chatCompletion({ content: "Maya lives in Lyon.", usage: { promptTokens: 48, completionTokens: 6 } }),
  );
  const stubFetch = async () => new Response(text, { status: 200, headers: { "content-type": "application/json" } });
  const model = createOpenAICompatibleModel({
    baseURL: "http://127.0.0.1:9/v1",
    model: "bench-model",
    concurrency,
    fetch: stubFetch,
  });
  const messages = [{ role: "user", content: "Where does Maya live?" }];
  const calls = 5000;
  let best = Number.POSITIVE_INFINITY;
  // The best of a few runs: the first ones include JIT warm-up.
  for (let run = 0; run < 4; run++) {
    const start = performance.now();
    await Promise.all(Array.from({ length: calls }, () => model.generate({ messages })));
    best = Math.min(best, ((performance.now() - start) * 1000) / calls);
  }
  return best;
}

/** Starts the replay server in a worker thread; resolves with its baseURL and a close function. */
async function startServerWorker(latencyMs) {
  // --input-type (set when runHttpBench is imported from `node -e`) is refused for a worker started from a file.
  const execArgv = process.execArgv.filter((flag) => !flag.startsWith("--input-type"));
  const worker = new Worker(new URL(import.meta.url), { execArgv, workerData: { httpBenchServer: { latencyMs } } });
  const [message] = await Promise.race([
    once(worker, "message"),
    once(worker, "error").then(([error]) => {
      throw error;
    }),
  ]);
  return {
    baseURL: message.baseURL,
    async close() {
      worker.postMessage("close");
      await once(worker, "exit");
    },
  };
}

/** The worker side: one canned body for every answer, built once, so the server costs the same for both clients. */
async function serveInWorker({ latencyMs }) {
  const body = chatCompletion({ content: "Maya lives in Lyon.", usage: { promptTokens: 48, completionTokens: 6 } });
  const server = await startOpenAIReplayServer(() => ({ delayMs: latencyMs, body }));
  parentPort.once("message", async () => {
    await server.close();
    parentPort.close();
  });
  parentPort.postMessage({ baseURL: server.baseURL });
}

/** The results as a fixed-width table. */
export function formatHttpBench(result) {
  const rows = [
    ["client", "req/s", "ideal C/L", "ratio", `target ≥ ${TARGET_RATIO}`],
    [
      "@finemem/policy openai-compatible",
      result.ours.requestsPerSecond.toFixed(0),
      result.idealRequestsPerSecond.toFixed(0),
      result.ours.ratioToIdeal.toFixed(3),
      result.ours.ratioToIdeal >= TARGET_RATIO ? "met" : "MISSED",
    ],
    [
      `peer: ${result.peer.name}`,
      result.peer.requestsPerSecond.toFixed(0),
      result.idealRequestsPerSecond.toFixed(0),
      result.peer.ratioToIdeal.toFixed(3),
      "",
    ],
  ];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const line = (row) =>
    row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join("  ");
  return [
    `HTTP bench: L = ${result.latencyMs} ms, C = ${result.concurrency}, N = ${result.requests}, median of ${result.rounds} rounds, Node ${process.version}`,
    line(rows[0]),
    widths.map((width) => "-".repeat(width)).join("  "),
    ...rows.slice(1).map(line),
    `ours / peer = ${result.oursOverPeer.toFixed(3)}; backend alone (fetch stubbed out): ${result.backendMicrosPerCall.toFixed(1)} µs per call`,
  ].join("\n");
}

const readOptions = (argv, env) =>
  readNumericOptions(
    argv,
    env,
    { L: "latencyMs", C: "concurrency", N: "requests", ROUNDS: "rounds" },
    { "--latency-ms": "L", "--concurrency": "C", "--requests": "N", "--rounds": "ROUNDS" },
  );

if (!isMainThread && workerData?.httpBenchServer !== undefined) {
  await serveInWorker(workerData.httpBenchServer);
} else if (isMainThread && process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await runHttpBench(readOptions(process.argv.slice(2), process.env));
  process.stdout.write(`${formatHttpBench(result)}\n`);
}
