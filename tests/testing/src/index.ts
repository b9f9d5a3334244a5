export { deadEndpoint, type FakeModelHub, type FakeModelHubRequest, startFakeModelHub } from "./fake-model-hub.ts";
export {
  type MemalphaRow,
  type MemoryAgentBenchRow,
  memalphaParquet,
  memalphaRow,
  memoryAgentBenchParquet,
} from "./parquet-fixtures.ts";
export {
  createTestDatabase,
  POSTGRES_ADMIN_URL,
  postgresAvailability,
  type TestDatabase,
} from "./postgres-test-database.ts";
export { rejection } from "./rejection.ts";
export {
  type Availability,
  checkService,
  chromiumPath,
  DEFAULT_CHROMIUM_PATH,
  probeChromium,
  probePython,
  probeSharedFile,
  probeVulkanDriver,
  pythonPath,
  requiredServices,
  type ServiceName,
  ServiceRequiredError,
  sharedDir,
} from "./service-gate.ts";
export { type TinyCausalLm, type TinyCausalLmOptions, writeTinyCausalLm } from "./tiny-causal-lm.ts";
export {
  CORRUPT_GGUF_KINDS,
  type CorruptGgufKind,
  type TinyGguf,
  type TinyGgufOptions,
  tinyGgufBytes,
  writeCorruptGguf,
  writeTinyGguf,
} from "./tiny-gguf.ts";
export {
  TINY_STOPWORDS,
  TINY_SYNONYMS,
  TINY_WORDS,
  type TinySynonymModel,
  writeTinySynonymModel,
} from "./tiny-synonym-model.ts";
