// Throughput of the reply parser on realistic memory-manager replies, in each reply format.
//
// A reply holds CALLS calls (default 8) whose contents are about CHARS characters (default 200) of
// ordinary sentences — with the quotes, apostrophes and newlines real facts have — and a sentence of
// prose before, between and after the calls. The named peer is the native `JSON.parse` of the
// equivalent plain JSON array of `{"name", "arguments"}` calls: the least any parser of the same calls
// must do. The ratio is ours / JSON.parse, in replies per second (below 1: the parser also finds the
// calls in the text, checks every argument and validates every operation).
//
// Usage (after `npm run build` in packages/policy):
//   node bench/parser-bench.mjs [CALLS=8] [CHARS=200] [MS=400] [ROUNDS=5]
// also --calls=, --chars=, --ms=, --rounds=. Progress goes to stderr, the table to stdout.
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { createSeededRandom } from "@finemem/utils";
import { parseManagerReply, renderOperations } from "../dist/index.js";
import { median, readNumericOptions } from "./bench-support.mjs";

const FORMATS = ["openai-tool-calls", "tool-call-tags", "qwen-agent", "bare-json"];
const WORDS = [
  "Maya",
  "moved",
  "to",
  "Lyon",
  "in",
  "2021",
  "and",
  "works",
  "as",
  "a",
  "nurse",
  "at",
  "the",
  "city",
  "hospital",
  "her",
  "brother",
  "Tom",
  "plays",
  "chess",
  "every",
  "Sunday",
  "she",
  "likes",
  "green",
  "tea",
  "doesn't",
  '"Le Bistro"',
  "is",
  "their",
  "favourite",
  "place",
];

/**
 * Runs the bench and returns its figures. Each round times ours then the peer for `ms` milliseconds;
 * the reported rate of each is the median over rounds, which damps a stray GC pause.
 *
 * @param {{ calls?: number, chars?: number, ms?: number, rounds?: number, log?: (line: string) => void }} [options]
 */
export async function runParserBench(options = {}) {
  const calls = options.calls ?? 8;
  const chars = options.chars ?? 200;
  const ms = options.ms ?? 400;
  const rounds = options.rounds ?? 5;
  const log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  for (const [name, value] of Object.entries({ calls, chars, ms, rounds })) {
    if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${name} must be an integer > 0, got ${value}`);
  }

  // Seeded, so every run benches the same replies.
  const seeded = createSeededRandom(20240501);
  const random = () => seeded.next();
  const operations = Array.from({ length: calls }, (_, index) => operationFor(index, sentence(random, chars)));
  const prose = Array.from({ length: calls + 1 }, (_, index) =>
    index === 0
      ? "I read the chunk and will record what changed."
      : index === calls
        ? "That is everything worth keeping."
        : "Next:",
  );
  const peerText = JSON.stringify(
    renderOperations(operations, { toolSet: "flat", format: "openai-tool-calls" }).toolCalls.map((call) => ({
      name: call.name,
      arguments: JSON.parse(call.arguments),
    })),
  );

  const rows = [];
  for (const format of FORMATS) {
    const reply = renderOperations(operations, { toolSet: "flat", format, prose });
    // The bench measures the happy path: check once that it is one.
    const check = parseManagerReply(reply, { toolSet: "flat" });
    if (check.operations.length !== calls || check.parseOutcomes.some((outcome) => outcome.status !== "parsed")) {
      throw new Error(`${format}: the rendered reply did not parse cleanly: ${JSON.stringify(check.parseOutcomes)}`);
    }
    const replyChars =
      reply.text.length + reply.toolCalls.reduce((sum, call) => sum + call.name.length + call.arguments.length, 0);
    const ours = [];
    const peer = [];
    // Warm-up: lets V8 optimise both paths before anything is timed.
    rate(() => parseManagerReply(reply, { toolSet: "flat" }).operations.length, ms / 2);
    rate(() => JSON.parse(peerText).length, ms / 2);
    for (let round = 1; round <= rounds; round++) {
      ours.push(rate(() => parseManagerReply(reply, { toolSet: "flat" }).operations.length, ms));
      peer.push(rate(() => JSON.parse(peerText).length, ms));
      log(
        `${format} round ${round}/${rounds}: ours ${ours.at(-1).toFixed(0)} replies/s, JSON.parse ${peer.at(-1).toFixed(0)} arrays/s`,
      );
    }
    const repliesPerSecond = median(ours);
    const peerPerSecond = median(peer);
    rows.push({
      format,
      replyChars,
      repliesPerSecond,
      callsPerSecond: repliesPerSecond * calls,
      peerPerSecond,
      ratio: repliesPerSecond / peerPerSecond,
    });
  }
  return { calls, chars, ms, rounds, peerChars: peerText.length, rows };
}

/** The results as a fixed-width table. */
export function formatParserBench(result) {
  const header = ["format", "reply chars", "replies/s", "calls/s", "JSON.parse/s", "ours / JSON.parse"];
  const body = result.rows.map((row) => [
    row.format,
    String(row.replyChars),
    row.repliesPerSecond.toFixed(0),
    row.callsPerSecond.toFixed(0),
    row.peerPerSecond.toFixed(0),
    row.ratio.toFixed(3),
  ]);
  const table = [header, ...body];
  const widths = header.map((_, column) => Math.max(...table.map((row) => row[column].length)));
  const line = (row) =>
    row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join("  ");
  return [
    `Parser bench: ${result.calls} calls of ~${result.chars} characters per reply, flat tools, median of ${result.rounds} rounds of ${result.ms} ms, Node ${process.version}`,
    `peer: JSON.parse of the same calls as one plain JSON array (${result.peerChars} characters)`,
    line(header),
    widths.map((width) => "-".repeat(width)).join("  "),
    ...body.map(line),
  ].join("\n");
}

/** Calls `run` repeatedly for about `ms` milliseconds; returns calls per second. */
function rate(run, ms) {
  let count = 0;
  let sink = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    // Batches of 64 keep the clock out of the measurement.
    for (let index = 0; index < 64; index++) sink += run();
    count += 64;
    elapsed = performance.now() - start;
  } while (elapsed < ms);
  if (sink < 0) throw new Error("unreachable");
  return count / (elapsed / 1000);
}

/** Operation `index` of the reply: mostly inserts, with an update, a delete and a skip mixed in. */
function operationFor(index, content) {
  switch (index % 8) {
    case 3:
      return { type: "UPDATE", id: `m${index + 10}`, content };
    case 5:
      return { type: "DELETE", id: `m${index + 20}` };
    case 7:
      return { type: "SKIP" };
    default:
      return { type: "INSERT", content };
  }
}

/** About `chars` characters of sentences drawn from WORDS. */
function sentence(random, chars) {
  let text = "";
  while (text.length < chars) {
    const word = WORDS[Math.floor(random() * WORDS.length)];
    text += text.length === 0 ? word[0].toUpperCase() + word.slice(1) : ` ${word}`;
    if (random() < 0.08) text += random() < 0.5 ? ".\n" : ".";
  }
  return `${text.slice(0, chars).trimEnd()}.`;
}

const readOptions = (argv, env) =>
  readNumericOptions(argv, env, { CALLS: "calls", CHARS: "chars", MS: "ms", ROUNDS: "rounds" });

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await runParserBench(readOptions(process.argv.slice(2), process.env));
  process.stdout.write(`${formatParserBench(result)}\n`);
}
