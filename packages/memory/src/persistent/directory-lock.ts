import { open, readFile, rm } from "node:fs/promises";
import { FineMemError } from "@finemem/spec";

/** Another live process (or this one) holds the store's directory. */
export class StoreLockedError extends FineMemError {
  readonly holderPid: number | null;
  constructor(path: string, holderPid: number | null) {
    super(
      "store_locked",
      `${path} is held by ${holderPid === null ? "another store" : `process ${holderPid}${holderPid === process.pid ? " (this process)" : ""}`}; one writer at a time (close it first)`,
    );
    this.holderPid = holderPid;
  }
}

/**
 * A lock file beside a store's data, because PGlite has no lock of its own and two writers on one
 * directory corrupt it. Created with O_EXCL, holding the owner's pid; a lock whose pid is no longer
 * alive (a crashed writer) is taken over.
 */
export async function acquireDirectoryLock(path: string): Promise<{ release(): Promise<void> }> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(path, "wx");
      await handle.writeFile(`${process.pid}\n`);
      await handle.sync();
      await handle.close();
      let released = false;
      return {
        async release() {
          if (released) return;
          released = true;
          await rm(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number.parseInt(await readFile(path, "utf8").catch(() => ""), 10);
      if (Number.isInteger(holder) && isAlive(holder)) throw new StoreLockedError(path, holder);
      // A stale lock (its writer died, or it is empty because the writer died while creating it).
      await rm(path, { force: true });
    }
  }
  throw new StoreLockedError(path, null);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
