import { AIMessage, HumanMessage } from "@langchain/core/messages";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { END, type LangGraphRunnableConfig, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { expect, it } from "vitest";
import { createFineMemStore } from "./index.js";

it("a LangGraph graph writes a memory in one node and reads it in another", async () => {
  const store = createFineMemStore({ namespace: { agent: "assistant" } });
  const model = new FakeListChatModel({ responses: ["You live in Lisbon."] });
  const prompts: string[] = [];
  let written = 0;

  const remember = async (state: typeof MessagesAnnotation.State, config: LangGraphRunnableConfig) => {
    const userId = config.configurable?.userId as string;
    const last = state.messages.at(-1)!;
    const text = String(last.content);
    if (text.startsWith("Remember:")) {
      await config.store!.put(["memories", userId], `note-${++written}`, { text: text.slice(9).trim() });
    }
    return {};
  };
  const answer = async (state: typeof MessagesAnnotation.State, config: LangGraphRunnableConfig) => {
    const userId = config.configurable?.userId as string;
    const question = String(state.messages.at(-1)!.content);
    const hits = await config.store!.search(["memories", userId], { query: question, limit: 1 });
    const prompt = `Memory: ${hits.map((hit) => hit.value.text).join("; ")}\nQuestion: ${question}`;
    prompts.push(prompt);
    const reply = await model.invoke([new HumanMessage(prompt)]);
    return { messages: [new AIMessage(String(reply.content))] };
  };

  const graph = new StateGraph(MessagesAnnotation)
    .addNode("remember", remember)
    .addNode("answer", answer)
    .addEdge(START, "remember")
    .addEdge("remember", "answer")
    .addEdge("answer", END)
    .compile({ store });

  const config = { configurable: { userId: "ada" } };
  await graph.invoke({ messages: [new HumanMessage("Remember: I live in Lisbon now.")] }, config);
  await graph.invoke({ messages: [new HumanMessage("Remember: my dog is called Rex.")] }, config);
  await graph.invoke({ messages: [new HumanMessage("Remember: I work at Brindle.")] }, config);
  const result = await graph.invoke({ messages: [new HumanMessage("Where do I live?")] }, config);

  expect(String(result.messages.at(-1)!.content)).toBe("You live in Lisbon.");
  expect(prompts.at(-1)).toBe("Memory: I live in Lisbon now.\nQuestion: Where do I live?");
  const stored = await store.search(["memories", "ada"]);
  expect(stored.map((item) => [item.key, item.value.text])).toEqual([
    ["note-1", "I live in Lisbon now."],
    ["note-2", "my dog is called Rex."],
    ["note-3", "I work at Brindle."],
  ]);
  expect(await store.listNamespaces()).toEqual([["memories", "ada"]]);
  // Each put went through the memory store as a step with provenance.
  const view = await store.backend.view({ agent: "assistant" });
  expect(view.items.map((item) => [item.id, item.sourceChunkId])).toEqual([
    ["m1", "put-1"],
    ["m2", "put-2"],
    ["m3", "put-3"],
  ]);
});
