import { createMemoryManager, EMPTY_RECALL_PROMPT, type MemoryStep, type Recall } from "@finemem/agent";
import { generateText, stepCountIs, streamText, wrapLanguageModel } from "ai";
import { describe, expect, it } from "vitest";
import { createMemoryMiddleware } from "./memory-middleware.js";
import { createMemoryTools } from "./memory-tools.js";
import { reply, scriptedModel, streamingModel, toolCalls } from "./scripted-model.js";

async function contents(memory: ReturnType<typeof createMemoryManager>): Promise<string[]> {
  return (await memory.store.view(memory.namespace)).items.map((item) => item.content);
}

describe("createMemoryMiddleware", () => {
  it("recalls memory into the prompt the model receives, and observes the finished turn", async () => {
    const memory = createMemoryManager();
    await memory.observe({ role: "user", content: "I live in Lisbon." });
    await memory.flush();
    const base = scriptedModel(reply("You live in Lisbon."));
    const model = wrapLanguageModel({ model: base, middleware: createMemoryMiddleware(memory) });

    const result = await generateText({
      model,
      system: "You are a helpful assistant.",
      prompt: "Where do I live? Also, my sister Ada is a pianist.",
    });

    expect(result.text).toBe("You live in Lisbon.");
    const [call] = base.doGenerateCalls;
    expect(call!.prompt.slice(0, 2)).toEqual([
      { role: "system", content: "You are a helpful assistant." },
      { role: "system", content: "Notes from memory, most relevant first:\n[1] I live in Lisbon." },
    ]);
    expect(call!.prompt[2]!.role).toBe("user");
    // Flushed per turn by default. After the turn, the policy has stored the user's new statement (not the question).
    expect(await contents(memory)).toEqual(["I live in Lisbon.", "Also, my sister Ada is a pianist."]);
    expect((await memory.recall("Who is a pianist?")).items[0]?.content).toContain("Ada is a pianist");
  });

  it("leaves the prompt alone when nothing is recalled, unless asked for the empty block", async () => {
    const memory = createMemoryManager();
    const base = scriptedModel(reply("Hello."), reply("Hello again."));
    const quiet = wrapLanguageModel({ model: base, middleware: createMemoryMiddleware(memory, { observe: false }) });
    await generateText({ model: quiet, prompt: "Hi there." });
    expect(base.doGenerateCalls[0]!.prompt.map((message) => message.role)).toEqual(["user"]);

    const explicit = wrapLanguageModel({
      model: base,
      middleware: createMemoryMiddleware(memory, { observe: false, includeEmptyRecall: true }),
    });
    await generateText({ model: explicit, prompt: "Hi there." });
    expect(base.doGenerateCalls[1]!.prompt[0]).toEqual({ role: "system", content: EMPTY_RECALL_PROMPT });
    expect(await contents(memory)).toEqual([]);
  });

  it("observes a tool loop once, when the model stops for good, with the assistant's text of every step", async () => {
    const memory = createMemoryManager();
    const steps: MemoryStep[][] = [];
    const recalls: Recall[] = [];
    const base = scriptedModel(
      toolCalls(["recall", { query: "coffee" }]),
      reply("I have no notes on that yet; noted that you drink oat milk lattes."),
    );
    const model = wrapLanguageModel({
      model: base,
      middleware: createMemoryMiddleware(memory, {
        onObserve: (observed) => steps.push([...observed]),
        onRecall: (recall) => recalls.push(recall),
      }),
    });
    await generateText({
      model,
      tools: createMemoryTools(memory),
      prompt: "I drink oat milk lattes.",
      stopWhen: stepCountIs(3),
    });
    expect(base.doGenerateCalls).toHaveLength(2);
    expect(recalls).toHaveLength(2); // each model call recalls for the same user message
    expect(steps).toHaveLength(1);
    expect(steps[0]![0]!.chunk.text).toBe(
      "user: I drink oat milk lattes.\nassistant: I have no notes on that yet; noted that you drink oat milk lattes.",
    );
    expect(await contents(memory)).toEqual(["I drink oat milk lattes."]);
  });

  it("buffers turns up to the manager's budget with flush: budget", async () => {
    const memory = createMemoryManager({ chunkTokens: 1000 });
    const base = scriptedModel(reply("Noted."));
    const model = wrapLanguageModel({ model: base, middleware: createMemoryMiddleware(memory, { flush: "budget" }) });
    await generateText({ model, prompt: "My cat is called Tom." });
    expect(memory.pendingTurns).toEqual(["user: My cat is called Tom.", "assistant: Noted."]);
    expect(await contents(memory)).toEqual([]);
    await memory.flush();
    expect(await contents(memory)).toEqual(["My cat is called Tom."]);
  });

  it("observes a streamed turn when the stream ends", async () => {
    const memory = createMemoryManager();
    await memory.observe({ role: "user", content: "My favourite colour is green." });
    await memory.flush();
    const base = streamingModel("Green suits you.");
    const model = wrapLanguageModel({ model: base, middleware: createMemoryMiddleware(memory) });

    const result = streamText({ model, prompt: "What is my favourite colour? I also play the cello." });
    const chunks: string[] = [];
    for await (const delta of result.textStream) chunks.push(delta);

    expect(chunks.join("")).toBe("Green suits you.");
    expect(base.doStreamCalls[0]!.prompt[0]).toEqual({
      role: "system",
      content: "Notes from memory, most relevant first:\n[1] My favourite colour is green.",
    });
    expect(await contents(memory)).toEqual(["My favourite colour is green.", "I also play the cello."]);
  });

  it("checks its options", () => {
    const memory = createMemoryManager();
    expect(() => createMemoryMiddleware(memory, { flush: "never" as "turn" })).toThrow(
      expect.objectContaining({ code: "invalid_option", path: ["flush"] }),
    );
    expect(() => createMemoryMiddleware(memory, { topK: 0 })).toThrow(
      expect.objectContaining({ code: "invalid_option", path: ["topK"] }),
    );
  });
});
