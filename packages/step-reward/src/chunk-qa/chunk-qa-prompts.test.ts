import { describe, expect, it } from "vitest";
import { CHUNK_QA_PROMPTS, CHUNK_QA_PROMPT_VERSION, chunkQaPromptHash, generatorMessages, verifierMessages } from "./chunk-qa-prompts.js";

describe("chunk QA prompts", () => {
  it("hash as <version>:<16 hex digits>, changing with any text", () => {
    const hash = chunkQaPromptHash();
    expect(hash).toMatch(new RegExp(`^${CHUNK_QA_PROMPT_VERSION}:[0-9a-f]{16}$`));
    expect(chunkQaPromptHash(CHUNK_QA_PROMPTS)).toBe(hash);
    const reworded = { ...CHUNK_QA_PROMPTS, verifier: { ...CHUNK_QA_PROMPTS.verifier, system: `${CHUNK_QA_PROMPTS.verifier.system} ` } };
    expect(chunkQaPromptHash(reworded)).not.toBe(hash);
  });

  it("fill placeholders once, so a passage may contain placeholder-like text", () => {
    const passage = "The template said {question} and {count}.";
    const [system, user] = generatorMessages(CHUNK_QA_PROMPTS, passage, 7);
    expect(system).toEqual({ role: "system", content: CHUNK_QA_PROMPTS.generator.system });
    expect(user?.content).toBe(`<passage>\n${passage}\n</passage>\n\nWrite 7 question-answer pairs about this passage.`);
    expect(verifierMessages(CHUNK_QA_PROMPTS, passage, "Who said {passage}?")[1]?.content).toBe(
      `<passage>\n${passage}\n</passage>\n\nQuestion: Who said {passage}?\nAnswer:`,
    );
  });

  it("ask the generator for the JSON shape the parser reads, and the verifier to say unknown", () => {
    expect(CHUNK_QA_PROMPTS.generator.system).toContain('{"pairs": [{"question": "...", "answer": "..."}]}');
    expect(CHUNK_QA_PROMPTS.verifier.system).toContain("answer exactly: unknown");
  });
});
