// Compile-time check. As a .test-d.ts file it is run by `tsc` in the typecheck target, not by vitest:
// each boundary schema produces exactly its documented interface, field for field. A field added to
// one and not the other fails here, before a strict schema could reject a valid value at run time.
import { describe, expectTypeOf, it } from "vitest";
import type { z } from "zod";
import type * as benchmark from "./benchmark.js";
import type * as spec from "./index.js";
import type * as languageModel from "./language-model.js";
import type * as memory from "./memory.js";
import type * as operation from "./operation.js";
import type * as policy from "./policy.js";
import type * as reasoner from "./reasoner.js";
import type * as retrieval from "./retrieval.js";
import type * as rewards from "./rewards.js";
import type * as runLog from "./run-log.js";
import type * as trainer from "./trainer.js";

type DeepMutable<T> = T extends readonly (infer U)[]
  ? DeepMutable<U>[]
  : T extends object
    ? { -readonly [K in keyof T]: DeepMutable<T[K]> }
    : T;
type Out<S extends z.ZodType> = DeepMutable<z.output<S>>;
type Doc<T> = DeepMutable<T>;

describe("boundary schemas and interfaces agree field for field", () => {
  it("memory", () => {
    expectTypeOf<Out<typeof memory.namespaceSchema>>().toEqualTypeOf<Doc<spec.Namespace>>();
    expectTypeOf<Out<typeof memory.memoryItemSchema>>().toEqualTypeOf<Doc<spec.MemoryItem>>();
    expectTypeOf<Out<typeof memory.memoryItemVersionSchema>>().toEqualTypeOf<Doc<spec.MemoryItemVersion>>();
    expectTypeOf<Out<typeof memory.memoryViewSchema>>().toEqualTypeOf<Doc<spec.MemoryView>>();
    expectTypeOf<Out<typeof operation.memoryOperationSchema>>().toEqualTypeOf<Doc<spec.MemoryOperation>>();
    expectTypeOf<Out<typeof operation.identifiedOperationSchema>>().toEqualTypeOf<Doc<spec.IdentifiedOperation>>();
    expectTypeOf<Out<typeof operation.operationResultSchema>>().toEqualTypeOf<Doc<spec.OperationResult>>();
  });

  it("retrieval and models", () => {
    expectTypeOf<Out<typeof retrieval.retrievalRequestSchema>>().toEqualTypeOf<Doc<spec.RetrievalRequest>>();
    expectTypeOf<Out<typeof retrieval.retrievedItemSchema>>().toEqualTypeOf<Doc<spec.RetrievedItem>>();
    expectTypeOf<Out<typeof languageModel.toolDefinitionSchema>>().toEqualTypeOf<Doc<spec.ToolDefinition>>();
    expectTypeOf<Out<typeof languageModel.toolCallSchema>>().toEqualTypeOf<Doc<spec.ToolCall>>();
    expectTypeOf<Out<typeof languageModel.chatMessageSchema>>().toEqualTypeOf<Doc<spec.ChatMessage>>();
    expectTypeOf<Out<typeof languageModel.languageModelRequestSchema>>().toEqualTypeOf<
      Doc<spec.LanguageModelRequest>
    >();
    expectTypeOf<Out<typeof languageModel.languageModelResponseSchema>>().toEqualTypeOf<
      Doc<spec.LanguageModelResponse>
    >();
  });

  it("policy, reasoner and benchmarks", () => {
    expectTypeOf<Out<typeof policy.chunkSchema>>().toEqualTypeOf<Doc<spec.Chunk>>();
    expectTypeOf<Out<typeof policy.parseOutcomeSchema>>().toEqualTypeOf<Doc<spec.ParseOutcome>>();
    expectTypeOf<Out<typeof policy.policyInputSchema>>().toEqualTypeOf<Doc<spec.PolicyInput>>();
    expectTypeOf<Out<typeof policy.policyDecisionSchema>>().toEqualTypeOf<Doc<spec.PolicyDecision>>();
    expectTypeOf<Out<typeof reasoner.questionSchema>>().toEqualTypeOf<Doc<spec.Question>>();
    expectTypeOf<Out<typeof reasoner.evidenceRecordSchema>>().toEqualTypeOf<Doc<spec.EvidenceRecord>>();
    expectTypeOf<Out<typeof benchmark.chunkQuestionSchema>>().toEqualTypeOf<Doc<spec.ChunkQuestion>>();
    expectTypeOf<Out<typeof benchmark.globalQuestionSchema>>().toEqualTypeOf<Doc<spec.GlobalQuestion>>();
    expectTypeOf<Out<typeof benchmark.datasetSourceSchema>>().toEqualTypeOf<Doc<spec.DatasetSource>>();
    expectTypeOf<Out<typeof benchmark.benchmarkInstanceSchema>>().toEqualTypeOf<Doc<spec.BenchmarkInstance>>();
    expectTypeOf<Out<typeof benchmark.metricResultSchema>>().toEqualTypeOf<Doc<spec.MetricResult>>();
  });

  it("rewards, logs and training", () => {
    expectTypeOf<Out<typeof rewards.rewardWeightsSchema>>().toEqualTypeOf<Doc<spec.RewardWeights>>();
    expectTypeOf<Out<typeof rewards.stepRewardComponentsSchema>>().toEqualTypeOf<Doc<spec.StepRewardComponents>>();
    expectTypeOf<Out<typeof rewards.episodeRewardSummarySchema>>().toEqualTypeOf<Doc<spec.EpisodeRewardSummary>>();
    expectTypeOf<Out<typeof runLog.stepRecordSchema>>().toEqualTypeOf<Doc<spec.StepRecord>>();
    expectTypeOf<Out<typeof runLog.runManifestSchema>>().toEqualTypeOf<Doc<spec.RunManifest>>();
    expectTypeOf<Out<typeof trainer.trainingSampleSchema>>().toEqualTypeOf<Doc<spec.TrainingSample>>();
    expectTypeOf<Out<typeof trainer.rolloutGroupSchema>>().toEqualTypeOf<Doc<spec.RolloutGroup>>();
    expectTypeOf<Out<typeof trainer.trainerUpdateRequestSchema>>().toEqualTypeOf<Doc<spec.TrainerUpdateRequest>>();
    expectTypeOf<Out<typeof trainer.trainerMetricsSchema>>().toEqualTypeOf<Doc<spec.TrainerMetrics>>();
  });
});
