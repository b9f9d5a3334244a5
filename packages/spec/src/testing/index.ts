/**
 * Test doubles for consumers of `@finemem/spec`: deterministic stand-ins for a language model, a
 * memory policy, a store, a reasoning agent, a trainer and a token counter. For unit tests only;
 * every real backend is tested against its real counterpart.
 */
export { type ConstantReasoner, type ConstantReasonerOptions, createConstantReasoner } from "./constant-reasoner.js";
export { createInMemoryStoreDouble, type InMemoryStoreDouble } from "./in-memory-store.js";
export { createRecordingTrainer, type RecordingTrainer } from "./recording-trainer.js";
export {
  createScriptedLanguageModel,
  type ScriptedLanguageModel,
  type ScriptedReply,
} from "./scripted-language-model.js";
export { createScriptedPolicy, type ScriptedPolicy, type ScriptedStep } from "./scripted-policy.js";
export { createWhitespaceTokenCounter } from "./whitespace-token-counter.js";
