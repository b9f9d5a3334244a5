import { openAtomicFileWriter } from "./atomic-file-writer.js";

/**
 * Writes a file whole or not at all: the text goes to a temporary file in the same folder, then a
 * rename replaces the target. A kill mid-write leaves the previous file (or none), never half of one,
 * for a resumed run, a reader, a browser or a CI artifact upload alike.
 */
export async function writeAtomically(path: string, text: string): Promise<void> {
  const writer = await openAtomicFileWriter(path);
  try {
    await writer.write(text);
  } catch (error) {
    await writer.abort();
    throw error;
  }
  await writer.commit();
}
