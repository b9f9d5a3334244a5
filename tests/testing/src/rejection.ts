/** The error a promise rejects with (or a function throws); fails the test when it succeeds. */
export async function rejection(work: Promise<unknown> | (() => unknown)): Promise<unknown> {
  try {
    await (typeof work === "function" ? work() : work);
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}
