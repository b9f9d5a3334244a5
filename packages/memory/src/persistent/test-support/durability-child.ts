// The writer the durability test kills: applies batches from `first` on, prints `committed <b>` after
// each commit, and on batch `killAt` prints `partial <b>` from inside the transaction (after part of
// the batch's rows are written, before the commit) and waits to be killed. With a sixth argument
// `group`, the store commits through a group-commit window. With `snapshot`, the store snapshots after
// every write, and batch `killAt` commits in full (acknowledged) but its snapshot prints `partial <b>`
// mid-write (PostgreSQL: inside its transaction, its row written, not committed; PGlite in a folder:
// its temporary file written, not renamed) and waits to be killed.
import { createWhitespaceTokenCounter } from "@finemem/spec/testing";
import { durabilityBatch } from "../durability-batches.js";
import { openPgliteStore } from "../open-pglite-store.js";
import { openPostgresStore } from "../open-postgres-store.js";
import type { PersistentStore } from "../persistent-store.js";

const [backend, location, schema, firstArg, killAtArg, mode] = process.argv.slice(2);
const first = Number(firstArg);
const killAt = Number(killAtArg);
let current = first;
const hang = async (batch: number) => {
  process.stdout.write(`partial ${batch}\n`);
  await new Promise((resolve) => setTimeout(resolve, 60_000));
};
const beforeCommit = async () => {
  if (mode !== "snapshot" && current === killAt) await hang(current);
};
const options = {
  tokenCounter: createWhitespaceTokenCounter(),
  beforeCommit,
  ...(mode === "group" ? { groupCommit: { windowMs: 5 } } : {}),
  ...(mode === "snapshot"
    ? {
        snapshot: { everyRows: 1 },
        // Batch b is log row b (one row per batch, from 1).
        beforeSnapshotCommit: async (seq: number) => {
          if (seq === killAt) await hang(seq);
        },
      }
    : {}),
};
const store: PersistentStore =
  backend === "pglite"
    ? await openPgliteStore({ ...options, directory: location! })
    : await openPostgresStore({ ...options, connectionString: location!, schema: schema! });
process.stdout.write("ready\n");
for (current = first; current <= killAt; current++) {
  await store.apply(durabilityBatch(current));
  process.stdout.write(`committed ${current}\n`);
}
