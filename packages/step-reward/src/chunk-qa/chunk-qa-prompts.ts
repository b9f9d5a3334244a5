import { createHash } from "node:crypto";
import type { ChatMessage } from "@finemem/spec";

/** One chat prompt: a system message and a user message with `{placeholders}`. */
export interface ChatPromptTemplate {
  readonly system: string;
  readonly user: string;
}

/**
 * The prompts of chunk question construction, in this project's own words. Changing any text means a
 * new `version`: the hash goes into every cache key, so questions written under two wordings are never
 * mixed up and a new wording regenerates rather than reusing stale pairs.
 */
export interface ChunkQaPrompts {
  /** e.g. `finemem-chunk-qa-v1`. */
  readonly version: string;
  /** Placeholders: `{passage}`, `{count}`. */
  readonly generator: ChatPromptTemplate;
  /** Placeholders: `{passage}`, `{question}`. */
  readonly verifier: ChatPromptTemplate;
}

export const CHUNK_QA_PROMPT_VERSION = "finemem-chunk-qa-v1";

export const CHUNK_QA_PROMPTS: ChunkQaPrompts = {
  version: CHUNK_QA_PROMPT_VERSION,
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
};

/**
 * `<version>:<first 16 hex digits of sha256>` over every prompt text, the same shape as the manager
 * prompts' hash, so logs and caches name the exact wording that produced a question.
 */
export function chunkQaPromptHash(prompts: ChunkQaPrompts = CHUNK_QA_PROMPTS): string {
  const material = { version: prompts.version, generator: prompts.generator, verifier: prompts.verifier };
  return `${prompts.version}:${createHash("sha256").update(JSON.stringify(material)).digest("hex").slice(0, 16)}`;
}

/** The generator's request for `count` candidate pairs about `passage`. */
export function generatorMessages(prompts: ChunkQaPrompts, passage: string, count: number): ChatMessage[] {
  return [
    { role: "system", content: prompts.generator.system },
    { role: "user", content: fillPlaceholders(prompts.generator.user, { passage, count: String(count) }) },
  ];
}

/** The verifier's request: answer `question` from `passage` alone. */
export function verifierMessages(prompts: ChunkQaPrompts, passage: string, question: string): ChatMessage[] {
  return [
    { role: "system", content: prompts.verifier.system },
    { role: "user", content: fillPlaceholders(prompts.verifier.user, { passage, question }) },
  ];
}

// One pass, so a passage that itself contains "{question}" is sent as written.
function fillPlaceholders(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{([a-z_]+)\}/g, (whole, key: string) =>
    Object.hasOwn(values, key) ? values[key]! : whole,
  );
}
