// What a new user meets in the first hour: --version, per-command help, suggestions for a mistyped
// command, typed --limit errors, `finemem eval | head`, and how to resume after Ctrl-C.
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { configSchema } from "../config/config-schema.js";
import { exitQuietlyOnBrokenPipe } from "./cli-io.js";
import { withLimit } from "./config-flags.js";
import { runCliCaptured } from "./test-support/run-cli-captured.js";

async function cli(args: readonly string[], options: { readonly signal?: AbortSignal } = {}) {
  const cwd = mkdtempSync(join(tmpdir(), "finemem-cli-"));
  return { cwd, ...(await runCliCaptured(args, { cwd, ...options })) };
}

describe("finemem --version", () => {
  // The version a user sees is the one in the finemem package's package.json.
  const packageJson = JSON.parse(readFileSync(join(import.meta.dirname, "..", "..", "package.json"), "utf8")) as {
    name: string;
    version: string;
  };

  it("--version and -v print the package version and exit 0", async () => {
    expect(packageJson.name).toBe("finemem");
    for (const flag of ["--version", "-v"]) {
      const run = await cli([flag]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toBe(`${packageJson.version}\n`);
      expect(run.stderr).toBe("");
    }
  });
});

describe("finemem <command> --help", () => {
  it("eval --help prints the help of eval (its flags), not the global help, and exits 0", async () => {
    for (const args of [
      ["eval", "--help"],
      ["eval", "-h"],
      ["help", "eval"],
    ]) {
      const run = await cli(args);
      expect(run.code, args.join(" ")).toBe(0);
      expect(run.stdout).toContain("Usage: finemem eval [options]");
      expect(run.stdout).toContain("--limit <n>");
      expect(run.stdout).toContain("--policy <name>");
      // The global help lists every command; eval's help does not.
      expect(run.stdout).not.toContain("Usage: finemem <command>");
      expect(run.stdout).not.toContain("data download <dataset>");
    }
  });

  it("data --help and report --help print their own help; help of an unknown command suggests one", async () => {
    const data = await cli(["data", "--help"]);
    expect(data.code).toBe(0);
    expect(data.stdout).toContain("Usage: finemem data <subcommand>");
    expect(data.stdout).toContain("build-chunk-qa");
    const report = await cli(["report", "--help"]);
    expect(report.code).toBe(0);
    expect(report.stdout).toContain("Usage: finemem report <run folder>");
    const unknown = await cli(["help", "evl"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "evl"; did you mean "eval"?');
  });

  it("the global help is still there for --help alone", async () => {
    const run = await cli(["--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Usage: finemem <command>");
  });
});

describe("finemem <unknown command>", () => {
  it('suggests the closest command: "evl" → "eval", and exits 2', async () => {
    const run = await cli(["evl"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown command "evl"; did you mean "eval"?');
  });

  it("suggests within edit distance 2 (a swap, a missing letter) and nothing further away", async () => {
    expect((await cli(["reprot"])).stderr).toContain('did you mean "report"?');
    expect((await cli(["dat"])).stderr).toContain('did you mean "data"?');
    // A name inherited by every JavaScript object is no command either.
    expect((await cli(["toString"])).code).toBe(2);
    const far = await cli(["deploy"]);
    expect(far.code).toBe(2);
    expect(far.stderr).toContain('unknown command "deploy"');
    expect(far.stderr).not.toContain("did you mean");
  });
});

describe("finemem eval --limit", () => {
  it("rejects 0 and negative numbers with one line naming --limit and a positive integer", async () => {
    for (const args of [
      ["eval", "--quiet", "--limit", "0"],
      ["eval", "--quiet", "--limit=-1"],
      ["eval", "--quiet", "--limit", "-1"],
      ["eval", "--quiet", "--dataset", "synthetic", "--limit", "0"],
      ["eval", "--quiet", "--limit", "two"],
    ]) {
      const run = await cli(args);
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stderr, args.join(" ")).toContain("--limit");
      expect(run.stderr, args.join(" ")).toContain("expected a positive integer");
      expect(run.stderr, args.join(" ")).not.toContain("--dataset");
      // One typed message: neither Node's parseArgs text nor the whole usage.
      expect(run.stderr, args.join(" ")).not.toContain("ambiguous");
      expect(run.stderr, args.join(" ")).not.toContain("Usage:");
      expect(run.stderr.trim().split("\n"), args.join(" ")).toHaveLength(1);
    }
  });

  it("applies to the default dataset (the synthetic benchmark, 5 instances) when no --dataset or --file is given", async () => {
    const run = await cli(["eval", "--quiet", "--limit", "2"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/synthetic\s+CR\s+substring_exact_match\s+2\s+\d+\s+\d\.\d{3}/);
    expect(run.stdout).not.toMatch(/synthetic\s+CR\s+substring_exact_match\s+5\s/);
  });
});

describe("withLimit (--limit on the configured datasets)", () => {
  it("sets a synthetic benchmark's instances and the other datasets' limit, overriding a configured one", () => {
    const config = configSchema.parse({
      datasets: [
        { kind: "memoryagentbench", file: "rows.jsonl", limit: 10 },
        { kind: "synthetic", chunks: 4 },
      ],
    });
    expect(withLimit(config, 3).datasets).toEqual([
      { kind: "memoryagentbench", file: "rows.jsonl", limit: 3 },
      { kind: "synthetic", chunks: 4, instances: 3 },
    ]);
  });
});

describe("a closed stdout (finemem eval | head)", () => {
  it("an EPIPE on the stream exits quietly with code 0", async () => {
    const exits: number[] = [];
    const stream = new Writable({
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
      },
    });
    exitQuietlyOnBrokenPipe(stream, (code) => exits.push(code));
    stream.write("results\n");
    await new Promise((resolve) => setImmediate(resolve));
    expect(exits).toEqual([0]);
  });

  it("other stream errors are not swallowed", async () => {
    const stream = new Writable({
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error("no space left"), { code: "ENOSPC" }));
      },
    });
    const exits: number[] = [];
    exitQuietlyOnBrokenPipe(stream, (code) => exits.push(code));
    const seen: unknown[] = [];
    stream.on("error", (error) => seen.push(error));
    stream.write("results\n");
    await new Promise((resolve) => setImmediate(resolve));
    expect(exits).toEqual([]);
    expect(seen).toHaveLength(1);
  });
});

describe("Ctrl-C during eval", () => {
  it("says the run was interrupted and to run the same command to resume", async () => {
    const controller = new AbortController();
    controller.abort(new Error("interrupted (SIGINT)"));
    const run = await cli(["eval", "--quiet", "--dataset", "synthetic", "--limit", "1"], {
      signal: controller.signal,
    });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("[aborted]");
    expect(run.stderr).toContain("run the same command to resume");
  });
});

describe("a run that fails before it starts", () => {
  it("says nothing was written instead of leaving the named run folder to be looked for", async () => {
    const run = await cli(["eval", "--file", "no-such-file.jsonl", "--quiet"]);
    expect(run.code).not.toBe(0);
    const named = /finemem eval: run \S+ in (\S+) /u.exec(run.stderr)?.[1];
    expect(named, run.stderr).toBeDefined();
    expect(existsSync(named!)).toBe(false);
    expect(run.stderr).toContain(`nothing was written (${named} was not created)`);
  });
});
