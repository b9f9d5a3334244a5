#!/usr/bin/env node
// The `finemem` command. Ctrl-C (or SIGTERM) stops the run after the work in flight; finished steps and
// questions are in the run's journals, so the same command resumes.
import { setFlagsFromString } from "node:v8";
import { exitQuietlyOnBrokenPipe } from "./cli/cli-io.js";
import { heapGrowthFlag, nodeOptionsOf } from "./cli/heap-growth.js";
import { runCli } from "./cli/main.js";

// `finemem eval | head`: a closed pipe ends the command quietly instead of crashing with EPIPE.
exitQuietlyOnBrokenPipe(process.stdout);
exitQuietlyOnBrokenPipe(process.stderr);

// Peak memory bounded by about twice the largest episode in flight, not four times (see heap-growth.ts).
try {
  const flag = heapGrowthFlag(process.env, nodeOptionsOf(process.execArgv, process.env));
  if (flag !== undefined) setFlagsFromString(flag);
} catch (error) {
  process.stderr.write(`finemem: ${(error as Error).message} [${(error as { code?: string }).code}]\n`);
  process.exit(2);
}

const controller = new AbortController();
process.once("SIGINT", () => controller.abort(new Error("interrupted (SIGINT)")));
// A service manager's stop (finemem serve under systemd or Kubernetes): the same graceful end.
process.once("SIGTERM", () => controller.abort(new Error("interrupted (SIGTERM)")));
process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  signal: controller.signal,
});
