// Runs the CLI in-process, as the bin would, and keeps what it wrote: the tests' way to call
// `finemem …` without a child process.
import { PassThrough } from "node:stream";
import { runCli } from "../main.js";

export interface CapturedRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCliCaptured(
  args: readonly string[],
  options: { readonly cwd: string; readonly env?: Record<string, string>; readonly signal?: AbortSignal },
): Promise<CapturedRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const written = { stdout: "", stderr: "" };
  stdout.on("data", (data) => (written.stdout += String(data)));
  stderr.on("data", (data) => (written.stderr += String(data)));
  const code = await runCli(args, {
    stdout,
    stderr,
    env: options.env ?? {},
    cwd: options.cwd,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  return { code, ...written };
}
