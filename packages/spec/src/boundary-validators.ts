import {
  benchmarkInstanceValidator,
  chunkQuestionValidator,
  datasetSourceValidator,
  globalQuestionValidator,
  metricResultValidator,
} from "./benchmark.js";
import {
  chatMessageValidator,
  languageModelRequestValidator,
  languageModelResponseValidator,
  toolCallValidator,
  toolDefinitionValidator,
} from "./language-model.js";
import { memoryItemValidator, memoryItemVersionValidator, memoryViewValidator, namespaceValidator } from "./memory.js";
import { identifiedOperationValidator, memoryOperationValidator, operationResultValidator } from "./operation.js";
import { chunkValidator, parseOutcomeValidator, policyDecisionValidator, policyInputValidator } from "./policy.js";
import { stepWeightsValidator } from "./provenance.js";
import { evidenceRecordValidator, questionValidator } from "./reasoner.js";
import { retrievalRequestValidator, retrievedItemValidator } from "./retrieval.js";
import { episodeRewardSummaryValidator, rewardWeightsValidator, stepRewardComponentsValidator } from "./rewards.js";
import { runManifestValidator, stepRecordValidator } from "./run-log.js";
import {
  rolloutGroupValidator,
  trainerMetricsValidator,
  trainerUpdateRequestValidator,
  trainingSampleValidator,
} from "./trainer.js";

/**
 * Every validator for a value that crosses a process boundary (HTTP, files, a Python trainer), by
 * type name. The spec's own tests check each one against every kind of defect.
 */
export const boundaryValidators = {
  Namespace: namespaceValidator,
  MemoryItem: memoryItemValidator,
  MemoryItemVersion: memoryItemVersionValidator,
  MemoryView: memoryViewValidator,
  MemoryOperation: memoryOperationValidator,
  IdentifiedOperation: identifiedOperationValidator,
  OperationResult: operationResultValidator,
  StepWeights: stepWeightsValidator,
  RetrievalRequest: retrievalRequestValidator,
  RetrievedItem: retrievedItemValidator,
  ToolDefinition: toolDefinitionValidator,
  ToolCall: toolCallValidator,
  ChatMessage: chatMessageValidator,
  LanguageModelRequest: languageModelRequestValidator,
  LanguageModelResponse: languageModelResponseValidator,
  Chunk: chunkValidator,
  ParseOutcome: parseOutcomeValidator,
  PolicyInput: policyInputValidator,
  PolicyDecision: policyDecisionValidator,
  Question: questionValidator,
  EvidenceRecord: evidenceRecordValidator,
  ChunkQuestion: chunkQuestionValidator,
  GlobalQuestion: globalQuestionValidator,
  DatasetSource: datasetSourceValidator,
  BenchmarkInstance: benchmarkInstanceValidator,
  MetricResult: metricResultValidator,
  RewardWeights: rewardWeightsValidator,
  StepRewardComponents: stepRewardComponentsValidator,
  EpisodeRewardSummary: episodeRewardSummaryValidator,
  StepRecord: stepRecordValidator,
  RunManifest: runManifestValidator,
  TrainingSample: trainingSampleValidator,
  RolloutGroup: rolloutGroupValidator,
  TrainerUpdateRequest: trainerUpdateRequestValidator,
  TrainerMetrics: trainerMetricsValidator,
} as const;

export type BoundaryTypeName = keyof typeof boundaryValidators;
