// A stand-in for the chunk-QA generator and verifier behind a local OpenAI-compatible server. It
// answers by request content, so a build gives the same questions whatever order requests come in:
// it reads "The X of Y is Z." sentences off the passage.
import { chatCompletion, type ReplayEntry } from "@finemem/policy/testing";
import { CHUNK_QA_PROMPTS } from "@finemem/step-reward";

const FACT = /The (\w+) of (\w+) is ([^.]+)\./g;

export interface ChatBody {
  readonly model: string;
  readonly messages: readonly { readonly role: string; readonly content: string }[];
}

export function passageOf(body: ChatBody): string {
  const user = body.messages.findLast((message) => message.role === "user")?.content ?? "";
  return /<passage>\n([\s\S]*?)\n<\/passage>/.exec(user)?.[1] ?? "";
}

/** A generator listing one pair per fact plus one the passage cannot answer; a verifier answering from the passage. */
export function chunkQaStandIn(requestBody: unknown): ReplayEntry {
  const body = requestBody as ChatBody;
  const passage = passageOf(body);
  const facts = [...passage.matchAll(FACT)].map(([, attribute, subject, value]) => ({
    attribute: attribute!,
    subject: subject!,
    value: value!,
  }));
  const usage = { promptTokens: Math.ceil(JSON.stringify(body.messages).length / 4), completionTokens: 30 };
  if (body.messages[0]?.content === CHUNK_QA_PROMPTS.generator.system) {
    const pairs = facts.map((fact) => ({
      question: `What is the ${fact.attribute} of ${fact.subject}?`,
      answer: fact.value,
    }));
    pairs.push({ question: `What is the weight of ${facts[0]?.subject ?? "it"}?`, answer: "heavy" });
    return { body: chatCompletion({ content: JSON.stringify({ pairs }), model: body.model, usage }) };
  }
  const user = body.messages.findLast((message) => message.role === "user")?.content ?? "";
  const [, attribute, subject] = /What is the (\w+) of (\w+)\?/.exec(user) ?? [];
  const fact = facts.find((candidate) => candidate.attribute === attribute && candidate.subject === subject);
  return {
    body: chatCompletion({
      content: fact?.value ?? "unknown",
      model: body.model,
      usage: { ...usage, completionTokens: 3 },
    }),
  };
}
