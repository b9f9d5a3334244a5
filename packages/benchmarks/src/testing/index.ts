/**
 * Test support for code that loads datasets: a local server that speaks the Hugging Face hub's
 * download protocol, so loaders can be tested offline against the real `@huggingface/hub` client.
 */
export { startFakeHub, type FakeHub, type FakeHubOptions, type FakeHubRepo, type FakeHubRequest } from "./fake-hub.js";
