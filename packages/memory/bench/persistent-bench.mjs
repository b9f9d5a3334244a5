// Benchmark of the persistent memory stores (PGlite, PostgreSQL) side by side with the in-memory store.
// Usage: npm run bench:persistent -w @finemem/memory [-- --items=10000 --single-op-items=2000 --queries=200
//   --group-writers=16 --group-window-ms=2 --reopen-only]
// --reopen-only: only the reopen measurement (3) on PGlite and PostgreSQL, on a store filled with
//   100-operation steps (e.g. `-- --items=100000 --reopen-only` for the 100k-item snapshot figure).
// Measures, on the shared deterministic corpus:
//   1. insert throughput: N INSERTs at 1, 10 and 100 operations per apply (one apply = one step = one
//      transaction for the persistent stores), and its ratio to the in-memory store;
//   2. top-20 search latency (p50, p99) at N items, on the store of the 100 ops/apply run;
//   3. reopen time (close, then open again) twice: replaying the whole operation log (snapshot: false)
//      and restoring the snapshot written on close (plus the log's tail, empty here), their ratio, and
//      whether the export after each reopen equals the export before closing;
//   4. group commit on PGlite: W writers (one namespace each) applying single-operation steps at once,
//      each awaiting its previous step, with one transaction per write and with a group-commit window.
// PostgreSQL is used when FINEMEM_POSTGRES_URL (an admin connection) or the default local socket
// answers: the bench creates a database finemem_bench_<random> and drops it at the end.
// Timings are of the machine it runs on; nothing here asserts them.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { corpusScriptPath, enableGc, fail, loadCorpus, progress } from "./bench-support.mjs";

const TOP_K = 20;
const WARM_UP_QUERIES = 20;
const OPS_PER_APPLY = [1, 10, 100];
const NAMESPACE = {};
const STORE_OPTIONS = { layout: "flat", allowDuplicateInserts: true };
// Snapshots are opt-in; the persistent stores here write one on close (the reopen measurement reads it).
const SNAPSHOT_ON_CLOSE = { snapshot: { everyRows: Number.MAX_SAFE_INTEGER } };
const POSTGRES_ADMIN_URL = process.env.FINEMEM_POSTGRES_URL ?? "postgresql://root@/postgres?host=/var/run/postgresql";

// ---- Setup: flags, the built package and the shared corpus generator -------------------------

const flags = Object.fromEntries(process.argv.slice(2).map((arg) => arg.replace(/^--/, "").split("=")));
const itemCount = Number(flags.items ?? 10_000);
const singleOpItems = Math.min(itemCount, Number(flags["single-op-items"] ?? 2_000));
const queryLimit = Number(flags.queries ?? 200);
const groupWriters = Number(flags["group-writers"] ?? 16);
const groupWindowMs = Number(flags["group-window-ms"] ?? 2);
const reopenOnly = "reopen-only" in flags;
if (
  !(Number.isInteger(groupWriters) && groupWriters >= 1) ||
  !(Number.isFinite(groupWindowMs) && groupWindowMs >= 0 && groupWindowMs <= 60_000)
) {
  fail("usage: persistent-bench.mjs [--group-writers=16] [--group-window-ms=2] (writers ≥ 1, window 0..60000 ms)");
}
if (
  !(Number.isInteger(itemCount) && itemCount >= 1) ||
  !(Number.isInteger(singleOpItems) && singleOpItems >= 1) ||
  !(queryLimit > 0)
) {
  fail("usage: persistent-bench.mjs [--items=10000] [--single-op-items=2000] [--queries=200] (positive integers)");
}

const distDir = path.resolve(import.meta.dirname, "../dist");
for (const entry of ["index.js", "pglite.js", "postgres.js"]) {
  if (!existsSync(path.join(distDir, entry)))
    fail(`dist/${entry} is missing: run \`npm run build -w @finemem/memory\` first`);
}
// Imported dynamically so that a missing build gives the message above instead of a module error.
const { createInMemoryStore } = await import(path.join(distDir, "index.js"));
const { openPgliteStore } = await import(path.join(distDir, "pglite.js"));
const { openPostgresStore } = await import(path.join(distDir, "postgres.js"));
const { default: pg } = await import("pg");

corpusScriptPath();
enableGc();

// ---- Cleanup: temp directories and the temp database, also on Ctrl-C ----------------------------

const cleanups = [];
let cleanedUp = false;
async function cleanUp() {
  if (cleanedUp) return;
  cleanedUp = true;
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch (error) {
      console.error(`cleanup failed: ${error.message}`);
    }
  }
}
process.on("SIGINT", () => {
  progress("interrupted: cleaning up");
  cleanUp().finally(() => process.exit(130));
});

// ---- Backends: open(label) a fresh store, reopen(label) the same one ---------------------------

function inMemoryBackend() {
  return {
    name: "in-memory (createInMemoryStore)",
    persistent: false,
    open: async () => createInMemoryStore(STORE_OPTIONS),
  };
}

async function pgliteBackend() {
  const root = await mkdtemp(path.join(os.tmpdir(), "finemem-persistent-bench-"));
  cleanups.push(() => rm(root, { recursive: true, force: true }));
  const directory = (label) => path.join(root, label);
  return {
    name: "PGlite (temp directory)",
    persistent: true,
    open: (label, extra = {}) =>
      openPgliteStore({ directory: directory(label), ...STORE_OPTIONS, ...SNAPSHOT_ON_CLOSE, ...extra }),
    reopen: (label, extra = {}) =>
      openPgliteStore({ directory: directory(label), ...STORE_OPTIONS, ...SNAPSHOT_ON_CLOSE, ...extra }),
    discard: (label) => rm(directory(label), { recursive: true, force: true }),
  };
}

// The admin URL with its database swapped (a socket URL has no host, which URL() refuses).
function databaseUrl(adminUrl, name) {
  const [base = "", query] = adminUrl.split("?", 2);
  return `${base.replace(/\/[^/]*$/, `/${name}`)}${query === undefined ? "" : `?${query}`}`;
}

async function adminQuery(sql) {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return await client.query(sql);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The PostgreSQL backend, or `{ skipped: reason }` when no server answers. */
async function postgresBackend() {
  let version;
  try {
    version = (await adminQuery("SHOW server_version")).rows[0].server_version;
  } catch (error) {
    return { skipped: `no PostgreSQL at ${POSTGRES_ADMIN_URL} (${error.message}); set FINEMEM_POSTGRES_URL` };
  }
  const name = `finemem_bench_${randomBytes(4).toString("hex")}`;
  try {
    await adminQuery(`CREATE DATABASE ${name}`);
  } catch (error) {
    return { skipped: `could not create database ${name} via ${POSTGRES_ADMIN_URL} (${error.message})` };
  }
  progress(`PostgreSQL ${version}: created database ${name}`);
  cleanups.push(async () => {
    await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    progress(`dropped database ${name}`);
  });
  const connectionString = databaseUrl(POSTGRES_ADMIN_URL, name);
  // One schema per run: each is its own store (the store allows one per schema).
  const options = (label) => ({ connectionString, schema: `bench_${label.replace(/\W/g, "_")}`, ...STORE_OPTIONS });
  return {
    name: `PostgreSQL ${version.split(" ")[0]} (pg, temp database)`,
    persistent: true,
    open: (label, extra = {}) => openPostgresStore({ ...options(label), ...SNAPSHOT_ON_CLOSE, ...extra }),
    reopen: (label, extra = {}) => openPostgresStore({ ...options(label), ...SNAPSHOT_ON_CLOSE, ...extra }),
    discard: async () => {},
  };
}

// ---- Measurement --------------------------------------------------------------------------

function percentile(sortedValues, fraction) {
  // Nearest rank: the smallest value with at least `fraction` of the values at or below it.
  return sortedValues[Math.max(0, Math.ceil(fraction * sortedValues.length) - 1)];
}

/**
 * Applies `docs` as INSERTs, `opsPerApply` per step. Returns the seconds for all of them and, when
 * `checkpoint` is given, the seconds for the first `checkpoint` documents.
 */
async function insertAll(store, docs, opsPerApply, checkpoint) {
  let applied = 0;
  let checkpointSeconds;
  const start = performance.now();
  for (let from = 0, step = 1; from < docs.length; from += opsPerApply, step++) {
    const operations = [];
    for (let i = from; i < Math.min(from + opsPerApply, docs.length); i++) {
      operations.push({ operationId: `op-${i}`, operation: { type: "INSERT", content: docs[i] } });
    }
    for (const result of await store.apply({ namespace: NAMESPACE, step, operations })) {
      if (result.status === "applied") applied++;
      else throw new Error(`unexpected rejection: ${JSON.stringify(result)}`);
    }
    if (checkpoint !== undefined && checkpointSeconds === undefined && from + operations.length >= checkpoint) {
      checkpointSeconds = (performance.now() - start) / 1000;
    }
  }
  return { applied, seconds: (performance.now() - start) / 1000, checkpointSeconds };
}

// Single-operation steps from `groupWriters` writers at once, `singleOpItems` in all, on a fresh store
// of `backend`: committed writes per second, with and without the group-commit window.
async function measureGroupCommit(backend, docs) {
  const perWriter = Math.max(1, Math.floor(singleOpItems / groupWriters));
  const run = async (label, extra) => {
    const store = await backend.open(label, extra);
    const start = performance.now();
    await Promise.all(
      Array.from({ length: groupWriters }, async (_, writer) => {
        for (let step = 1; step <= perWriter; step++) {
          const content = docs[(writer * perWriter + step) % docs.length];
          await store.apply({
            namespace: { user: `w${writer}` },
            step,
            operations: [{ operationId: `op-${step}`, operation: { type: "INSERT", content } }],
          });
        }
      }),
    );
    const seconds = (performance.now() - start) / 1000;
    await store.close();
    return (groupWriters * perWriter) / seconds;
  };
  progress(`${backend.name}: ${groupWriters} writers × ${perWriter} single-operation steps, one transaction per write`);
  const alone = await run("group-alone", {});
  progress(`${backend.name}: the same with a ${groupWindowMs} ms group-commit window`);
  const grouped = await run("group-window", { groupCommit: { windowMs: groupWindowMs } });
  return { name: backend.name, writes: groupWriters * perWriter, alone, grouped };
}

const topKey = (hits) => hits.map((hit) => hit.item.operationId).join(",");

async function measureQueries(store, queries) {
  for (const query of queries.slice(0, WARM_UP_QUERIES)) await store.search(NAMESPACE, query, { topK: TOP_K });
  globalThis.gc();
  const latencies = [];
  const keys = [];
  for (const query of queries) {
    const start = performance.now();
    const hits = await store.search(NAMESPACE, query, { topK: TOP_K });
    latencies.push(performance.now() - start);
    keys.push(topKey(hits));
  }
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), keys };
}

async function measureBackend(backend, corpus, reference) {
  const row = { name: backend.name, inserts: {} };
  let kept;
  for (const opsPerApply of OPS_PER_APPLY) {
    const label = `ops_${opsPerApply}`;
    // Persistent stores run 1 op/apply on the first --single-op-items documents only.
    const count = backend.persistent && opsPerApply === 1 ? singleOpItems : corpus.docs.length;
    globalThis.gc();
    const openStart = performance.now();
    const store = await backend.open(label);
    const openMs = performance.now() - openStart;
    progress(
      `${backend.name}: ${opsPerApply} op${opsPerApply === 1 ? "" : "s"}/apply, ${count.toLocaleString("en-US")} INSERTs (store opened in ${openMs.toFixed(0)} ms)`,
    );
    const checkpoint = !backend.persistent && opsPerApply === 1 && singleOpItems < count ? singleOpItems : undefined;
    const { applied, seconds, checkpointSeconds } = await insertAll(
      store,
      corpus.docs.slice(0, count),
      opsPerApply,
      checkpoint,
    );
    row.inserts[opsPerApply] = { count, capped: count < corpus.docs.length, perSecond: count / seconds };
    if (checkpointSeconds !== undefined) row.singleOpPrefixPerSecond = singleOpItems / checkpointSeconds;
    if (opsPerApply === OPS_PER_APPLY.at(-1)) {
      kept = { store, label };
      row.held = applied;
    } else {
      await store.close();
      await backend.discard?.(label);
    }
  }

  progress(
    `${backend.name}: ${corpus.queries.length} top-${TOP_K} searches at ${row.held.toLocaleString("en-US")} items`,
  );
  globalThis.gc();
  const queries = await measureQueries(kept.store, corpus.queries);
  row.p50 = queries.p50;
  row.p99 = queries.p99;
  row.keys = queries.keys;
  if (reference !== undefined) row.sameTop = queries.keys.every((key, i) => key === reference.keys[i]);

  if (backend.persistent) {
    Object.assign(row, await measureReopen(backend, kept.store, kept.label, row.held, corpus.queries[0]));
  } else {
    await kept.store.close?.();
  }
  return row;
}

/** The median of a list of numbers. */
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/**
 * Closes `store` (which writes its snapshot), then reopens it REOPEN_ROUNDS times each way: replaying
 * the whole log (`snapshot: false`) and from the snapshot, each followed by a search; then once more
 * from the snapshot with a write as the first call. Each reopen is timed with its first call, and split
 * by the store's own account (`openStats`): the database's start (PGlite) and the store's part (schema
 * checks, snapshot, replay). Medians over the rounds. The exports after the replay and snapshot reopens
 * must equal the one before closing.
 */
const REOPEN_ROUNDS = 3;
async function measureReopen(backend, store, label, held, query) {
  const before = await store.exportJsonl();
  globalThis.gc();
  const closeStart = performance.now();
  await store.close();
  const closeMs = performance.now() - closeStart;
  const reopenTimed = async (extra, what, firstCall) => {
    globalThis.gc();
    progress(`${backend.name}: reopening ${held.toLocaleString("en-US")} items ${what}`);
    const start = performance.now();
    const reopened = await backend.reopen(label, extra);
    const ms = performance.now() - start;
    const { databaseMs, storeMs, restoredFrom, replayedRows } = reopened.openStats;
    const callStart = performance.now();
    await firstCall(reopened);
    const firstCallMs = performance.now() - callStart;
    const same = (await reopened.exportJsonl()) === before;
    await reopened.close();
    return { ms, databaseMs, storeMs, restoredFrom, replayedRows, firstCallMs, same };
  };
  const search = (reopened) => reopened.search(NAMESPACE, query, { topK: TOP_K });
  const write = (reopened) =>
    reopened.apply({
      namespace: NAMESPACE,
      step: held + 1,
      operations: [
        { operationId: "late-write", operation: { type: "INSERT", content: "a fact written after reopening" } },
      ],
    });
  const warn = { onWarning: (message) => progress(`WARNING ${message}`) };
  const rounds = { replay: [], snapshot: [] };
  for (let round = 0; round < REOPEN_ROUNDS; round++) {
    rounds.replay.push(
      await reopenTimed({ snapshot: false }, `by replaying the ${OPS_PER_APPLY.at(-1)}-op steps of the log`, search),
    );
    rounds.snapshot.push(await reopenTimed(warn, "from the snapshot", search));
  }
  const written = await reopenTimed(warn, "from the snapshot, then writing", write);
  await backend.discard?.(label);
  const summary = (list) => ({
    ms: median(list.map((entry) => entry.ms)),
    all: list.map((entry) => entry.ms),
    databaseMs: list[0].databaseMs === undefined ? undefined : median(list.map((entry) => entry.databaseMs)),
    ownMs: median(list.map((entry) => entry.storeMs)),
    ownAll: list.map((entry) => entry.storeMs),
    from: [...new Set(list.map((entry) => `${entry.restoredFrom}, ${entry.replayedRows} rows replayed`))].join("; "),
    firstCallMs: median(list.map((entry) => entry.firstCallMs)),
  });
  const replay = summary(rounds.replay);
  const snapshot = summary(rounds.snapshot);
  return {
    reopenMs: replay.ms,
    snapshotReopenMs: snapshot.ms,
    replay,
    snapshot,
    written,
    closeMs,
    exportOk: [...rounds.replay, ...rounds.snapshot].every((entry) => entry.same),
    exportBytes: before.length,
  };
}

function printReopen(row) {
  const { replay, snapshot, written } = row;
  const list = (values) => values.map((value) => formatNumber(value)).join(", ");
  console.log(
    `Reopen, ${row.name}, ${formatNumber(row.held)} items (medians of ${REOPEN_ROUNDS}): full log replay ${formatNumber(row.reopenMs)} ms ` +
      `(${list(replay.all)}); from the snapshot ${formatNumber(row.snapshotReopenMs)} ms (${list(snapshot.all)}; ` +
      `${formatRatio(row.snapshotReopenMs / row.reopenMs)} of replay, ${formatNumber(row.reopenMs / row.snapshotReopenMs, 1)}× faster); ` +
      `close with snapshot write ${formatNumber(row.closeMs)} ms; exports after every reopen ${row.exportOk ? "byte-identical" : "MISMATCH"}.`,
  );
  console.log(
    `  The store's part (openStats.storeMs: schema checks, snapshot, replay; the database already up): replay ` +
      `${formatNumber(replay.ownMs)} ms (${list(replay.ownAll)}; ${replay.from}), snapshot ${formatNumber(snapshot.ownMs)} ms ` +
      `(${list(snapshot.ownAll)}; ${snapshot.from}): ${formatRatio(snapshot.ownMs / replay.ownMs)} of replay` +
      (replay.databaseMs === undefined
        ? "."
        : `; the database's start (openStats.databaseMs) ${formatNumber(replay.databaseMs)} and ${formatNumber(snapshot.databaseMs)} ms.`),
  );
  console.log(
    `  First call after reopening: a top-${TOP_K} search ${formatMs(replay.firstCallMs)} ms after the replay, ` +
      `${formatMs(snapshot.firstCallMs)} ms after the snapshot; a one-INSERT write ${formatMs(written.firstCallMs)} ms after ` +
      `a further reopen from the snapshot (${formatNumber(written.ms)} ms${written.databaseMs === undefined ? "" : `, database start ${formatNumber(written.databaseMs)} ms`}).`,
  );
}

/** --reopen-only: fills a store with 100-operation steps and measures only the reopens. */
async function measureReopenOnly(backend, corpus) {
  const label = "reopen_only";
  const store = await backend.open(label);
  progress(`${backend.name}: ${corpus.docs.length.toLocaleString("en-US")} INSERTs, ${OPS_PER_APPLY.at(-1)} per apply`);
  const { applied } = await insertAll(store, corpus.docs, OPS_PER_APPLY.at(-1));
  return {
    name: backend.name,
    held: applied,
    ...(await measureReopen(backend, store, label, applied, corpus.queries[0])),
  };
}

/** Runs the code paths once on throwaway in-memory stores, so the first timed run is not the JIT's warm-up. */
async function warmUp(corpus) {
  const docs = corpus.docs.slice(0, Math.min(1_000, corpus.docs.length));
  for (const opsPerApply of OPS_PER_APPLY) {
    const store = createInMemoryStore(STORE_OPTIONS);
    await insertAll(store, docs, opsPerApply);
    for (const query of corpus.queries.slice(0, WARM_UP_QUERIES)) await store.search(NAMESPACE, query, { topK: TOP_K });
  }
}

// ---- Output -------------------------------------------------------------------------------

const formatNumber = (value, digits = 0) =>
  value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const formatMs = (ms) => (ms < 1 ? ms.toFixed(3) : ms < 10 ? ms.toFixed(2) : ms.toFixed(1));
const formatRatio = (ratio) => `${ratio >= 1 ? ratio.toFixed(2) : ratio.toPrecision(2)}×`;

function insertCell(row, memoryRow, opsPerApply) {
  const insert = row.inserts[opsPerApply];
  const mark = insert.capped ? "†" : "";
  if (row === memoryRow) return `${formatNumber(insert.perSecond)}${mark}`;
  const memory = memoryRow.inserts[opsPerApply];
  // Compared over the same documents: a capped run against the in-memory rate over the same prefix.
  const reference =
    insert.capped && memoryRow.singleOpPrefixPerSecond !== undefined
      ? memoryRow.singleOpPrefixPerSecond
      : memory.perSecond;
  return `${formatNumber(insert.perSecond)}${mark} (${formatRatio(insert.perSecond / reference)})`;
}

function printTable(rows) {
  const memoryRow = rows[0];
  const header = [
    "backend",
    ...OPS_PER_APPLY.map((ops) => `inserts/s, ${ops} op${ops === 1 ? "" : "s"}/apply (× in-memory)`),
    `items`,
    "query p50 ms",
    "query p99 ms",
    `top-${TOP_K} = in-memory`,
    "reopen ms (log)",
    "reopen ms (snapshot)",
    "export after reopen",
  ];
  const lines = rows.map((row) => {
    if (row.skipped !== undefined) return [row.name, "skipped (see notes)", ...header.slice(2).map(() => "—")];
    return [
      row.name,
      ...OPS_PER_APPLY.map((ops) => insertCell(row, memoryRow, ops)),
      formatNumber(row.held),
      formatMs(row.p50),
      formatMs(row.p99),
      row === memoryRow ? "(reference)" : row.sameTop ? "yes" : "NO",
      row.reopenMs === undefined ? "—" : formatNumber(row.reopenMs),
      row.snapshotReopenMs === undefined ? "—" : formatNumber(row.snapshotReopenMs),
      row.exportOk === undefined ? "—" : row.exportOk ? "ok" : "MISMATCH",
    ];
  });
  const widths = header.map((title, column) =>
    Math.max(title.length, ...lines.map((line) => (line[column] ?? "").length)),
  );
  const render = (line) =>
    `| ${line.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join(" | ")} |`;
  console.log(render(header));
  console.log(
    `|${widths.map((width, column) => (column === 0 ? `:${"-".repeat(width + 1)}` : `${"-".repeat(width + 1)}:`)).join("|")}|`,
  );
  for (const line of lines) console.log(render(line));
}

// ---- Main ---------------------------------------------------------------------------------

console.log("@finemem/memory persistent-store bench");
console.log(
  `Node ${process.version}; ${os.platform()} ${os.arch()}; CPU ${os.cpus()[0]?.model ?? "unknown"}; ${os.cpus().length} cores; ${formatNumber(os.totalmem() / 2 ** 30, 1)} GiB RAM`,
);
console.log(
  `${formatNumber(itemCount)} items, ${OPS_PER_APPLY.join("/")} INSERTs per apply (persistent stores: 1 op/apply on the first ${formatNumber(singleOpItems)}), ` +
    `top-${TOP_K} queries ×${formatNumber(Math.min(queryLimit, 200))} after ${WARM_UP_QUERIES} warm-up`,
);
console.log("Timings are of this machine and this run; nothing asserts them.");
console.log("");

let exitCode = 0;
try {
  progress(`generating corpus of ${formatNumber(itemCount)} facts`);
  const corpus = loadCorpus(itemCount, queryLimit);
  progress("warming up on throwaway in-memory stores");
  await warmUp(corpus);
  if (reopenOnly) {
    const postgres = await postgresBackend();
    for (const backend of [await pgliteBackend(), ...(postgres.skipped === undefined ? [postgres] : [])]) {
      printReopen(await measureReopenOnly(backend, corpus));
    }
    if (postgres.skipped !== undefined) console.log(`PostgreSQL skipped: ${postgres.skipped}.`);
    await cleanUp();
    process.exit(exitCode);
  }

  const rows = [];
  const memoryRow = await measureBackend(inMemoryBackend(), corpus);
  rows.push(memoryRow);
  rows.push(await measureBackend(await pgliteBackend(), corpus, memoryRow));
  const postgres = await postgresBackend();
  if (postgres.skipped !== undefined) {
    progress(`PostgreSQL skipped: ${postgres.skipped}`);
    rows.push({ name: "PostgreSQL", skipped: postgres.skipped });
  } else {
    rows.push(await measureBackend(postgres, corpus, memoryRow));
  }

  printTable(rows);
  console.log("");
  for (const row of rows) if (row.snapshotReopenMs !== undefined) printReopen(row);
  console.log("");
  const groupBackends = [await pgliteBackend(), ...(postgres.skipped === undefined ? [postgres] : [])];
  for (const backend of groupBackends) {
    const group = await measureGroupCommit(backend, corpus.docs);
    console.log(
      `Group commit, ${group.name}: ${groupWriters} writers, ${formatNumber(group.writes)} single-operation steps: ` +
        `${formatNumber(group.alone)}/s one transaction per write; ${formatNumber(group.grouped)}/s with a ${groupWindowMs} ms window ` +
        `(${formatNumber(group.grouped / group.alone, 2)}×).`,
    );
  }
  console.log("");
  console.log("Notes:");
  for (const row of rows) if (row.skipped !== undefined) console.log(`- ${row.name} skipped: ${row.skipped}.`);
  if (singleOpItems < itemCount) {
    console.log(
      `- † 1 op/apply: the persistent stores insert only the first ${formatNumber(singleOpItems)} items (--single-op-items); their ratio is to the in-memory` +
        ` rate over the same first ${formatNumber(singleOpItems)} (${formatNumber(memoryRow.singleOpPrefixPerSecond ?? 0)}/s); the in-memory cell is over all ${formatNumber(itemCount)}.`,
    );
  }
  console.log(
    "- inserts/s = INSERTs applied ÷ time of all the applies (store open excluded); one apply = one step = one transaction",
  );
  console.log(
    "  (log row + one version row per item) for the persistent stores. The corpus repeats documents; allowDuplicateInserts keeps every copy.",
  );
  console.log(
    `- queries run on the store of the ${OPS_PER_APPLY.at(-1)} ops/apply run (all ${formatNumber(itemCount)} items); persistent stores answer from their`,
  );
  console.log(
    "  in-memory replica; the PostgreSQL store is shared, so each search first reads log rows other writers committed (one round trip).",
  );
  console.log(
    `- top-${TOP_K} = in-memory: every timed query returned the same operation ids, in the same order, as the in-memory store.`,
  );
  console.log(
    "- reopen ms (log) = open on the existing directory/schema (PGlite start-up or pool connect) with snapshot: false, replaying the whole log;",
  );
  console.log(
    "  reopen ms (snapshot) = the same open restoring the snapshot written on close (the log's tail after it is empty);",
  );
  console.log(
    "  the store's part = the store's own account of its open once the database was up (openStats.storeMs), which leaves out PGlite's start;",
  );
  console.log(
    `  export after reopen: exportJsonl() after both reopens is byte-identical to before closing (${formatNumber((rows[1].exportBytes ?? 0) / 2 ** 20, 1)} MiB).`,
  );
  console.log("- latency: one search call, p = nearest rank.");
} catch (error) {
  console.error(error);
  exitCode = 1;
} finally {
  await cleanUp();
}
process.exit(exitCode);
