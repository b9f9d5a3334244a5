// Test-only: feeds an instance's chunks to a policy through a real in-memory store, one step per chunk.
import { createInMemoryStore } from "@finemem/memory";
import type { BenchmarkInstance, MemoryPolicy, MemoryView, OperationResult, PolicyDecision } from "@finemem/spec";

export interface EpisodeTrace {
  readonly finalView: MemoryView;
  readonly views: readonly MemoryView[];
  readonly decisions: readonly PolicyDecision[];
  readonly results: readonly (readonly OperationResult[])[];
}

export async function runPolicyEpisode(
  instance: Pick<BenchmarkInstance, "instanceId" | "chunks">,
  policy: MemoryPolicy,
): Promise<EpisodeTrace> {
  const store = createInMemoryStore({ layout: policy.layout });
  const namespace = { run: instance.instanceId };
  const views: MemoryView[] = [];
  const decisions: PolicyDecision[] = [];
  const results: OperationResult[][] = [];
  for (const [index, chunk] of instance.chunks.entries()) {
    const step = index + 1;
    const decision = await policy.decide({
      step,
      chunk,
      view: await store.view(namespace),
      instanceId: instance.instanceId,
    });
    decisions.push(decision);
    results.push([
      ...(await store.apply({
        namespace,
        step,
        sourceChunkId: chunk.id,
        operations: decision.operations.map((operation, position) => ({
          operationId: `s${step}.${position}`,
          operation,
        })),
      })),
    ]);
    views.push(await store.view(namespace));
  }
  const finalView = await store.view(namespace);
  await store.close();
  return { finalView, views, decisions, results };
}
