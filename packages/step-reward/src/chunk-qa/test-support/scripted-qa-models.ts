// Test-only: a generator and a verifier scripted from a small "world" of chunks and their pairs, so a
// test states what each chunk's generator writes and what the verifier says, and nothing else.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Chunk, LanguageModelRequest } from "@finemem/spec";
import { createScriptedLanguageModel, type ScriptedLanguageModel } from "@finemem/spec/testing";
import { afterEach } from "vitest";

export interface ScriptedPair {
  readonly question: string;
  readonly answer: string;
  /** What the verifier answers; default the answer itself (a verifiable pair). */
  readonly verifierSays?: string;
}

export interface ScriptedChunk {
  readonly chunk: Chunk;
  /** The pairs the generator writes, or a raw reply per attempt (the last one repeats). */
  readonly pairs: readonly ScriptedPair[] | readonly string[];
}

export interface ScriptedQaModels {
  readonly generator: ScriptedLanguageModel;
  readonly verifier: ScriptedLanguageModel;
  /** The chunk texts the generator was asked about, in call order. */
  generatedFor(): string[];
}

export function scriptedQaModels(world: readonly ScriptedChunk[]): ScriptedQaModels {
  const byPassage = new Map(world.map((entry) => [entry.chunk.text, entry]));
  const attempts = new Map<string, number>();
  const generator = createScriptedLanguageModel(
    (request) => {
      const passage = passageOf(request);
      const entry = byPassage.get(passage);
      if (entry === undefined) throw new Error(`no scripted chunk with text ${JSON.stringify(passage)}`);
      const attempt = attempts.get(passage) ?? 0;
      attempts.set(passage, attempt + 1);
      if (isRawReplies(entry.pairs)) return entry.pairs[Math.min(attempt, entry.pairs.length - 1)]!;
      return JSON.stringify({ pairs: entry.pairs.map(({ question, answer }) => ({ question, answer })) });
    },
    { modelId: "scripted-generator" },
  );
  const verifier = createScriptedLanguageModel(
    (request) => {
      const passage = passageOf(request);
      const question = /Question: ([\s\S]*)\nAnswer:$/.exec(userOf(request))?.[1] ?? "";
      const entry = byPassage.get(passage);
      const pair =
        entry === undefined || isRawReplies(entry.pairs)
          ? undefined
          : entry.pairs.find((candidate) => candidate.question === question);
      return pair === undefined ? "unknown" : (pair.verifierSays ?? pair.answer);
    },
    { modelId: "scripted-verifier" },
  );
  return { generator, verifier, generatedFor: () => generator.calls.map(passageOf) };
}

function isRawReplies(pairs: ScriptedChunk["pairs"]): pairs is readonly string[] {
  return typeof pairs[0] === "string";
}

function userOf(request: LanguageModelRequest): string {
  return request.messages.findLast((message) => message.role === "user")?.content ?? "";
}

function passageOf(request: LanguageModelRequest): string {
  return /<passage>\n([\s\S]*?)\n<\/passage>/.exec(userOf(request))?.[1] ?? "";
}

/** Returns `tempDir()`: a fresh temporary folder, removed after the current test. */
export function useTempDirs(): () => string {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), "finemem-chunk-qa-"));
    dirs.push(dir);
    return dir;
  };
}

export { rejection } from "@finemem/testing";
