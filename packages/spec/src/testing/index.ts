/**
 * Test doubles for consumers of `@finemem/spec`: deterministic stand-ins for a language model, a
 * memory policy, a store, a reasoning agent, a trainer and a token counter. For unit tests only;
 * every real backend is tested against its real counterpart. Also the conformance suite every memory
 * policy runs (`memoryPolicyConformance`), here so that any policy package can run it.
 */
export { type ConstantReasoner, type ConstantReasonerOptions, createConstantReasoner } from "./constant-reasoner.js";
export { createInMemoryStoreDouble, type InMemoryStoreDouble } from "./in-memory-store.js";
export { PolicyConformanceFailure } from "./policy-conformance-failure.js";
export {
  memoryPolicyConformance,
  type PolicyConformanceCase,
  type PolicyConformanceOptions,
} from "./policy-conformance-suite.js";
export { createRecordingTrainer, type RecordingTrainer } from "./recording-trainer.js";
export {
  createScriptedLanguageModel,
  type ScriptedLanguageModel,
  type ScriptedReply,
} from "./scripted-language-model.js";
export { createScriptedPolicy, type ScriptedPolicy, type ScriptedStep } from "./scripted-policy.js";
export { createWhitespaceTokenCounter } from "./whitespace-token-counter.js";
