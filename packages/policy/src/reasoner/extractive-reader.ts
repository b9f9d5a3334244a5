import { createBm25Retriever, tokenizeForBm25 } from "@finemem/memory";
import {
  type CallOptions,
  type EvidenceRecord,
  type Reasoner,
  type ReasonerInput,
  type Retriever,
  SPECIFICATION_VERSION,
  throwIfAborted,
} from "@finemem/spec";
import { positiveInteger, splitSentences } from "@finemem/utils";
import { policyOptionError } from "../policy/policy-options-error.js";
import { evidenceItemsOf, retrieveEvidence } from "./retrieve-evidence.js";

export interface ExtractiveReaderOptions {
  /** Default: BM25 over the view (rank_bm25's BM25Okapi), as the papers retrieve. */
  readonly retriever?: Retriever;
  /** Default 20 (per memory type in the typed layout). */
  readonly topK?: number;
  readonly readerId?: string;
}

interface Candidate {
  readonly text: string;
  readonly itemId: string;
  readonly tokens: ReadonlySet<string>;
}

/**
 * A reasoning agent that needs no model: it retrieves the top k items for the question, splits them
 * into sentences and answers with the sentence that best covers the question's words, each word
 * weighted by how rare it is among the candidate sentences (so names and content words count more
 * than "what" and "is"). Ties go to the better-ranked item, then the earlier sentence. It cites the
 * item the sentence came from. Containment metrics (gold inside the prediction) score it fairly; exact
 * match does not, which is why it is the default reader only for the synthetic benchmark.
 */
export function createExtractiveReader(options: ExtractiveReaderOptions = {}): Reasoner {
  const topK = positiveInteger("topK", options.topK ?? 20, policyOptionError);
  const retriever = options.retriever ?? createBm25Retriever();
  return {
    specificationVersion: SPECIFICATION_VERSION,
    reasonerId: options.readerId ?? `extractive:${retriever.retrieverId}:top${topK}`,
    cites: true,
    async answer(input: ReasonerInput, callOptions?: CallOptions): Promise<EvidenceRecord> {
      throwIfAborted(callOptions?.signal);
      const retrieved = await retrieveEvidence(retriever, input.question.text, input.memory, { topK }, callOptions);
      const candidates: Candidate[] = retrieved.flatMap((hit) =>
        splitSentences(hit.item.content).map((span) => ({
          text: span.text,
          itemId: hit.item.id,
          tokens: new Set(tokenizeForBm25(span.text)),
        })),
      );
      const best = bestCandidate(candidates, new Set(tokenizeForBm25(input.question.text)));
      return {
        questionId: input.question.id,
        retrieved: evidenceItemsOf(retrieved),
        // An empty list when nothing was found: it cited nothing, which is not "does not cite".
        citedItemIds: best === undefined ? [] : [best.itemId],
        answer: best?.text ?? "",
        score: null,
      };
    },
  };
}

function bestCandidate(candidates: readonly Candidate[], questionTokens: ReadonlySet<string>): Candidate | undefined {
  const documentFrequency = new Map<string, number>();
  for (const candidate of candidates) {
    for (const token of questionTokens)
      if (candidate.tokens.has(token)) documentFrequency.set(token, (documentFrequency.get(token) ?? 0) + 1);
  }
  // A positive weight for every matched word (BM25's idf shape, floored), so covering one more question
  // word always helps, and a rare word helps more than a common one.
  const weightOf = (token: string) => {
    const df = documentFrequency.get(token) ?? 0;
    return Math.log(1 + (candidates.length - df + 0.5) / (df + 0.5));
  };
  let best: Candidate | undefined;
  let bestScore = 0;
  for (const candidate of candidates) {
    let score = 0;
    for (const token of questionTokens) if (candidate.tokens.has(token)) score += weightOf(token);
    if (score > bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return best ?? candidates[0];
}
