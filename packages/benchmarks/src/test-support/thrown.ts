/** Runs `run` and returns what it threw, so a test can check the error's fields; fails if nothing was thrown. */
export function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}
