/**
 * @finemem/spec: the versioned interfaces (`specificationVersion: "v1"`) every Fine-Mem package
 * implements or consumes, runtime validators for everything that crosses a process boundary, the typed
 * error base, and the small runtime helpers every package shares (seeded randomness, JSONL).
 */
export { SPECIFICATION_VERSION, type CallOptions, type SpecificationVersion } from "./call-options.js";
export { AbortedError, FineMemError, formatPath, isFineMemError, throwIfAborted, type FineMemErrorOptions, type PathSegment } from "./errors.js";
export {
  ValidationError,
  createValidator,
  type ValidationCode,
  type ValidationIssue,
  type ValidationResult,
  type Validator,
} from "./validation.js";
export { ID_PATTERN, contentSchema, idSchema, isId, stepSchema, unitIntervalSchema, type Id } from "./ids.js";
export { jsonObjectSchema, jsonValueSchema, type JsonValue } from "./json.js";
export {
  CORE_ITEM_ID,
  memoryItemSchema,
  memoryItemValidator,
  memoryItemVersionSchema,
  memoryItemVersionValidator,
  memoryLayoutSchema,
  memoryTypeSchema,
  memoryViewSchema,
  memoryViewValidator,
  namespaceSchema,
  namespaceValidator,
  type MemoryItem,
  type MemoryItemVersion,
  type MemoryLayout,
  type MemoryType,
  type MemoryView,
  type Namespace,
} from "./memory.js";
export {
  OPERATION_TYPES,
  REJECTION_REASONS,
  identifiedOperationSchema,
  identifiedOperationValidator,
  memoryOperationSchema,
  memoryOperationValidator,
  operationResultSchema,
  operationResultValidator,
  type DeleteOperation,
  type IdentifiedOperation,
  type InsertOperation,
  type MemoryOperation,
  type OperationResult,
  type OperationType,
  type RejectionReason,
  type SkipOperation,
  type UpdateOperation,
} from "./operation.js";
export {
  DEFAULT_PROVENANCE_POLICY,
  PROVENANCE_POLICIES,
  STEP_WEIGHT_SUM_TOLERANCE,
  provenancePolicySchema,
  stepWeightsSchema,
  stepWeightsValidator,
  type ProvenancePolicy,
  type StepWeights,
} from "./provenance.js";
export type { ApplyRequest, MemoryStore } from "./store.js";
export {
  retrievalRequestSchema,
  retrievalRequestValidator,
  retrievedItemSchema,
  retrievedItemValidator,
  type Embedder,
  type RetrievalRequest,
  type RetrievedItem,
  type Retriever,
  type TokenCounter,
} from "./retrieval.js";
export { createSeededRandom, type RandomSource } from "./random.js";
export { createConcurrencyLimiter, type ConcurrencyLimiter, type ReleaseSlot } from "./concurrency-limiter.js";
export { mapWithConcurrency } from "./map-with-concurrency.js";
export {
  chatMessageSchema,
  chatMessageValidator,
  languageModelRequestSchema,
  languageModelRequestValidator,
  languageModelResponseSchema,
  languageModelResponseValidator,
  samplingOptionsSchema,
  tokenUsageSchema,
  toolCallSchema,
  toolCallValidator,
  toolDefinitionSchema,
  toolDefinitionValidator,
  type ChatMessage,
  type FinishReason,
  type LanguageModel,
  type LanguageModelRequest,
  type LanguageModelResponse,
  type SamplingOptions,
  type TokenUsage,
  type ToolCall,
  type ToolDefinition,
} from "./language-model.js";
export {
  PARSE_FAILURE_REASONS,
  actionLogprobSchema,
  chunkSchema,
  chunkValidator,
  parseOutcomeSchema,
  parseOutcomeValidator,
  policyDecisionSchema,
  policyDecisionValidator,
  policyInputSchema,
  policyInputValidator,
  type ActionLogprob,
  type Chunk,
  type MemoryPolicy,
  type ParseFailureReason,
  type ParseOutcome,
  type PolicyDecision,
  type PolicyInput,
} from "./policy.js";
export {
  evidenceItemSchema,
  evidenceRecordSchema,
  evidenceRecordValidator,
  questionSchema,
  questionValidator,
  type EvidenceItem,
  type EvidenceRecord,
  type Question,
  type Reasoner,
  type ReasonerInput,
} from "./reasoner.js";
export {
  COMPETENCIES,
  METRIC_PROTOCOLS,
  benchmarkInstanceSchema,
  benchmarkInstanceValidator,
  chunkQuestionSchema,
  chunkQuestionValidator,
  datasetSourceSchema,
  datasetSourceValidator,
  globalQuestionSchema,
  globalQuestionValidator,
  goldSchema,
  metricResultSchema,
  metricResultValidator,
  type BenchmarkInstance,
  type ChunkQuestion,
  type Competency,
  type DatasetLoader,
  type DatasetSource,
  type GlobalQuestion,
  type Gold,
  type LoadRequest,
  type Metric,
  type MetricInput,
  type MetricProtocol,
  type MetricResult,
} from "./benchmark.js";
export {
  DEFAULT_REWARD_WEIGHTS,
  episodeRewardSummarySchema,
  episodeRewardSummaryValidator,
  rewardWeightsSchema,
  rewardWeightsValidator,
  stepRewardComponentsSchema,
  stepRewardComponentsValidator,
  type EpisodeRewardSummary,
  type RewardWeights,
  type StepRewardComponents,
} from "./rewards.js";
export { runManifestSchema, runManifestValidator, stepRecordSchema, stepRecordValidator, type RunManifest, type StepRecord } from "./run-log.js";
export {
  rolloutGroupSchema,
  rolloutGroupValidator,
  rolloutSchema,
  trainerMetricsSchema,
  trainerMetricsValidator,
  trainerUpdateRequestSchema,
  trainerUpdateRequestValidator,
  trainingSampleSchema,
  trainingSampleValidator,
  type AdvantageGrouping,
  type Rollout,
  type RolloutGroup,
  type TrainerBackend,
  type TrainerMetrics,
  type TrainerUpdateRequest,
  type TrainingSample,
} from "./trainer.js";
export { JsonlError, decodeJsonl, encodeJsonlLine } from "./jsonl.js";
export { boundaryValidators, type BoundaryTypeName } from "./boundary-validators.js";
