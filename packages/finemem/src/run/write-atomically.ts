import { randomBytes } from "node:crypto";
import { rename, rm, writeFile } from "node:fs/promises";

/**
 * Writes a file whole or not at all: the text goes to a temporary file in the same folder, then a
 * rename replaces the target. A kill mid-write leaves the previous file (or none), never half of one,
 * for a resumed run, a reader, a browser or a CI artifact upload alike.
 */
export async function writeAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await writeFile(temporary, text, "utf8");
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
