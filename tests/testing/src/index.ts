export {
  ServiceRequiredError,
  DEFAULT_CHROMIUM_PATH,
  checkService,
  chromiumPath,
  probeChromium,
  probeSharedFile,
  probeVulkanDriver,
  requiredServices,
  sharedDir,
  type Availability,
  type ServiceName,
} from "./service-gate.ts";
export { rejection } from "./rejection.ts";
export { writeTinyCausalLm, type TinyCausalLm, type TinyCausalLmOptions } from "./tiny-causal-lm.ts";
export { deadEndpoint, startFakeModelHub, type FakeModelHub, type FakeModelHubRequest } from "./fake-model-hub.ts";
export { CORRUPT_GGUF_KINDS, tinyGgufBytes, writeCorruptGguf, writeTinyGguf, type CorruptGgufKind, type TinyGguf, type TinyGgufOptions } from "./tiny-gguf.ts";
export { TINY_STOPWORDS, TINY_SYNONYMS, TINY_WORDS, writeTinySynonymModel, type TinySynonymModel } from "./tiny-synonym-model.ts";
