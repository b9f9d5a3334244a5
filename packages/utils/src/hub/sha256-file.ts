import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";

/** sha256 (hex) of a file's bytes, streamed so multi-gigabyte files do not sit in memory. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
