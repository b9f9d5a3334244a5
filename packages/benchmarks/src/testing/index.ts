/**
 * Test support: a local server that speaks the Hugging Face hub's download protocol, so loaders can be
 * tested offline against the real `@huggingface/hub` client; and the synthetic benchmark's vocabulary
 * (each attribute's question, original and paraphrase templates, the name pools, the renderers), so
 * tests outside this package can check the templates against a retriever (the BM25 design checks in
 * @finemem/integration-tests, next to the BM25 index they rank with).
 */

export {
  ATTRIBUTES as SYNTHETIC_ATTRIBUTES,
  type AttributeDefinition as SyntheticAttribute,
  type AttributeId as SyntheticAttributeId,
  attributesOf as syntheticAttributesOf,
  type ChangeRule as SyntheticChangeRule,
  COMPANY_STEMS,
  COMPANY_SUFFIXES,
  type EntityType as SyntheticEntityType,
  PERSON_FIRST_NAMES,
  PERSON_LAST_NAMES,
  renderQuestion as renderSyntheticQuestion,
  renderTemplate as renderSyntheticTemplate,
} from "../synthetic/vocabulary.js";
export { type FakeHub, type FakeHubOptions, type FakeHubRepo, type FakeHubRequest, startFakeHub } from "./fake-hub.js";
