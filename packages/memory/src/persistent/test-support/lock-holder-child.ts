// A process that opens a PGlite store directory, says `ready`, and holds it until killed.
import { createWhitespaceTokenCounter } from "@finemem/spec/testing";
import { openPgliteStore } from "../open-pglite-store.js";

const [directory] = process.argv.slice(2);
await openPgliteStore({ directory: directory!, tokenCounter: createWhitespaceTokenCounter() });
process.stdout.write("ready\n");
setInterval(() => {}, 60_000);
