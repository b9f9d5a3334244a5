// `npm run bench -w @finemem/policy`: the parser's throughput per reply format (beside JSON.parse of
// the same calls), then the HTTP client's achieved throughput at concurrency 64 against a local
// server with a fixed latency (beside the ideal C / L and raw fetch). Run `npm run build` first.
import { formatHttpBench, runHttpBench } from "./http-bench.mjs";
import { formatParserBench, runParserBench } from "./parser-bench.mjs";

const parser = await runParserBench();
process.stdout.write(`${formatParserBench(parser)}\n\n`);
// Two latencies: 50 ms is harsher than any real generation; 200 ms is still far below one. The
// client's own cost per request is fixed, so the ratio to C / L rises with L.
for (const latencyMs of [50, 200]) {
  const http = await runHttpBench({ latencyMs, concurrency: 64, requests: latencyMs === 50 ? 2000 : 1000 });
  process.stdout.write(`${formatHttpBench(http)}\n\n`);
}
