// Memory managers through one evaluation path (support/evaluate-policy.ts): the heuristic policy, the
// papers' baselines, and prompted LLM managers behind a real HTTP server speaking the OpenAI
// chat-completions protocol. The "model" behind the server is a stand-in that writes one INSERT per
// sentence (what an untrained manager tends to do); what is under test is the path, not the model.
import { generateSyntheticBenchmark } from "@finemem/benchmarks";
import {
  type BaselineName,
  createBaseline,
  createExtractiveReader,
  createHeuristicPolicy,
  createLlmReasoner,
  createOpenAICompatibleModel,
  createUsageLedger,
  renderOperations,
} from "@finemem/policy";
import { chatCompletion, startOpenAIReplayServer } from "@finemem/policy/testing";
import type { MemoryOperation } from "@finemem/spec";
import { splitSentences } from "@finemem/utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluatePolicy, meanChunkScore, meanScore, type PolicyEvaluation } from "./test-support/evaluate-policy.js";

const instances = [0, 1].flatMap((seed) => generateSyntheticBenchmark({ seed, instanceCount: 1 }));

/** Plays an untrained manager: every sentence of the chunk becomes an INSERT, as tool calls or as text. */
function appendOnlyReply(body: {
  messages: { role: string; content: string }[];
  tools?: { function: { name: string } }[];
}) {
  const user = body.messages.findLast((message) => message.role === "user")?.content ?? "";
  const chunk = /<(?:new_)?chunk id="[^"]*">\n([\s\S]*)\n<\/(?:new_)?chunk>/.exec(user)?.[1] ?? "";
  const typed = body.tools?.some((tool) => tool.function.name === "new_memory_insert") ?? false;
  const operations: MemoryOperation[] = splitSentences(chunk).map((span) => ({
    type: "INSERT",
    content: span.text,
    ...(typed ? { memoryType: "semantic" as const } : {}),
  }));
  // The flat manager's server has a tool parser (structured tool calls); the typed one writes
  // <tool_call> blocks in its text, as a server without a parser passes them on.
  const rendered = renderOperations(operations, {
    toolSet: typed ? "memalpha" : "flat",
    format: typed ? "tool-call-tags" : "openai-tool-calls",
  });
  return {
    body: {
      id: "chatcmpl-stand-in",
      object: "chat.completion",
      created: 1_764_000_000,
      model: "stand-in-untrained",
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: rendered.text,
            ...(rendered.toolCalls.length === 0
              ? {}
              : {
                  tool_calls: rendered.toolCalls.map((call) => ({
                    id: call.id,
                    type: "function",
                    function: { name: call.name, arguments: call.arguments },
                  })),
                }),
          },
          finish_reason: rendered.toolCalls.length === 0 ? "stop" : "tool_calls",
        },
      ],
      usage: {
        prompt_tokens: Math.ceil(user.length / 4),
        completion_tokens: Math.ceil(JSON.stringify(rendered).length / 4),
        total_tokens: 0,
      },
    },
  };
}

describe("memory managers through one evaluation path on the synthetic benchmark", () => {
  let server: Awaited<ReturnType<typeof startOpenAIReplayServer>>;
  beforeAll(async () => {
    server = await startOpenAIReplayServer((body: unknown) =>
      appendOnlyReply(body as Parameters<typeof appendOnlyReply>[0]),
    );
  });
  afterAll(() => server.close());

  const evaluateAll = async (
    makePolicy: () => { policy: Parameters<typeof evaluatePolicy>[1]; readerTopK?: number },
  ) => {
    const runs: PolicyEvaluation[] = [];
    for (const instance of instances) {
      const { policy, readerTopK } = makePolicy();
      runs.push(
        await evaluatePolicy(
          instance,
          policy,
          createExtractiveReader(readerTopK === undefined ? {} : { topK: readerTopK }),
        ),
      );
    }
    const figures = {
      all: meanScore(runs),
      changed: meanScore(runs, "changed"),
      chunk: meanChunkScore(runs),
      memoryTokens: runs.reduce((sum, run) => sum + run.memoryTokens, 0) / runs.length,
    };
    console.log(
      `${runs[0]!.policyId} + ${runs[0]!.reasonerId}: all ${figures.all.toFixed(3)}, changed ${figures.changed.toFixed(3)}, per-chunk ${figures.chunk.toFixed(3)}, memory ${figures.memoryTokens.toFixed(0)} tokens`,
    );
    return { runs, ...figures };
  };

  let heuristic: ReturnType<typeof evaluateAll> | undefined;
  const heuristicResult = () => (heuristic ??= evaluateAll(() => ({ policy: createHeuristicPolicy() })));

  it("the heuristic policy with the extractive reader answers nearly everything, changed facts included", async () => {
    const result = await heuristicResult();
    expect(result.changed).toBeGreaterThanOrEqual(0.9);
    expect(result.all).toBeGreaterThanOrEqual(0.95);
    for (const run of result.runs) expect(run.rejected).toBe(0);
  });

  it.each(["rag-top2", "long-context"] satisfies BaselineName[])(
    "the %s baseline runs through the same path",
    async (name) => {
      const result = await evaluateAll(() => createBaseline(name, { longContextTokens: 400 }));
      for (const run of result.runs) {
        expect(run.questions.length).toBeGreaterThan(0);
        expect(run.chunkScores).toHaveLength(10);
        expect(run.rejected).toBe(0);
      }
      // Raw chunks and a window hold stale values beside (or instead of) the updates.
      expect(result.all).toBeLessThan((await heuristicResult()).all);
    },
  );

  it.each(["prompted-flat", "prompted-memalpha"] satisfies BaselineName[])(
    "the %s baseline runs over HTTP through the same path",
    async (name) => {
      const before = server.requests.length;
      const model = createOpenAICompatibleModel({
        baseURL: server.baseURL,
        model: "stand-in-untrained",
        role: "manager",
      });
      const result = await evaluateAll(() => createBaseline(name, { model }));
      expect(server.requests.length - before).toBe(
        instances.reduce((sum, instance) => sum + instance.chunks.length, 0),
      );
      for (const run of result.runs) {
        expect(run.rejected).toBe(0);
        for (const decision of run.decisions)
          expect(decision.parseOutcomes.every((outcome) => outcome.status === "parsed")).toBe(true);
      }
      // An append-only manager keeps the stale originals, which the reader finds first.
      expect(result.changed).toBeLessThan(0.6);
      expect(model.ledger.snapshot().roles.manager).toMatchObject({
        calls: server.requests.length - before,
        failedCalls: 0,
      });
    },
  );
});

describe("the LLM reasoning agent over HTTP in the same path", () => {
  it("reads the numbered notes, cites them, and is accounted under its own role", async () => {
    // A stand-in reader: answers with its first note and cites it.
    const server = await startOpenAIReplayServer((body: unknown) => {
      const user = (body as { messages: { role: string; content: string }[] }).messages[1]!.content;
      const first = /^\[1\] (.*)$/m.exec(user)?.[1] ?? "I do not know.";
      return {
        body: chatCompletion({
          content: `${first}\nEvidence: [1]`,
          usage: { promptTokens: 200, completionTokens: 20 },
        }),
      };
    });
    try {
      const ledger = createUsageLedger({ spendingCapUsd: 1 });
      const model = createOpenAICompatibleModel({
        baseURL: server.baseURL,
        model: "stand-in-reader",
        role: "reasoner",
        ledger,
        pricing: { promptUsdPerMillion: 0.5, completionUsdPerMillion: 1.5 },
      });
      const reasoner = createLlmReasoner({ model, cite: true });
      const instance = instances[0]!;
      const evaluation = await evaluatePolicy(instance, createHeuristicPolicy(), reasoner);
      const questions = instance.questions.length + instance.chunkQuestions.flat().length;
      expect(server.requests).toHaveLength(questions);
      // BM25's top note over a memory that holds only the latest facts answers nearly every question.
      expect(evaluation.score).toBeGreaterThanOrEqual(0.9);
      const usage = ledger.snapshot().roles.reasoner!;
      expect(usage).toMatchObject({
        calls: questions,
        failedCalls: 0,
        promptTokens: 200 * questions,
        completionTokens: 20 * questions,
      });
      expect(usage.costUsd).toBeCloseTo((questions * (200 * 0.5 + 20 * 1.5)) / 1e6, 12);
    } finally {
      await server.close();
    }
  });
});
