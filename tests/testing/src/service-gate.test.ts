import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  checkService,
  chromiumPath,
  probeChromium,
  probePython,
  probeSharedFile,
  pythonPath,
  requiredServices,
  ServiceRequiredError,
  sharedDir,
} from "./index.ts";

describe("service gate", () => {
  it("parses FINEMEM_REQUIRE", () => {
    expect([...requiredServices({ FINEMEM_REQUIRE: " postgres, shared ,," })]).toEqual(["postgres", "shared"]);
    expect(requiredServices({}).size).toBe(0);
  });

  it("runs when the probe finds the service", async () => {
    expect(await checkService("postgres", () => null, { env: { FINEMEM_REQUIRE: "postgres" } })).toEqual({
      available: true,
    });
  });

  it("skips with a printed reason when the service is absent and not required", async () => {
    const lines: string[] = [];
    const result = await checkService("chromium", async () => "no /usr/bin/chromium", {
      env: {},
      log: (line) => lines.push(line),
    });
    expect(result).toEqual({ available: false, reason: "no /usr/bin/chromium" });
    expect(lines).toEqual(["[finemem] skipping tests that need chromium: no /usr/bin/chromium"]);
  });

  it("fails when a required service is absent, or its probe throws", async () => {
    await expect(
      checkService("postgres", () => "connection refused", { env: { FINEMEM_REQUIRE: "postgres" } }),
    ).rejects.toBeInstanceOf(ServiceRequiredError);
    await expect(
      checkService(
        "python",
        () => {
          throw new Error("spawn python3 ENOENT");
        },
        { env: { FINEMEM_REQUIRE: "python" } },
      ),
    ).rejects.toThrow(/python.*ENOENT/);
  });

  it("finds shared files through FINEMEM_SHARED_DIR or beside the repository", () => {
    const root = mkdtempSync(join(tmpdir(), "finemem-shared-"));
    mkdirSync(join(root, "goldens"));
    writeFileSync(join(root, "goldens", "bm25.jsonl"), "");
    const env = { FINEMEM_SHARED_DIR: root };
    expect(sharedDir(env)).toBe(root);
    expect(probeSharedFile("goldens/bm25.jsonl", env)).toBeNull();
    expect(probeSharedFile("goldens/missing.jsonl", env)).toMatch(/missing\.jsonl does not exist/);
    expect(sharedDir({})).toMatch(/shared$/);
  });
});

// The README's example, run for real: the shared folder is required in CI (FINEMEM_REQUIRE=shared).
const shared = await checkService("shared", () => probeSharedFile("FINEMEM.md"));
describe.skipIf(!shared.available)("the shared folder", () => {
  it("holds the method description every package follows", async () => {
    const { readFileSync } = await import("node:fs");
    expect(readFileSync(join(sharedDir(), "FINEMEM.md"), "utf8")).toMatch(/Evidence-Anchored Reward Attribution/);
  });
});

describe("the Chromium probe", () => {
  it("finds the executable FINEMEM_CHROMIUM_PATH names, else Debian's, and says why it cannot", () => {
    expect(chromiumPath({})).toBe("/usr/bin/chromium");
    expect(probeChromium({ FINEMEM_CHROMIUM_PATH: process.execPath })).toBeNull();
    expect(probeChromium({ FINEMEM_CHROMIUM_PATH: "/nonexistent/chromium" })).toMatch(
      /no Chromium executable at \/nonexistent\/chromium/,
    );
    expect(probeChromium({ FINEMEM_CHROMIUM_PATH: tmpdir() })).toMatch(/is not a file/);
  });
});

describe("the Python probe", () => {
  it("runs FINEMEM_PYTHON, else python3, and says which import failed or why it cannot run", () => {
    expect(pythonPath({})).toBe("python3");
    expect(pythonPath({ FINEMEM_PYTHON: "/opt/python/bin/python3" })).toBe("/opt/python/bin/python3");
    expect(probePython([], { FINEMEM_PYTHON: "/nonexistent/python3" })).toMatch(
      /\/nonexistent\/python3 cannot be run .*install Python 3, or set FINEMEM_PYTHON/,
    );
    expect(probePython([], { FINEMEM_PYTHON: process.execPath })).toMatch(/could not import/);
    // A stand-in interpreter that rejects every program: the probe reports the failed import.
    expect(probePython(["numpy"], { FINEMEM_PYTHON: "false" })).toMatch(
      /false could not import numpy.*pip install numpy/,
    );
  });
});
