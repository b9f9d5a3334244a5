import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError } from "../config/load-config.js";
import { heapGrowthFlag, nodeOptionsOf } from "./heap-growth.js";

const CLI = join(import.meta.dirname, "..", "..", "dist", "cli.js");

describe("heapGrowthFlag", () => {
  it("caps the heap at twice what is live by default, and takes a whole percentage from the environment", () => {
    expect(heapGrowthFlag({}, [])).toBe("--heap-growing-percent=100");
    expect(heapGrowthFlag({ FINEMEM_HEAP_GROWING_PERCENT: " 50 " }, [])).toBe("--heap-growing-percent=50");
    expect(heapGrowthFlag({ FINEMEM_HEAP_GROWING_PERCENT: "" }, [])).toBe("--heap-growing-percent=100");
  });

  it("leaves V8's own sizing at 0, and leaves the user's own node flag alone", () => {
    expect(heapGrowthFlag({ FINEMEM_HEAP_GROWING_PERCENT: "0" }, [])).toBeUndefined();
    expect(heapGrowthFlag({}, ["--heap-growing-percent=30"])).toBeUndefined();
    expect(heapGrowthFlag({}, ["--heap_growing_percent", "30"])).toBeUndefined();
    expect(heapGrowthFlag({}, ["--heap-growing-percentage=30"])).toBe("--heap-growing-percent=100");
  });

  it("refuses a value that is not a whole percentage, naming the variable", () => {
    for (const bad of ["abc", "1.5", "-1", "1001", "50%"]) {
      const error = (() => {
        try {
          heapGrowthFlag({ FINEMEM_HEAP_GROWING_PERCENT: bad }, []);
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(error, bad).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toContain("env FINEMEM_HEAP_GROWING_PERCENT");
      expect((error as ConfigError).message).toContain(JSON.stringify(bad));
    }
  });

  it("reads node's options from its command line and NODE_OPTIONS", () => {
    expect(nodeOptionsOf(["--inspect"], { NODE_OPTIONS: " --heap-growing-percent=20  --trace-gc " })).toEqual([
      "--inspect",
      "--heap-growing-percent=20",
      "--trace-gc",
    ]);
  });
});

// The bin itself: a preloaded module records the V8 flags it sets.
describe("the finemem bin", () => {
  const folder = mkdtempSync(join(tmpdir(), "finemem-heap-growth-"));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));
  const recorder = join(folder, "record-flags.cjs");
  writeFileSync(
    recorder,
    `const v8 = require("node:v8");
const { syncBuiltinESMExports } = require("node:module");
const original = v8.setFlagsFromString;
v8.setFlagsFromString = (flags) => {
  require("node:fs").appendFileSync(process.env.FLAGS_OUT, flags + "\\n");
  original(flags);
};
syncBuiltinESMExports();
`,
  );
  const run = (env: Record<string, string>, nodeFlags: string[] = []) => {
    const out = join(folder, `flags-${Math.random().toString(36).slice(2)}`);
    writeFileSync(out, "");
    const child = spawnSync(process.execPath, [...nodeFlags, "--require", recorder, CLI, "--version"], {
      encoding: "utf8",
      env: { ...process.env, NODE_OPTIONS: "", FINEMEM_HEAP_GROWING_PERCENT: "", ...env, FLAGS_OUT: out },
    });
    return { status: child.status, stderr: child.stderr, flags: readFileSync(out, "utf8").trim() };
  };

  it("sets the cap before running a command, and honours the variable and node's own flag", () => {
    expect(run({})).toMatchObject({ status: 0, flags: "--heap-growing-percent=100" });
    expect(run({ FINEMEM_HEAP_GROWING_PERCENT: "0" })).toMatchObject({ status: 0, flags: "" });
    expect(run({}, ["--heap-growing-percent=40"])).toMatchObject({ status: 0, flags: "" });
  });

  it("exits 2 with the variable named when its value is wrong", () => {
    const result = run({ FINEMEM_HEAP_GROWING_PERCENT: "lots" });
    expect(result.status).toBe(2);
    expect(result.flags).toBe("");
    expect(result.stderr).toContain("env FINEMEM_HEAP_GROWING_PERCENT): expected a whole percentage");
    expect(result.stderr).toContain("[invalid_config]");
  });
});
