// Acceptance 3: PGlite has no lock of its own, so the store keeps one: a second writer on a held
// directory gets StoreLockedError and the data is left as it was; a dead writer's lock is taken over.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createWhitespaceTokenCounter } from "@finemem/spec/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StoreLockedError } from "./directory-lock.js";
import { openPgliteStore } from "./open-pglite-store.js";
import { bundleChildScript, CHILD_CWD } from "./test-support/child-process-script.js";

let folder: string;
let child: { script: string; remove(): void };
beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), "finemem-lock-"));
  child = await bundleChildScript("lock-holder-child");
});
afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
  child.remove();
});

const options = { tokenCounter: createWhitespaceTokenCounter() };
const fact = {
  namespace: { user: "ada" },
  step: 1,
  operations: [{ operationId: "o1", operation: { type: "INSERT" as const, content: "Ada lives in Paris." } }],
};

function startHolder(directory: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const holder = spawn(process.execPath, [child.script, directory], {
      stdio: ["ignore", "pipe", "pipe"],
      cwd: CHILD_CWD,
    });
    let errors = "";
    holder.stderr!.on("data", (data: Buffer) => (errors += data.toString()));
    holder.stdout!.on("data", (data: Buffer) => {
      if (data.toString().includes("ready")) resolve(holder);
    });
    holder.on("exit", (code) => reject(new Error(`the holder exited (${code}): ${errors}`)));
  });
}

function killed(process_: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    process_.once("exit", () => resolve());
    process_.kill("SIGKILL");
  });
}

describe("one writer per PGlite directory", () => {
  it("a second writer in another process gets StoreLockedError, and the data is intact", async () => {
    const directory = join(folder, "held");
    const first = await openPgliteStore({ ...options, directory });
    await first.apply(fact);
    const before = await first.exportJsonl();
    await first.close();

    const holder = await startHolder(directory);
    try {
      const error = await openPgliteStore({ ...options, directory }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(StoreLockedError);
      expect(error).toMatchObject({ code: "store_locked", holderPid: holder.pid });
      expect(readFileSync(join(directory, "finemem.lock"), "utf8").trim()).toBe(String(holder.pid));
    } finally {
      await killed(holder);
    }
    // The holder died holding the lock: the stale lock is taken over, and nothing was lost.
    const reopened = await openPgliteStore({ ...options, directory });
    try {
      expect(await reopened.exportJsonl()).toBe(before);
    } finally {
      await reopened.close();
    }
  }, 60_000);

  it("a second open in the same process is refused too, and works once the first is closed", async () => {
    const directory = join(folder, "same-process");
    const first = await openPgliteStore({ ...options, directory });
    await expect(openPgliteStore({ ...options, directory })).rejects.toMatchObject({
      code: "store_locked",
      holderPid: process.pid,
    });
    await first.apply(fact);
    await first.close();
    const second = await openPgliteStore({ ...options, directory });
    expect((await second.view({ user: "ada" })).items.map((item) => item.content)).toEqual(["Ada lives in Paris."]);
    await second.close();
  }, 60_000);

  it("a lock file left empty by a writer that died while creating it is taken over", async () => {
    const directory = join(folder, "empty-lock");
    const store = await openPgliteStore({ ...options, directory });
    await store.close();
    writeFileSync(join(directory, "finemem.lock"), "");
    const reopened = await openPgliteStore({ ...options, directory });
    await reopened.close();
  }, 60_000);
});
