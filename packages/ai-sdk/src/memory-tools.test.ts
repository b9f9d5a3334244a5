import { createMemoryManager, MemoryManagerError } from "@finemem/agent";
import { generateText, stepCountIs } from "ai";
import { describe, expect, it } from "vitest";
import { createMemoryTools } from "./memory-tools.js";
import { reply, scriptedModel, toolCalls } from "./scripted-model.js";

async function seeded() {
  const memory = createMemoryManager();
  await memory.observe({ role: "user", content: "I live in Paris." });
  await memory.flush();
  return memory;
}

describe("createMemoryTools", () => {
  it("lets the model remember, update, recall and forget, and memory changes accordingly", async () => {
    const memory = await seeded();
    const tools = createMemoryTools(memory);
    const model = scriptedModel(
      toolCalls(["remember", { content: "The user's dog is called Rex." }]),
      toolCalls(["update", { id: "m2", content: "The user's dog is called Max." }], ["recall", { query: "dog" }]),
      toolCalls(["forget", { id: "m1" }], ["history", { id: "m2" }]),
      reply("Done."),
    );
    const result = await generateText({ model, tools, prompt: "Sort out my memory.", stopWhen: stepCountIs(5) });

    expect(result.text).toBe("Done.");
    const outputs = result.steps.flatMap((step) =>
      step.toolResults.map((toolResult) => [toolResult.toolName, toolResult.output]),
    );
    expect(outputs).toEqual([
      ["remember", { status: "applied", operation: "INSERT", id: "m2", version: 1, step: 2 }],
      ["update", { status: "applied", operation: "UPDATE", id: "m2", version: 2, step: 3 }],
      [
        "recall",
        {
          step: 3,
          items: [
            {
              id: "m2",
              content: "The user's dog is called Max.",
              version: 2,
              step: 3,
              rank: 1,
              score: expect.any(Number),
            },
          ],
        },
      ],
      ["forget", { status: "applied", operation: "DELETE", id: "m1", version: 2, step: 4 }],
      [
        "history",
        {
          id: "m2",
          versions: [
            { version: 1, event: "ADD", content: "The user's dog is called Rex.", step: 2, source: "tool-2" },
            { version: 2, event: "UPDATE", content: "The user's dog is called Max.", step: 3, source: "tool-3" },
          ],
        },
      ],
    ]);
    const view = await memory.store.view(memory.namespace);
    expect(view.items.map((item) => [item.id, item.content])).toEqual([["m2", "The user's dog is called Max."]]);
    // The model saw each tool result before its next reply.
    const lastPrompt = model.doGenerateCalls.at(-1)!.prompt;
    expect(JSON.stringify(lastPrompt)).toContain(`"step":4`);
  });

  it("answers an edit the store refuses with its reason, for the model to read", async () => {
    const memory = await seeded();
    const tools = createMemoryTools(memory);
    const model = scriptedModel(toolCalls(["update", { id: "m9", content: "Nope." }]), reply("Sorry."));
    const result = await generateText({ model, tools, prompt: "Fix m9.", stopWhen: stepCountIs(3) });
    expect(result.steps[0]!.toolResults[0]!.output).toEqual({
      status: "rejected",
      operation: "UPDATE",
      reason: "unknown_id",
      message: expect.stringContaining("m9"),
    });
    expect((await memory.store.view(memory.namespace)).items).toHaveLength(1);
  });

  it("answers a bad input with the SDK's validation error naming the field, and writes nothing", async () => {
    const memory = await seeded();
    const tools = createMemoryTools(memory);
    const model = scriptedModel(toolCalls(["remember", { content: 42 }]), reply("Oops."));
    const result = await generateText({ model, tools, prompt: "Remember 42.", stopWhen: stepCountIs(3) });
    const [error] = result.steps[0]!.content.filter((part) => part.type === "tool-error");
    expect(error?.toolName).toBe("remember");
    // The SDK's InvalidToolInputError, as the step records it: zod's issue with the field's path.
    const message = String(error?.error);
    expect(message).toContain("Invalid input for tool remember");
    expect(message).toMatch(/"path": \[\s*"content"\s*\]/);
    expect(message).toContain("expected string, received number");
    const toolMessage = model.doGenerateCalls[1]!.prompt.find((entry) => entry.role === "tool");
    expect(toolMessage?.content[0]).toMatchObject({
      type: "tool-result",
      toolName: "remember",
      output: { type: "error-text", value: expect.stringContaining("expected string, received number") },
    });
    expect((await memory.store.view(memory.namespace)).items).toHaveLength(1);
    // The model is told, and the loop goes on.
    expect(result.text).toBe("Oops.");
  });

  it("checks its options", () => {
    const memory = createMemoryManager();
    expect(() => createMemoryTools(memory, { topK: 0 })).toThrow(MemoryManagerError);
    try {
      createMemoryTools(memory, { topK: 1.5 });
    } catch (error) {
      expect(error).toMatchObject({ code: "invalid_option", path: ["topK"] });
    }
  });
});
