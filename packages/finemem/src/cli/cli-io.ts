/** Where a command reads and writes; the bin passes the process's, tests pass their own. */
export interface CliIo {
  /** Results (tables, file paths): what a user pipes. */
  readonly stdout: NodeJS.WritableStream;
  /** Progress, warnings and errors. */
  readonly stderr: NodeJS.WritableStream & { readonly isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Stops the command (Ctrl-C); finished work stays in the run's journals. */
  readonly signal?: AbortSignal;
  /** For tests: the fetch the models and hub use. */
  readonly fetch?: typeof fetch;
}

export function writeLine(stream: NodeJS.WritableStream, line = ""): void {
  stream.write(`${line}\n`);
}

/**
 * `finemem eval | head`: once the reader closes the pipe, writes fail with EPIPE. That is the reader
 * saying it has read enough, so the process exits quietly with 0 (finished work is in the run's
 * journals). Any other error on the stream is left to its other listeners, or thrown as before.
 */
export function exitQuietlyOnBrokenPipe(
  stream: NodeJS.WritableStream,
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  const onError = (error: NodeJS.ErrnoException): void => {
    if (error.code === "EPIPE") {
      exit(0);
      return;
    }
    if (stream.listenerCount("error") === 1) throw error;
  };
  stream.on("error", onError);
}
