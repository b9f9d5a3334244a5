import { expect } from "vitest";
import { KernelError } from "../kernel-error.js";

/** The code of the KernelError `action` throws (failing the test when it throws something else, or nothing). */
export function kernelErrorCode(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(KernelError);
    return (error as KernelError).code;
  }
  throw new Error("expected a KernelError, nothing was thrown");
}
