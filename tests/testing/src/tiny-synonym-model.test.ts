import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { TINY_STOPWORDS, TINY_SYNONYMS, TINY_WORDS, writeTinySynonymModel } from "./tiny-synonym-model.ts";

it("writes the four files transformers.js reads, quickly and reproducibly", async () => {
  const work = await mkdtemp(join(tmpdir(), "finemem-tiny-model-"));
  try {
    const started = performance.now();
    const first = await writeTinySynonymModel(join(work, "a"));
    expect(performance.now() - started).toBeLessThan(2000);
    const second = await writeTinySynonymModel(join(work, "b"));
    expect(first.files).toEqual(["config.json", "tokenizer.json", "tokenizer_config.json", "onnx/model.onnx"]);
    for (const file of first.files)
      expect(await readFile(join(second.dir, file))).toEqual(await readFile(join(first.dir, file)));
    const words = [...TINY_SYNONYMS.flat(), ...TINY_WORDS, ...TINY_STOPWORDS.flat()];
    expect(first.vocabulary).toEqual(new Set(words));
    expect(first.dimensions).toBe(1 + TINY_SYNONYMS.length + TINY_WORDS.length + TINY_STOPWORDS.length);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});
