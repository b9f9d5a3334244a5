import { randomBytes } from "node:crypto";
import { type FileHandle, open, rename, rm } from "node:fs/promises";

/** A file written piece by piece that appears whole or not at all. */
export interface AtomicFileWriter {
  /** Appends `text` (writes are kept in call order). */
  write(text: string): Promise<void>;
  /** Puts the file in place (a rename over the target) once every write has landed. */
  commit(): Promise<void>;
  /** Removes the temporary file; the target is left as it was. */
  abort(): Promise<void>;
}

/**
 * Like `writeAtomically`, for a file too large to hold as one string (a whole split's step log): the
 * pieces go to a temporary file in the same folder, and `commit` renames it over the target. A kill
 * before the commit leaves the previous file (or none), never half of one.
 */
export async function openAtomicFileWriter(path: string): Promise<AtomicFileWriter> {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  const handle: FileHandle = await open(temporary, "w");
  let closed = false;
  let queue: Promise<void> = Promise.resolve();
  const close = async () => {
    if (closed) return;
    closed = true;
    await handle.close();
  };
  return {
    write(text) {
      if (closed) return Promise.reject(new Error(`${path} was already committed or aborted`));
      // writeFile on a handle writes all of `text` from the current position (write() may write part).
      queue = queue.then(() => handle.writeFile(text, "utf8"));
      return queue;
    },
    async commit() {
      try {
        await queue;
        await close();
        await rename(temporary, path);
      } catch (error) {
        await close().catch(() => undefined);
        await rm(temporary, { force: true });
        throw error;
      }
    },
    async abort() {
      await queue.catch(() => undefined);
      await close().catch(() => undefined);
      await rm(temporary, { force: true });
    },
  };
}
