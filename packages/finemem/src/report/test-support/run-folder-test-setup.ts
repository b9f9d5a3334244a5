// The setup the run folder readers' tests share (read-run-directory.test.ts for an eval run,
// read-training-run.test.ts for a training run): temporary folders removed after each test, a line
// of a run file replaced in place (how a test corrupts a fixture), and the RunDirectoryError a read
// must fail with. Both readers promise the same errors, so their tests check them the same way.

export interface RunFolderTestSetup {
  /** A fresh empty folder, removed after the test. */
  readonly tempDir: () => string;
  /** A fresh folder holding the fixture run, removed after the test. */
  readonly fixture: () => string;
  /** Reads the folder `dir`, expecting the read to fail with a RunDirectoryError, and returns that error. */
  readonly failure: (dir: string) => Promise<RunDirectoryError>;
}

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isFineMemError } from "@finemem/spec";
import { afterEach, expect } from "vitest";
import { RunDirectoryError } from "../run-directory-error.js";

/**
 * Registers an `afterEach` that removes every folder made so far, and returns the maker of a fresh
 * empty folder named `prefix…` under the system's temporary folder.
 */
function temporaryFolders(prefix: string): () => string {
  const roots: string[] = [];
  afterEach(() => {
    for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    roots.push(dir);
    return dir;
  };
}

/**
 * A test file's setup for the reader `read`, its fixtures written by `write` into folders named
 * `prefix…`. Call it once, at a test file's top (it registers an `afterEach`).
 */
export function runFolderTestSetup(
  prefix: string,
  write: (dir: string) => unknown,
  read: (dir: string) => Promise<unknown>,
): RunFolderTestSetup {
  const tempDir = temporaryFolders(prefix);
  return {
    tempDir,
    fixture: () => {
      const dir = tempDir();
      write(dir);
      return dir;
    },
    failure: (dir) => readFailure(read(dir)),
  };
}

/** Replaces the 1-based line `line` of `file` with `text`. */
export function replaceLine(file: string, line: number, text: string): void {
  const lines = readFileSync(file, "utf8").split("\n");
  lines[line - 1] = text;
  writeFileSync(file, lines.join("\n"));
}

/** The error `read` rejects with, checked to be a RunDirectoryError (and a FineMemError). */
async function readFailure(read: Promise<unknown>): Promise<RunDirectoryError> {
  const error = await read.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(RunDirectoryError);
  expect(isFineMemError(error)).toBe(true);
  return error as RunDirectoryError;
}
