import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeTinySynonymModel } from "@finemem/testing";
import { expect, it } from "vitest";

// onnxruntime-node's native addon is mapped into the process when transformers.js is imported.
const onnxruntimeLoaded = () =>
  ((process.report.getReport() as unknown as { sharedObjects: string[] }).sharedObjects ?? []).some((path) =>
    path.includes("onnxruntime"),
  );

it("imports without loading transformers.js or onnxruntime; creating an embedder loads them", async () => {
  expect(onnxruntimeLoaded()).toBe(false);
  const hybrid = await import("./index.js");
  expect(Object.keys(hybrid).sort()).toEqual([
    "EmbedderError",
    "HybridOptionsError",
    "InMemoryEmbeddingCache",
    "createHybridRetriever",
    "createInMemoryEmbeddingCache",
    "createTransformersEmbedder",
  ]);
  expect(onnxruntimeLoaded()).toBe(false);

  const work = await mkdtemp(join(tmpdir(), "finemem-hybrid-index-"));
  try {
    const embedder = await hybrid.createTransformersEmbedder({
      model: (await writeTinySynonymModel(work)).dir,
      threads: 1,
    });
    expect(onnxruntimeLoaded()).toBe(true);
    await embedder.dispose();
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});
