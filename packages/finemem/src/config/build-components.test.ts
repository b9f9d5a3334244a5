import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { createInMemoryStore } from "@finemem/memory";
import { writeTinySynonymModel } from "@finemem/testing";
import { describe, expect, it } from "vitest";
import { buildComponents, defaultEpisodesInFlight, defaultRunId, recordedConfig } from "./build-components.js";
import { configSchema } from "./config-schema.js";
import { loadConfig } from "./load-config.js";

const configOf = async (input: Record<string, unknown>) =>
  (await loadConfig({ overrides: Object.entries(input).map(([key, value]) => ({ key, value, origin: "test" })) }))
    .config;

describe("buildComponents", () => {
  it("builds the embedded default without a model", async () => {
    const components = await buildComponents(await configOf({}));
    expect(components.policy.policyId).toBe("heuristic");
    expect(components.reasoner.reasonerId).toMatch(/^extractive:bm25/);
    expect(components.embedder).toBeUndefined();
    expect(components.modelIds).toEqual({ manager: "heuristic", reasoner: components.reasoner.reasonerId });
    // Nothing is called over HTTP: one episode in flight (a second would add memory and no speed).
    expect(defaultEpisodesInFlight(components)).toBe(1);
  });

  it("hybrid retrieval loads the embedder role (a local folder relative to the working directory) and finds a paraphrase BM25 cannot", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "finemem-embedder-"));
    const model = await writeTinySynonymModel(join(cwd, "models", "tiny"));
    const config = await configOf({
      reasoner: { kind: "extractive", retrieval: "hybrid", topK: 1 },
      "models.embedder": { model: `./${relative(cwd, model.dir)}` },
    });
    const components = await buildComponents(config, { cwd });
    expect(components.embedder?.modelId).toBe(model.dir);
    expect(components.modelIds.embedder).toBe(model.dir);

    const store = createInMemoryStore({ layout: "flat" });
    const namespace = { run: "r" };
    await store.apply({
      namespace,
      step: 1,
      sourceChunkId: "c1",
      operations: [
        // The distractor first: BM25 scores both 0 and keeps insertion order.
        { operationId: "s1.0", operation: { type: "INSERT", content: "Bob plays the violin." } },
        { operationId: "s1.1", operation: { type: "INSERT", content: "Ada bought a car." } },
      ],
    });
    const record = await components.reasoner.answer({
      question: { id: "q", text: "Who purchased an automobile?" },
      memory: await store.view(namespace),
    });
    expect(record.answer).toBe("Ada bought a car.");

    const bm25Only = await buildComponents(await configOf({ reasoner: { kind: "extractive", topK: 1 } }));
    const lexical = await bm25Only.reasoner.answer({
      question: { id: "q", text: "Who purchased an automobile?" },
      memory: await store.view(namespace),
    });
    expect(lexical.answer).toBe("Bob plays the violin.");
  });

  it("passes every synthetic knob to the generator, distractorShare and paraphraseShare included", async () => {
    const first = async (dataset: Record<string, unknown>) => {
      const components = await buildComponents(
        await configOf({ datasets: [{ kind: "synthetic", instances: 1, chunks: 4, ...dataset }] }),
      );
      for await (const instance of components.loadInstances()) return instance;
      throw new Error("no instance");
    };
    const plain = await first({});
    const knobs = await first({ distractorShare: 0, paraphraseShare: 0 });
    // The generator records the options it ran with: the defaults (0.25, 1) or the configured ones.
    expect(plain.metadata).toMatchObject({ options: { distractorShare: 0.25, paraphraseShare: 1 } });
    expect(knobs.metadata).toMatchObject({
      options: { distractorShare: 0, paraphraseShare: 0 },
      stats: { distractorStatements: 0, paraphrasedUpdates: 0 },
    });
    expect(knobs.chunks.map((chunk) => chunk.text)).not.toEqual(plain.chunks.map((chunk) => chunk.text));
  });

  it("names the role a configuration asks for but does not define", async () => {
    await expect(
      buildComponents(await configOf({ reasoner: { kind: "extractive", retrieval: "hybrid" } })),
    ).rejects.toMatchObject({
      key: "models.embedder",
      expected: expect.stringContaining("because reasoner.retrieval is hybrid"),
    });
    await expect(
      buildComponents(await configOf({ policy: { kind: "baseline", name: "prompted-flat" } })),
    ).rejects.toMatchObject({
      key: "models.manager",
      expected: expect.stringContaining("prompted-flat prompts a model"),
    });
    await expect(buildComponents(await configOf({ reasoner: { kind: "llm" } }))).rejects.toMatchObject({
      key: "models.reasoner",
    });
    const keyEnv = await configOf({
      "models.judge": { baseUrl: "http://127.0.0.1:9/v1", model: "j", apiKeyEnv: "FINEMEM_TEST_UNSET_KEY" },
    });
    await expect(buildComponents(keyEnv, { env: {} })).rejects.toMatchObject({
      key: "models.judge.apiKeyEnv",
      expected: "the name of a set environment variable",
    });
  });

  it("a content weight above 0 needs the judge role, and builds the content-validity judge from it", async () => {
    await expect(buildComponents(await configOf({ "rewards.content": 0.1 }))).rejects.toMatchObject({
      name: "ConfigError",
      key: "rewards.content",
      expected: expect.stringContaining("models.judge"),
    });
    const off = await buildComponents(await configOf({}));
    expect(off.contentJudge).toBeUndefined();
    const on = await buildComponents(
      await configOf({
        "rewards.content": 0.1,
        "models.judge": { baseUrl: "http://127.0.0.1:9/v1", model: "judge-model" },
      }),
    );
    expect(on.contentJudge?.promptHash).toMatch(/^finemem-content-validity-v1:/);
    expect(on.promptHashes.contentJudge).toBe(on.contentJudge?.promptHash);
  });

  it("cited evidence makes an LLM reader cite, and refuses one configured not to", async () => {
    const reasoner = { baseUrl: "http://127.0.0.1:9/v1", model: "reader" };
    const cited = await buildComponents(
      await configOf({ "rewards.evidence": "cited", reasoner: { kind: "llm" }, "models.reasoner": reasoner }),
    );
    expect(cited.reasoner.cites).toBe(true);
    const plain = await buildComponents(await configOf({ reasoner: { kind: "llm" }, "models.reasoner": reasoner }));
    expect(plain.reasoner.cites).toBe(false);
    await expect(
      buildComponents(
        await configOf({
          "rewards.evidence": "cited",
          reasoner: { kind: "llm", cite: false },
          "models.reasoner": reasoner,
        }),
      ),
    ).rejects.toMatchObject({
      key: "rewards.evidence",
    });
    // The extractive reader cites the item its sentence came from.
    expect((await buildComponents(await configOf({ "rewards.evidence": "cited" }))).reasoner.cites).toBe(true);
  });

  it("records the LLM manager's prompt hash and model ids; keys never reach the manifest; the run id ignores where files go", async () => {
    const config = await configOf({
      policy: { kind: "llm", prompt: "memalpha" },
      "models.manager": { baseUrl: "http://127.0.0.1:9/v1", model: "Mem-alpha-4B", apiKey: "secret" },
    });
    const components = await buildComponents(config);
    // The served model's id, as the role's model (the policy id adds the prompt: ${components.policy.policyId}).
    expect(components.modelIds.manager).toBe("Mem-alpha-4B");
    expect(defaultEpisodesInFlight(components)).toBe(2);
    expect(components.promptHashes.manager).toMatch(/^memalpha-typed-v1:[0-9a-f]+$/);
    expect(JSON.stringify(recordedConfig(config))).not.toContain("secret");
    const elsewhere = await configOf({
      policy: { kind: "llm", prompt: "memalpha" },
      "models.manager": { baseUrl: "http://127.0.0.1:9/v1", model: "Mem-alpha-4B", apiKey: "secret" },
      "run.out": "/elsewhere",
      "run.concurrency": { episodes: 7 },
    });
    expect(defaultRunId(elsewhere)).toBe(defaultRunId(config));
    expect(defaultRunId(await configOf({ "run.seed": "other" }))).not.toBe(defaultRunId(await configOf({})));
  });
});

describe("run ids across versions", () => {
  it("an evaluation's default run id is the one finemem gave before the train section existed, so earlier runs keep resuming", () => {
    // Computed with the previous release's build-components.ts and config-schema.ts (commit 6bc7713).
    expect(defaultRunId(configSchema.parse({}))).toBe("eval-db2d0cc928be");
    expect(defaultRunId(configSchema.parse({ policy: { kind: "llm" } }))).toBe("eval-af23b523c753");
    // A training run of the same configuration is another run.
    expect(defaultRunId(configSchema.parse({}), "train")).toMatch(/^train-[0-9a-f]{12}$/);
  });
});
