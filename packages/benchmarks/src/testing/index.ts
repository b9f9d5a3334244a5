/**
 * Test support: a local server that speaks the Hugging Face hub's download protocol, so loaders can be
 * tested offline against the real `@huggingface/hub` client; and the synthetic benchmark's vocabulary
 * (each attribute's question, original and paraphrase templates, the name pools, the renderers), so
 * tests outside this package can check the templates against a retriever (the BM25 design checks in
 * @finemem/integration-tests, next to the BM25 index they rank with).
 */
export { startFakeHub, type FakeHub, type FakeHubOptions, type FakeHubRepo, type FakeHubRequest } from "./fake-hub.js";
export {
  ATTRIBUTES as SYNTHETIC_ATTRIBUTES,
  COMPANY_STEMS,
  COMPANY_SUFFIXES,
  PERSON_FIRST_NAMES,
  PERSON_LAST_NAMES,
  attributesOf as syntheticAttributesOf,
  renderQuestion as renderSyntheticQuestion,
  renderTemplate as renderSyntheticTemplate,
  type AttributeDefinition as SyntheticAttribute,
  type AttributeId as SyntheticAttributeId,
  type ChangeRule as SyntheticChangeRule,
  type EntityType as SyntheticEntityType,
} from "../synthetic/vocabulary.js";
