import { createInMemoryStore, type MemoryBackend } from "@finemem/memory";
import { createConversationalPolicy, retrieveEvidence } from "@finemem/policy";
import {
  type CallOptions,
  type Chunk,
  type IdentifiedOperation,
  type MemoryPolicy,
  type MemoryType,
  type Namespace,
  namespaceValidator,
  type OperationResult,
  type PolicyDecision,
  type Retriever,
  type TokenCounter,
  throwIfAborted,
} from "@finemem/spec";
import { createO200kTokenCounter } from "@finemem/utils";
import {
  type ConversationTurn,
  checkConversationTurn,
  renderConversationTurn,
  type TurnRenderer,
} from "./conversation-turn.js";
import { MemoryManagerError, positiveIntegerOption } from "./memory-manager-error.js";
import { renderRecallPrompt } from "./recall-prompt.js";
import { createRelevanceRetriever } from "./relevance-retriever.js";
import { SerialQueue } from "./serial-queue.js";
import { type PackedChunk, TurnBuffer } from "./turn-buffer.js";

/**
 * Turns buffered before they become a chunk, in tokens of the counter (o200k_base by default). 512 is
 * a few exchanges: small enough that a fact reaches memory (and recall) soon after it is said, large
 * enough that a step (one policy call that reads the whole memory view) is not paid for every message.
 * Benchmarks pack 4096-token chunks because they replay a finished history; a live agent cannot wait that long.
 */
export const DEFAULT_MANAGER_CHUNK_TOKENS = 512;

/** Items recalled per question (per memory type in the typed layout): Fine-Mem's default k, as Mem-α's. */
export const DEFAULT_RECALL_TOP_K = 20;

export interface MemoryManagerOptions {
  /**
   * The memory manager π. Default: the conversational policy of `@finemem/policy`, which needs no model:
   * it stores what the user says (without the `user:` prefix), keeps unrelated facts apart and updates a
   * restated one.
   */
  readonly policy?: MemoryPolicy;
  /** Where memory lives. Default: a new in-memory store of the policy's layout. Never closed by the manager. */
  readonly store?: MemoryBackend;
  /** The namespace read and written. Default `{}`, the spec's default namespace. */
  readonly namespace?: Namespace;
  /** Token budget of one chunk (see {@link DEFAULT_MANAGER_CHUNK_TOKENS}). */
  readonly chunkTokens?: number;
  /** Counts the budget. Default: o200k_base, the encoding Fine-Mem measures lengths in. */
  readonly tokenCounter?: TokenCounter;
  /**
   * Ranks items for recall. Default: {@link createRelevanceRetriever} (BM25 over content words with a
   * positive idf, ties to the newest, nothing for an unrelated question, a relative cut); pass
   * `createStoreSearchRetriever(store)` for the store's own rank_bm25-exact search.
   */
  readonly retriever?: Retriever;
  /** Default k of `recall` (see {@link DEFAULT_RECALL_TOP_K}). */
  readonly topK?: number;
  /** Renders a turn into chunk text. Default `role: content` ({@link renderConversationTurn}). */
  readonly renderTurn?: TurnRenderer;
}

/** One step the manager ran: the chunk c_t, the policy's decision and what the store did with it. */
export interface MemoryStep {
  readonly step: number;
  readonly chunk: Chunk;
  readonly decision: PolicyDecision;
  /** The decision's operations with the ids they were applied under (`s<step>.<position>`). */
  readonly operations: readonly IdentifiedOperation[];
  /** One result per operation, in order. */
  readonly results: readonly OperationResult[];
}

/** One recalled memory item. */
export interface RecalledItem {
  readonly itemId: string;
  readonly content: string;
  readonly score: number;
  /** 1-based, best first. */
  readonly rank: number;
  /** The step that wrote the item's current version. */
  readonly step: number;
  readonly version: number;
  /** Typed layout only. */
  readonly memoryType?: MemoryType;
}

/** What `recall` returns: the evidence, and the same evidence as a block to paste into a prompt. */
export interface Recall {
  readonly question: string;
  /** The memory step the evidence was read at. */
  readonly step: number;
  readonly items: readonly RecalledItem[];
  /** Numbered notes, best first (see `renderRecallPrompt`). */
  readonly prompt: string;
}

export interface RecallOptions extends CallOptions {
  /** Overrides the manager's `topK` for this question. */
  readonly topK?: number;
}

/**
 * A memory manager for a live agent: `observe` each turn of the conversation, `recall` before you
 * prompt. Memory, steps and recall all go through one queue, so calls never interleave even when the
 * caller does not await them, and a recall sees every step observed before it.
 */
export interface MemoryManager {
  readonly policy: MemoryPolicy;
  readonly store: MemoryBackend;
  readonly namespace: Namespace;
  readonly chunkTokens: number;
  /** Rendered turns observed but not yet written to memory (recall does not see them). */
  readonly pendingTurns: readonly string[];
  /** Their tokens. */
  readonly pendingTokens: number;
  /**
   * Buffers one turn and runs a step for every chunk that is now complete: none while the buffer is
   * under budget; one when it reaches it; two when the turn does not fit after the buffered ones (they
   * are written first) and is itself at least the whole budget (it is a chunk on its own).
   */
  observe(turn: ConversationTurn, options?: CallOptions): Promise<readonly MemoryStep[]>;
  /** Writes every buffered turn now (e.g. when a session ends), as chunks within the budget. */
  flush(options?: CallOptions): Promise<readonly MemoryStep[]>;
  /**
   * The items to give the agent for `question`: the retriever's top k over the current memory (in the
   * typed layout the core paragraph first, then top k semantic and top k episodic, as Mem-α reads).
   * Reads the store only: buffered turns are the latest messages, which the agent still has in its
   * context; call `flush` first to make them recallable.
   */
  recall(question: string, options?: RecallOptions): Promise<Recall>;
}

export function createMemoryManager(options: MemoryManagerOptions = {}): MemoryManager {
  const policy = options.policy ?? createConversationalPolicy();
  const store = options.store ?? createInMemoryStore({ layout: policy.layout });
  if (store.layout !== policy.layout) {
    throw new MemoryManagerError(
      "layout_mismatch",
      `the policy ${policy.policyId} writes ${policy.layout} memory but the store keeps ${store.layout} memory`,
      ["store"],
    );
  }
  const namespaceCheck = namespaceValidator.validate(options.namespace ?? {});
  if (!namespaceCheck.ok)
    throw new MemoryManagerError(
      "invalid_option",
      namespaceCheck.error.messageAt(["namespace"]),
      ["namespace", ...namespaceCheck.error.path],
      namespaceCheck.error,
    );
  const namespace = namespaceCheck.value;
  const chunkTokens = positiveIntegerOption("chunkTokens", options.chunkTokens ?? DEFAULT_MANAGER_CHUNK_TOKENS);
  const defaultTopK = positiveIntegerOption("topK", options.topK ?? DEFAULT_RECALL_TOP_K);
  const tokenCounter = options.tokenCounter ?? createO200kTokenCounter();
  const retriever = options.retriever ?? createRelevanceRetriever();
  const renderTurn = options.renderTurn ?? renderConversationTurn;

  const buffer = new TurnBuffer(chunkTokens);
  const queue = new SerialQueue();
  // The last step this manager wrote. The store's view says where the namespace stands (another
  // manager, an earlier session), but a step whose every operation was rejected leaves no trace there;
  // keeping our own count too means step numbers and chunk ids still never repeat within a session.
  let lastStep = 0;

  const writeChunk = async (packed: PackedChunk, callOptions: CallOptions): Promise<MemoryStep> => {
    const view = await store.view(namespace, callOptions);
    const step = Math.max(view.step, lastStep) + 1;
    const chunk: Chunk = { id: `chunk-${step}`, text: packed.text };
    const decision = await policy.decide({ step, chunk, view }, callOptions);
    const operations = decision.operations.map((operation, position) => ({
      operationId: `s${step}.${position}`,
      operation,
    }));
    const results = await store.apply({ namespace, step, sourceChunkId: chunk.id, operations }, callOptions);
    // Only now are the turns in memory; a step that failed before this point leaves them buffered.
    buffer.drop(packed.count);
    lastStep = step;
    return { step, chunk, decision, operations, results };
  };

  const writeChunks = async (includePartial: boolean, callOptions: CallOptions): Promise<MemoryStep[]> => {
    const steps: MemoryStep[] = [];
    for (
      let packed = buffer.nextChunk(includePartial);
      packed !== undefined;
      packed = buffer.nextChunk(includePartial)
    ) {
      throwIfAborted(callOptions.signal);
      steps.push(await writeChunk(packed, callOptions));
    }
    return steps;
  };

  return {
    policy,
    store,
    namespace,
    chunkTokens,
    get pendingTurns() {
      return buffer.texts;
    },
    get pendingTokens() {
      return buffer.tokens;
    },
    async observe(turn, callOptions = {}) {
      const checked = checkConversationTurn(turn);
      const text = renderTurn(checked);
      return queue.run(async () => {
        throwIfAborted(callOptions.signal);
        buffer.add({ text, tokens: tokenCounter.count(text) });
        return writeChunks(false, callOptions);
      });
    },
    async flush(callOptions = {}) {
      return queue.run(async () => {
        throwIfAborted(callOptions.signal);
        return writeChunks(true, callOptions);
      });
    },
    async recall(question, recallOptions = {}) {
      if (typeof question !== "string" || question.trim().length === 0) {
        throw new MemoryManagerError(
          "invalid_question",
          `a question must hold something other than whitespace, got ${JSON.stringify(question)}`,
          ["question"],
        );
      }
      const topK = recallOptions.topK === undefined ? defaultTopK : positiveIntegerOption("topK", recallOptions.topK);
      const callOptions: CallOptions = recallOptions.signal === undefined ? {} : { signal: recallOptions.signal };
      return queue.run(async () => {
        throwIfAborted(callOptions.signal);
        const view = await store.view(namespace, callOptions);
        const hits = await retrieveEvidence(retriever, question, view, { topK }, callOptions);
        const items: RecalledItem[] = hits.map((hit) => ({
          itemId: hit.item.id,
          content: hit.item.content,
          score: hit.score,
          rank: hit.rank,
          step: hit.item.step,
          version: hit.item.version,
          ...(hit.item.memoryType === undefined ? {} : { memoryType: hit.item.memoryType }),
        }));
        return { question, step: view.step, items, prompt: renderRecallPrompt(items.map((item) => item.content)) };
      });
    },
  };
}
