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
