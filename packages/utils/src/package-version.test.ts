import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { packageVersionOf } from "./package-version.js";

const root = mkdtempSync(join(tmpdir(), "finemem-version-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("packageVersionOf", () => {
  it("finds the named package above a module, past package.json files of other names", () => {
    writeFileSync(join(root, "package.json"), JSON.stringify({ name: "outer", version: "3.2.1" }));
    mkdirSync(join(root, "inner", "dist"), { recursive: true });
    writeFileSync(join(root, "inner", "package.json"), JSON.stringify({ name: "other", version: "9.9.9" }));
    writeFileSync(join(root, "inner", "dist", "package.json"), "{ not json");
    const module = pathToFileURL(join(root, "inner", "dist", "cli.js")).href;
    expect(packageVersionOf("outer", module)).toBe("3.2.1");
    expect(packageVersionOf("other", module)).toBe("9.9.9");
    expect(packageVersionOf("absent", module)).toBe("unknown");
  });

  it("reads this package's own version", () => {
    expect(packageVersionOf("@finemem/utils", import.meta.url)).toMatch(/^\d+\.\d+\.\d+/);
  });
});
