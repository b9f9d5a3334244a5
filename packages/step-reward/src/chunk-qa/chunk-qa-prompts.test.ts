import { describe, expect, it } from "vitest";
import {
  CHUNK_QA_PROMPT_VERSION,
  CHUNK_QA_PROMPTS,
  chunkQaPromptHash,
  generatorMessages,
  verifierMessages,
} from "./chunk-qa-prompts.js";

describe("chunk QA prompts", () => {
  it("hash as <version>:<16 hex digits>, changing with any text", () => {
    const hash = chunkQaPromptHash();
    expect(hash).toMatch(new RegExp(`^${CHUNK_QA_PROMPT_VERSION}:[0-9a-f]{16}$`));
    expect(chunkQaPromptHash(CHUNK_QA_PROMPTS)).toBe(hash);
    const reworded = {
      ...CHUNK_QA_PROMPTS,
      verifier: { ...CHUNK_QA_PROMPTS.verifier, system: `${CHUNK_QA_PROMPTS.verifier.system} ` },
    };
    expect(chunkQaPromptHash(reworded)).not.toBe(hash);
  });

  it("fill placeholders once, so a passage may contain placeholder-like text", () => {
    const passage = "The template said {question} and {count}.";
    const [system, user] = generatorMessages(CHUNK_QA_PROMPTS, passage, 7);
    expect(system).toEqual({ role: "system", content: CHUNK_QA_PROMPTS.generator.system });
    expect(user?.content).toBe(
      `<passage>\n${passage}\n</passage>\n\nWrite 7 question-answer pairs about this passage.`,
    );
    expect(verifierMessages(CHUNK_QA_PROMPTS, passage, "Who said {passage}?")[1]?.content).toBe(
      `<passage>\n${passage}\n</passage>\n\nQuestion: Who said {passage}?\nAnswer:`,
    );
  });

  it("ask the generator for the JSON shape the parser reads, and the verifier to say unknown", () => {
    expect(CHUNK_QA_PROMPTS.generator.system).toContain('{"pairs": [{"question": "...", "answer": "..."}]}');
    expect(CHUNK_QA_PROMPTS.verifier.system).toContain("answer exactly: unknown");
  });

  it("are pinned: the wording below hashes (Python's hashlib over the JSON of version and texts) to bc7ddcdbcd467935", () => {
    expect(CHUNK_QA_PROMPTS).toEqual({
      version: "finemem-chunk-qa-v1",
      generator: {
        system: [
          "You write short factual questions about a passage, used later to check whether a reader still remembers what the passage said.",
          "Rules:",
          "- Every question must be answerable from the passage alone, without general knowledge.",
          "- Every answer is a short span copied word for word from the passage: a name, a number, a date, a place or a few words, never a whole sentence.",
          "- Ask about different facts; never ask the same thing twice in other words.",
          '- Make every question stand on its own: name the people and things it is about instead of writing "he", "it" or "the passage".',
          "Reply with JSON only, in exactly this form:",
          '{"pairs": [{"question": "...", "answer": "..."}]}',
        ].join("\n"),
        user: "<passage>\n{passage}\n</passage>\n\nWrite {count} question-answer pairs about this passage.",
      },
      verifier: {
        system: [
          "You answer a question about a passage using only what the passage says.",
          "Give the shortest complete answer (a name, a number, a date or a few words) with no explanation.",
          "If the passage does not say, answer exactly: unknown",
        ].join("\n"),
        user: "<passage>\n{passage}\n</passage>\n\nQuestion: {question}\nAnswer:",
      },
    });
    // A new wording must come with a new version, and this hash changes with it.
    expect(chunkQaPromptHash()).toBe("finemem-chunk-qa-v1:bc7ddcdbcd467935");
  });

  it("leave an unknown placeholder as written", () => {
    const prompts = { ...CHUNK_QA_PROMPTS, verifier: { system: "s", user: "{passage} | {question} | {other}" } };
    expect(verifierMessages(prompts, "P", "Q")).toEqual([
      { role: "system", content: "s" },
      { role: "user", content: "P | Q | {other}" },
    ]);
  });
});
