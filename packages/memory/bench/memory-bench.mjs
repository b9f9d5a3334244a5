// BM25 benchmark of @finemem/memory against MiniSearch, wink-bm25-text-search and Orama.
// Usage: npm run bench -w @finemem/memory [-- --sizes=1000,10000 --queries=200]
//   [--corpus=reference|distinct] [--peers-up-to=N] [--stores-up-to=N]
// --corpus=distinct uses ./distinct-corpus.mjs (distinct documents, generated in process, up to 1M+);
// engines other than our index are skipped above --peers-up-to / --stores-up-to items ("not run").
// Measures insert throughput (BM25 only, no embeddings) and top-20 query latency (p50, p99) on the
// shared deterministic corpus. Timings are of the machine it runs on; nothing here asserts them.
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { create as createOrama, insertMultiple as oramaInsertMultiple, search as oramaSearch } from "@orama/orama";
import MiniSearch from "minisearch";
import createWinkBm25 from "wink-bm25-text-search";
import { corpusScriptPath, enableGc, fail, loadCorpus, progress } from "./bench-support.mjs";
import { generateDistinctCorpus } from "./distinct-corpus.mjs";

const TOP_K = 20;
const WARM_UP_QUERIES = 20;
const TARGET_INSERTS_PER_SECOND = 200_000;
const TARGET_SPEED_UP = 30;

// ---- Setup: flags, the built package and the shared corpus generator -------------------------

const flags = Object.fromEntries(process.argv.slice(2).map((arg) => arg.replace(/^--/, "").split("=")));
const sizes = (flags.sizes ?? "1000,10000,100000")
  .split(",")
  .map(Number)
  .filter((n) => n >= 3);
const queryLimit = flags.queries === undefined ? Infinity : Number(flags.queries);
const corpusKind = flags.corpus ?? "reference";
const peersUpTo = flags["peers-up-to"] === undefined ? Infinity : Number(flags["peers-up-to"]);
const storesUpTo = flags["stores-up-to"] === undefined ? Infinity : Number(flags["stores-up-to"]);
if (sizes.length === 0 || !(queryLimit > 0) || !["reference", "distinct"].includes(corpusKind))
  fail(
    "usage: memory-bench.mjs [--sizes=1000,10000,100000] [--queries=200] [--corpus=reference|distinct] [--peers-up-to=N] [--stores-up-to=N] (sizes ≥ 3, wink needs 3 docs)",
  );

const distEntry = path.resolve(import.meta.dirname, "../dist/index.js");
if (!existsSync(distEntry)) fail("dist/index.js is missing: run `npm run build -w @finemem/memory` first");
// Imported dynamically so that a missing build gives the message above instead of a module error.
const { Bm25Index, createInMemoryStore, tokenizeForBm25 } = await import(distEntry);

if (corpusKind === "reference") corpusScriptPath();
enableGc();

// ---- Engines: each has build(docs) and search(query) returning the top-20 results -------------

// Our raw index: one `add` per document, keyed by the document's position.
function ourIndexEngine() {
  let index;
  return {
    name: "ours: Bm25Index",
    build(docs) {
      index = new Bm25Index();
      for (let key = 0; key < docs.length; key++) index.add(key, docs[key]);
      return { inserted: docs.length };
    },
    search: (query) => index.search(query, { topK: TOP_K }),
  };
}

// The full store: validation, versions, provenance and its BM25 index, `opsPerApply` INSERTs per step.
function ourStoreEngine(opsPerApply) {
  let store;
  return {
    name: `ours: store, ${opsPerApply} op${opsPerApply === 1 ? "" : "s"}/apply`,
    async build(docs) {
      // The corpus repeats documents (its generator's random numbers cycle: 6,573 distinct in 100k)
      // and every peer indexes each copy, so the store accepts exact duplicates here too.
      store = createInMemoryStore({ layout: "flat", allowDuplicateInserts: true });
      let applied = 0;
      let duplicates = 0;
      for (let start = 0, step = 1; start < docs.length; start += opsPerApply, step++) {
        const operations = [];
        for (let i = start; i < Math.min(start + opsPerApply, docs.length); i++) {
          operations.push({ operationId: `op-${i}`, operation: { type: "INSERT", content: docs[i] } });
        }
        for (const result of await store.apply({ namespace: {}, step, operations })) {
          if (result.status === "applied") applied++;
          else if (result.reason === "duplicate_insert") duplicates++;
          else throw new Error(`unexpected rejection: ${JSON.stringify(result)}`);
        }
      }
      return { inserted: applied, duplicates };
    },
    search: (query) => store.search({}, query, { topK: TOP_K }),
  };
}

// MiniSearch: our tokens; processTerm is the identity because they are already lowercase. BM25+
// parameters stay at MiniSearch's defaults; fuzzy and prefix matching are off (also the defaults).
function miniSearchEngine() {
  let miniSearch;
  return {
    name: "MiniSearch 7.2.0",
    build(docs) {
      miniSearch = new MiniSearch({
        fields: ["text"],
        idField: "id",
        tokenize: (text) => tokenizeForBm25(text),
        processTerm: (term) => term,
        searchOptions: { fuzzy: false, prefix: false, combineWith: "OR" },
      });
      miniSearch.addAll(docs.map((text, id) => ({ id, text })));
      return { inserted: docs.length };
    },
    search: (query) => miniSearch.search(query).slice(0, TOP_K),
  };
}

// wink: our tokenizer as the only prep task (used for documents and queries alike). Its idf is
// log(1 + (N − n + 0.5)/(n + 0.5)) (k = 1, its default); k1 and b are set to rank_bm25's.
// Build time includes `consolidate()`, which computes every document's term weights.
function winkEngine() {
  let wink;
  return {
    name: "wink-bm25-text-search 3.1.2",
    build(docs) {
      wink = createWinkBm25();
      wink.defineConfig({ fldWeights: { text: 1 }, bm25Params: { k1: 1.5, b: 0.75 } });
      wink.definePrepTasks([(text) => tokenizeForBm25(text)]);
      for (let id = 0; id < docs.length; id++) wink.addDoc({ text: docs[id] }, id);
      wink.consolidate();
      return { inserted: docs.length };
    },
    search: (query) => wink.search(query, TOP_K),
  };
}

// Orama: a custom tokenizer is allowed, but its search always matches query terms as prefixes
// (`exact: true` instead turns the query into an AND of case-sensitive words). Appending a marker
// that no word contains makes a term a prefix of only itself, so Orama scores exact word matches.
const ORAMA_TERM_END = "\u0001";
function oramaEngine() {
  let db;
  return {
    name: "Orama 3.1.18",
    async build(docs) {
      const tokenizer = {
        language: "english",
        normalizationCache: new Map(),
        tokenize: (raw) => tokenizeForBm25(raw).map((term) => term + ORAMA_TERM_END),
      };
      db = await createOrama({ schema: { text: "string" }, components: { tokenizer } });
      await oramaInsertMultiple(
        db,
        docs.map((text, id) => ({ id: String(id), text })),
      );
      return { inserted: docs.length };
    },
    search: async (query) => (await oramaSearch(db, { term: query, limit: TOP_K })).hits,
  };
}

// ---- Measurement --------------------------------------------------------------------------

function percentile(sortedValues, fraction) {
  // Nearest rank: the smallest value with at least `fraction` of the values at or below it.
  return sortedValues[Math.max(0, Math.ceil(fraction * sortedValues.length) - 1)];
}

async function measure(engine, corpus) {
  globalThis.gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const rssBefore = process.memoryUsage().rss;
  progress(`${engine.name}: adding ${corpus.docs.length.toLocaleString("en-US")} docs`);
  const buildStart = performance.now();
  const { inserted, duplicates } = await engine.build(corpus.docs);
  const buildSeconds = (performance.now() - buildStart) / 1000;
  globalThis.gc(); // the build's garbage should not be collected during the timed queries
  // What the built engine retains (the corpus strings are held before and after, so not counted).
  const memory = process.memoryUsage();
  const heapPerItem = (memory.heapUsed + memory.arrayBuffers - heapBefore) / corpus.docs.length;
  const rssPerItem = (memory.rss - rssBefore) / corpus.docs.length;
  for (const query of corpus.queries.slice(0, WARM_UP_QUERIES)) await engine.search(query);
  const latencies = [];
  for (const query of corpus.queries) {
    const start = performance.now();
    await engine.search(query);
    latencies.push(performance.now() - start);
  }
  latencies.sort((a, b) => a - b);
  return {
    name: engine.name,
    inserted,
    duplicates,
    insertsPerSecond: inserted / buildSeconds,
    buildSeconds,
    heapPerItem,
    rssPerItem,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
  };
}

// The store must rank exactly as the index does over the same documents (the ones it accepted).
async function sanityCheck(corpus) {
  const store = createInMemoryStore({ layout: "flat", allowDuplicateInserts: true });
  const index = new Bm25Index();
  for (let key = 0; key < corpus.docs.length; key++) {
    const operations = [{ operationId: `op-${key}`, operation: { type: "INSERT", content: corpus.docs[key] } }];
    const [result] = await store.apply({ namespace: {}, step: key + 1, operations });
    if (result.status === "applied") index.add(key, corpus.docs[key]);
  }
  console.log(
    `Sanity check at ${corpus.docs.length.toLocaleString("en-US")} facts (first 5 queries): index top-${TOP_K} keys = store top-${TOP_K}?`,
  );
  for (const query of corpus.queries.slice(0, 5)) {
    const indexKeys = index.search(query, { topK: TOP_K }).map((hit) => hit.key);
    const storeKeys = (await store.search({}, query, { topK: TOP_K })).map((hit) =>
      Number(hit.item.operationId.slice("op-".length)),
    );
    const equal = indexKeys.length === storeKeys.length && indexKeys.every((key, i) => key === storeKeys[i]);
    console.log(
      `  ${equal ? "yes" : "NO "}  "${query}"${equal ? "" : `  index ${indexKeys.join(",")} vs store ${storeKeys.join(",")}`}`,
    );
  }
  console.log("");
}

// ---- Output -------------------------------------------------------------------------------

const formatNumber = (value, digits = 0) =>
  value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const formatMs = (ms) => (ms < 1 ? ms.toFixed(3) : ms < 10 ? ms.toFixed(2) : ms.toFixed(1));

function printTable(size, rows) {
  const ourIndex = rows[0];
  const header = [
    "engine",
    "docs held",
    "build s",
    "inserts/s",
    "p50 ms",
    "p99 ms",
    "heap B/item",
    "RSS B/item",
    "ours p50 speed-up",
  ];
  const cells = rows.map((row) =>
    row.skipped
      ? [row.name, "not run", "", "", "", "", "", "", ""]
      : [
          row.name,
          formatNumber(row.inserted),
          formatNumber(row.buildSeconds, 1),
          formatNumber(row.insertsPerSecond),
          formatMs(row.p50),
          formatMs(row.p99),
          formatNumber(row.heapPerItem),
          formatNumber(row.rssPerItem),
          `${formatNumber(row.p50 / ourIndex.p50, 1)}×`,
        ],
  );
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((line) => line[column].length)));
  const render = (line) =>
    line.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join("  ");
  console.log(`== ${formatNumber(size)} facts, ${formatNumber(ourIndex.queries)} queries, top ${TOP_K} ==`);
  console.log(render(header));
  console.log(widths.map((width) => "-".repeat(width)).join("  "));
  for (const line of cells) console.log(render(line));

  const peers = rows.filter((row) => !row.name.startsWith("ours") && !row.skipped);
  const fastestPeer = peers.reduce((best, row) => (row.p50 < best.p50 ? row : best), peers[0]);
  if (fastestPeer)
    console.log(
      `fastest peer: ${fastestPeer.name} p50 ${formatMs(fastestPeer.p50)} ms; ours (index) p50 ${formatMs(ourIndex.p50)} ms → ${formatNumber(fastestPeer.p50 / ourIndex.p50, 1)}× (target ≥ ${TARGET_SPEED_UP}× at 100k)`,
    );
  const ours = rows.filter((row) => row.name.startsWith("ours") && !row.skipped);
  console.log(
    `ours inserts/s: ${ours.map((row) => `${row.name.replace("ours: ", "")} ${formatNumber(row.insertsPerSecond)}`).join("; ")} (target ≥ ${formatNumber(TARGET_INSERTS_PER_SECOND)})`,
  );
  const storeRow = ours.find((row) => row.duplicates !== undefined);
  if (storeRow?.duplicates > 0) {
    // The corpus repeats documents (its generator's random numbers cycle), so the store holds fewer.
    console.log(
      `store applied ${formatNumber(storeRow.inserted)} INSERTs and rejected ${formatNumber(storeRow.duplicates)} exact duplicates: its inserts/s count applied ones only, and its queries run over ${formatNumber(storeRow.inserted)} items, not ${formatNumber(size)}`,
    );
  }
  console.log("");
}

console.log("@finemem/memory BM25 bench");
console.log(`Node ${process.version}; CPU ${os.cpus()[0]?.model ?? "unknown"}; ${os.cpus().length} cores`);
console.log("Timings are of this machine and this run; nothing asserts them.");
console.log("");

// Each factory with the largest size it runs at; above it the row says "not run".
const engineFactories = [
  [ourIndexEngine, Infinity],
  [() => ourStoreEngine(1), storesUpTo],
  [() => ourStoreEngine(10), storesUpTo],
  [() => ourStoreEngine(100), storesUpTo],
  [miniSearchEngine, peersUpTo],
  [winkEngine, peersUpTo],
  [oramaEngine, peersUpTo],
];
console.log(`corpus: ${corpusKind === "distinct" ? "distinct (bench/distinct-corpus.mjs)" : "shared reference"}`);
for (const [sizeIndex, size] of sizes.entries()) {
  progress(`generating corpus of ${formatNumber(size)} facts`);
  const corpus =
    corpusKind === "distinct"
      ? generateDistinctCorpus(size, Number.isFinite(queryLimit) ? queryLimit : 200)
      : loadCorpus(size, queryLimit);
  if (sizeIndex === 0 && size <= storesUpTo) await sanityCheck(corpus);
  const rows = [];
  // One engine at a time, dropped before the next is built, so they do not share the heap.
  for (const [makeEngine, upTo] of engineFactories) {
    const engine = makeEngine();
    if (size > upTo) rows.push({ name: engine.name, skipped: true });
    else {
      rows.push({ ...(await measure(engine, corpus)), queries: corpus.queries.length });
      // Each row as soon as it is known, so a run stopped at its time limit still reports the rows it finished.
      const row = rows.at(-1);
      progress(
        `${row.name}: ${formatNumber(row.insertsPerSecond)} inserts/s, p50 ${formatMs(row.p50)} ms, p99 ${formatMs(row.p99)} ms, heap ${formatNumber(row.heapPerItem)} B/item`,
      );
    }
  }
  printTable(size, rows);
}

console.log("Notes:");
console.log(
  "- inserts/s = documents added ÷ build time; wink's build includes consolidate(), without which it cannot search.",
);
console.log(
  "- every engine tokenizes with tokenizeForBm25 (lowercase Unicode word runs). Scoring differs: ours is BM25Okapi",
);
console.log("  (k1 1.5, b 0.75, rank_bm25's idf), MiniSearch BM25+ (its defaults k 1.2, b 0.7, d 0.5), wink BM25 with");
console.log("  idf log(1 + …) (k1 1.5, b 0.75), Orama BM25+ (its defaults); all match any query term (OR).");
console.log("- heap B/item = (heapUsed + arrayBuffers) after build and gc − before, ÷ items; RSS likewise (noisier).");
console.log("- Orama's tokens carry an end marker so its prefix-matching search matches whole words only.");
console.log(
  "- latency = one query, including each engine's result objects; 20 warm-up queries first; p = nearest rank.",
);
