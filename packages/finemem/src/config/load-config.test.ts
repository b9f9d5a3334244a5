import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./load-config.js";

const folder = mkdtempSync(join(tmpdir(), "finemem-config-"));
let files = 0;
function configFile(content: unknown, extension = ".json"): string {
  const path = join(folder, `config-${files++}${extension}`);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

async function configError(content: unknown, extension = ".json"): Promise<ConfigError> {
  try {
    await loadConfig({ file: configFile(content, extension) });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

/** One bad value per section: the error names the key and the expected value, and the message says both. */
const SECTIONS: readonly {
  readonly section: string;
  readonly content: unknown;
  readonly key: string;
  readonly expected: RegExp;
}[] = [
  { section: "run", content: { run: { rollouts: 0 } }, key: "run.rollouts", expected: /number ≥ 1/ },
  {
    section: "run.concurrency",
    content: { run: { concurrency: { episodes: 1.5 } } },
    key: "run.concurrency.episodes",
    expected: /an integer/,
  },
  { section: "run.id", content: { run: { id: "has space" } }, key: "run.id", expected: /letters, digits/ },
  { section: "datasets", content: { datasets: [] }, key: "datasets", expected: /a list of at least 1/ },
  {
    section: "datasets kind",
    content: { datasets: [{ kind: "imagenet" }] },
    key: "datasets[0].kind",
    expected: /one of "synthetic", "memoryagentbench", "memalpha"/,
  },
  {
    section: "datasets field",
    content: { datasets: [{ kind: "memoryagentbench", splits: ["Everything"] }] },
    key: "datasets[0].splits[0]",
    expected: /one of "Accurate_Retrieval"/,
  },
  {
    section: "datasets unknown key",
    content: { datasets: [{ kind: "synthetic", size: 3 }] },
    key: "datasets[0].size",
    expected: /keys known here \(kind, seed, instances, chunks/,
  },
  {
    section: "datasets synthetic distractorShare",
    content: { datasets: [{ kind: "synthetic", distractorShare: 1 }] },
    key: "datasets[0].distractorShare",
    expected: /a number < 1/,
  },
  {
    section: "datasets synthetic paraphraseShare",
    content: { datasets: [{ kind: "synthetic", paraphraseShare: 1.5 }] },
    key: "datasets[0].paraphraseShare",
    expected: /a number ≤ 1/,
  },
  {
    section: "policy",
    content: { policy: { kind: "random" } },
    key: "policy.kind",
    expected: /one of "heuristic", "baseline", "learned", "llm"/,
  },
  {
    section: "policy baseline",
    content: { policy: { kind: "baseline", name: "mem0" } },
    key: "policy.name",
    expected: /one of "rag-top2", "long-context", "insert-every-fact", "prompted-flat", "prompted-memalpha"/,
  },
  {
    section: "reasoner",
    content: { reasoner: { kind: "llm", topK: "twenty" } },
    key: "reasoner.topK",
    expected: /a number/,
  },
  {
    section: "models",
    content: { models: { manager: { baseUrl: "localhost:8000", model: "qwen" } } },
    key: "models.manager.baseUrl",
    expected: /an http\(s\) URL/,
  },
  {
    section: "models missing field",
    content: { models: { verifier: { baseUrl: "http://127.0.0.1:8000/v1" } } },
    key: "models.verifier.model",
    expected: /a string/,
  },
  {
    section: "models role",
    content: { models: { critic: { baseUrl: "http://127.0.0.1:8000/v1", model: "m" } } },
    key: "models.critic",
    expected: /manager, reasoner, generator, verifier, judge, embedder/,
  },
  { section: "rewards", content: { rewards: { beta: 1.5 } }, key: "rewards.beta", expected: /≤ 1/ },
  {
    section: "rewards provenance",
    content: { rewards: { provenance: "newest" } },
    key: "rewards.provenance",
    expected: /one of "last-writer", "creator", "shared"/,
  },
  { section: "chunkQa", content: { chunkQa: { perChunk: 0 } }, key: "chunkQa.perChunk", expected: /≥ 1/ },
  { section: "report", content: { report: { html: "yes" } }, key: "report.html", expected: /a boolean/ },
  {
    section: "root",
    content: { reward: {} },
    key: "reward",
    expected: /run, datasets, policy, reasoner, models, rewards, chunkQa, report/,
  },
];

describe("loadConfig: every error names the key and the expected value", () => {
  for (const { section, content, key, expected } of SECTIONS) {
    it(section, async () => {
      const error = await configError(content);
      expect(error.key).toBe(key);
      expect(error.expected).toMatch(expected);
      expect(error.message).toContain(`config key ${key}`);
      expect(error.message).toMatch(expected);
      expect(error.code).toBe("invalid_config");
    });
  }

  it("names a YAML syntax error and the file", async () => {
    const error = await configError("policy: [heuristic\n", ".yaml");
    expect(error.key).toBe("(file)");
    expect(error.expected).toBe("valid YAML");
    expect(error.message).toMatch(/config-\d+\.yaml/);
  });

  it("refuses a file that is not a mapping, or of another format", async () => {
    expect((await configError("- a\n- b\n", ".yml")).expected).toMatch(/a mapping of sections/);
    expect((await configError("x = 1", ".toml")).expected).toMatch(/\.json, \.yaml or \.yml/);
    await expect(loadConfig({ file: join(folder, "missing.json") })).rejects.toMatchObject({
      key: "(file)",
      expected: "a readable configuration file",
    });
  });
});

describe("loadConfig: sources and precedence", () => {
  it("fills every default without a file", async () => {
    const { config } = await loadConfig();
    expect(config.datasets).toEqual([{ kind: "synthetic" }]);
    expect(config.policy).toEqual({ kind: "heuristic" });
    expect(config.reasoner).toEqual({ kind: "extractive" });
    expect(config.rewards).toMatchObject({
      beta: 0.5,
      chunk: 0.5,
      compression: 0.05,
      content: 0,
      provenance: "last-writer",
      questionFraction: 1,
    });
    expect(config.run).toMatchObject({
      out: "finemem-runs",
      seed: "finemem",
      rollouts: 1,
      concurrency: { questions: 8 },
    });
    // Episodes in flight depend on whether a model is called over HTTP (defaultEpisodesInFlight).
    expect(config.run.concurrency.episodes).toBeUndefined();
  });

  it("reads YAML; the environment wins over the file and flags over both", async () => {
    const file = configFile(
      "run:\n  seed: from-file\nmodels:\n  reasoner:\n    baseUrl: http://file.example/v1\n    model: file-model\n",
      ".yaml",
    );
    const env = { FINEMEM_SEED: "from-env", FINEMEM_REASONER_MODEL: "env-model" };
    const { config, origins } = await loadConfig({
      file,
      env,
      overrides: [{ key: "run.seed", value: "from-flag", origin: "flag --seed" }],
    });
    expect(config.run.seed).toBe("from-flag");
    expect(config.models.reasoner).toEqual({ baseUrl: "http://file.example/v1", model: "env-model" });
    expect(origins.get("models.reasoner.model")).toBe("env FINEMEM_REASONER_MODEL");
    expect(origins.get("models.reasoner.baseUrl")).toBe(file);
  });

  it("names the environment variable or flag a bad value came from", async () => {
    await expect(
      loadConfig({ env: { FINEMEM_MANAGER_BASE_URL: "not a url", FINEMEM_MANAGER_MODEL: "m" } }),
    ).rejects.toMatchObject({
      key: "models.manager.baseUrl",
      origin: "env FINEMEM_MANAGER_BASE_URL",
      message: expect.stringContaining("(from env FINEMEM_MANAGER_BASE_URL)"),
    });
    await expect(
      loadConfig({ overrides: [{ key: "rewards.chunk", value: -1, origin: "flag --set rewards.chunk" }] }),
    ).rejects.toMatchObject({
      key: "rewards.chunk",
      origin: "flag --set rewards.chunk",
      message: "config key rewards.chunk (from flag --set rewards.chunk): expected a number ≥ 0, got -1",
    });
  });
});

describe("loadConfig: a command's own defaults", () => {
  const defaults = {
    policy: { kind: "learned" },
    rewards: { evidence: "cited", compression: 0 },
    datasets: [{ kind: "synthetic", seed: "train" }],
  };

  it("sit under the file: mappings merge key by key, a section with a kind and a list replace", async () => {
    const { config } = await loadConfig({
      defaults,
      file: configFile({ rewards: { beta: 0.3 }, policy: { kind: "heuristic" }, datasets: [{ kind: "synthetic" }] }),
    });
    expect(config.rewards).toMatchObject({ beta: 0.3, evidence: "cited", compression: 0 });
    expect(config.policy).toEqual({ kind: "heuristic" });
    expect(config.datasets).toEqual([{ kind: "synthetic" }]);
  });

  it("apply where nothing else is set, and a flag still wins", async () => {
    const { config } = await loadConfig({
      defaults,
      overrides: [{ key: "policy.checkpoint", value: "runs/t", origin: "flag --checkpoint" }],
    });
    expect(config.policy).toEqual({ kind: "learned", checkpoint: "runs/t" });
    expect(config.rewards).toMatchObject({ beta: 0.5, evidence: "cited", compression: 0 });
    expect(config.train).toMatchObject({ updates: 100, rollouts: 4, backend: "cpu" });
  });
});
