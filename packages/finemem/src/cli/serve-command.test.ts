// `finemem serve` as a process: it prints where it listens, serves an episode of its configured
// datasets by id, generates and prints a token when none is set, and on SIGTERM shuts down gracefully
// (exit 0).
import { spawn } from "node:child_process";
import { join } from "node:path";
import { generateSyntheticBenchmark } from "@finemem/benchmarks";
import { describe, expect, it } from "vitest";

const CLI = join(import.meta.dirname, "..", "..", "dist", "cli.js");

describe("finemem serve", () => {
  it("serves an instance of its datasets by id, and exits 0 on SIGTERM", { timeout: 60_000 }, async () => {
    const child = spawn(
      process.execPath,
      [
        CLI,
        "serve",
        "--port",
        "0",
        "--set",
        'datasets=[{"kind":"synthetic","seed":"cli","instances":2}]',
        "--set",
        "serve.liveEpisodes=3",
      ],
      { env: { PATH: process.env.PATH ?? "" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    child.stderr.on("data", (data) => (stderr += String(data)));
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    const url = await new Promise<string>((resolve) =>
      child.stdout.once("data", (data) => resolve(String(data).trim())),
    );
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // No FINEMEM_SERVE_TOKEN: the token is generated and printed.
    const token = /this run's bearer token: (\S+)/.exec(stderr)?.[1];
    expect(token, stderr).toBeDefined();
    expect(stderr).toContain("2 instances");
    expect(stderr).toContain("up to 3 kept live");

    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const refused = await fetch(`${url}/v1/episodes`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(refused.status).toBe(401);
    // The configured dataset, generated here the same way: its second instance, by id.
    const [, second] = generateSyntheticBenchmark({ seed: "cli", instanceCount: 2 });
    const started = await fetch(`${url}/v1/episodes`, {
      method: "POST",
      headers,
      body: JSON.stringify({ instanceId: second!.instanceId }),
    });
    expect(started.status).toBe(201);
    expect(await started.json()).toMatchObject({ instanceId: second!.instanceId, chunks: second!.chunks.length });
    const unknown = await fetch(`${url}/v1/episodes`, {
      method: "POST",
      headers,
      body: JSON.stringify({ instanceId: "nope" }),
    });
    expect([unknown.status, ((await unknown.json()) as { error: { code: string } }).error.code]).toEqual([
      404,
      "unknown_instance",
    ]);

    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(stderr).toContain("shutting down");
  });

  it("refuses a negative serve.liveEpisodes, naming the key", async () => {
    const child = spawn(process.execPath, [CLI, "serve", "--port", "0", "--set", "serve.liveEpisodes=-1"], {
      env: { PATH: process.env.PATH ?? "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (data) => (stderr += String(data)));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code).not.toBe(0);
    expect(stderr).toContain("serve.liveEpisodes");
  });
});
