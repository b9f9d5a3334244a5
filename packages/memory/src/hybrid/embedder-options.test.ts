import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveEmbedderOptions } from "./embedder-options.js";

describe("resolveEmbedderOptions", () => {
  it("reads absolute and ./ or ../ paths as folders, anything else as a hub repository", () => {
    expect(resolveEmbedderOptions({ model: "/models/minilm" }, {}).source).toEqual({
      kind: "local",
      dir: resolve("/models/minilm"),
    });
    expect(resolveEmbedderOptions({ model: "./models/minilm" }, {}).source).toEqual({
      kind: "local",
      dir: join(process.cwd(), "models/minilm"),
    });
    expect(resolveEmbedderOptions({ model: "../minilm" }, {}).source).toEqual({
      kind: "local",
      dir: resolve("../minilm"),
    });
    expect(resolveEmbedderOptions({ model: "Xenova/all-MiniLM-L6-v2" }, {}).source).toEqual({
      kind: "hub",
      repo: "Xenova/all-MiniLM-L6-v2",
      revision: "main",
    });
    expect(resolveEmbedderOptions({ model: "bert-base-uncased", revision: "refs/pr/1" }, {}).source).toEqual({
      kind: "hub",
      repo: "bert-base-uncased",
      revision: "refs/pr/1",
    });
    // Never a folder, whatever the working directory holds: the answer must not depend on it.
    expect(resolveEmbedderOptions({ model: "models/minilm" }, {}).source.kind).toBe("hub");
  });

  it("applies defaults", () => {
    expect(resolveEmbedderOptions({ model: "a/b" }, {})).toMatchObject({
      dtype: "fp32",
      batchSize: 32,
      threads: undefined,
      offline: false,
      hubUrl: undefined,
      accessToken: undefined,
    });
  });

  it("takes HF_TOKEN for the default hub only, and HF_HUB_OFFLINE unless cache is given", () => {
    const environment = { HF_TOKEN: "hf_env", HF_HUB_OFFLINE: "1" };
    expect(resolveEmbedderOptions({ model: "a/b" }, environment)).toMatchObject({
      accessToken: "hf_env",
      offline: true,
    });
    expect(resolveEmbedderOptions({ model: "a/b", hubUrl: "http://mirror.example/" }, environment)).toMatchObject({
      accessToken: undefined,
      hubUrl: "http://mirror.example",
    });
    expect(
      resolveEmbedderOptions({ model: "a/b", accessToken: "hf_mine", cache: "default" }, environment),
    ).toMatchObject({ accessToken: "hf_mine", offline: false });
  });

  it("rejects what cannot be right, naming the option", () => {
    for (const [options, key] of [
      [{ model: "a/b", revision: "../main" }, "revision"],
      [{ model: "a/b", revision: "has space" }, "revision"],
      [{ model: "a/b/c" }, "model"],
      [{ model: "a--b/c" }, "model"],
      [{ model: "a/b", threads: 0 }, "threads"],
      [{ model: "a/b", hubUrl: "not a url" }, "hubUrl"],
      [{ model: "a/b", modelId: "" }, "modelId"],
      [{ model: "a/b", fetch: "fetch" }, "fetch"],
    ] as const) {
      expect(() => resolveEmbedderOptions(options as never, {})).toThrow(
        expect.objectContaining({ code: "invalid_option", path: [key] }),
      );
    }
  });
});
