import { createBm25Retriever } from "@finemem/memory";
import {
  type CallOptions,
  type EvidenceRecord,
  type LanguageModel,
  type Reasoner,
  type ReasonerInput,
  type Retriever,
  type SamplingOptions,
  SPECIFICATION_VERSION,
  throwIfAborted,
} from "@finemem/spec";
import { positiveInteger } from "@finemem/utils";
import { policyOptionError } from "../policy/policy-options-error.js";
import { fillPlaceholders } from "../prompts/prompt-text.js";
import { questionPrefixFor } from "./question-prefixes.js";
import { READER_PROMPT, type ReaderPromptTemplate, readerPromptHash, splitCitations } from "./reader-prompts.js";
import { evidenceItemsOf, retrieveEvidence } from "./retrieve-evidence.js";

export interface LlmReasonerOptions {
  readonly model: LanguageModel;
  /** Default: BM25 over the view (rank_bm25's BM25Okapi), as the papers retrieve. */
  readonly retriever?: Retriever;
  /** Default 20 (per memory type in the typed layout); the RAG-Top2 baseline reads with 2. */
  readonly topK?: number;
  /** Ask the model to cite the notes it used; they become `citedItemIds`. Default false (the paper's setting). */
  readonly cite?: boolean;
  /** Per data source instructions; `null` removes a built-in one. */
  readonly questionPrefixes?: Readonly<Record<string, string | null>>;
  /** Default greedy (temperature 0) with 512 new tokens: the reader is frozen and should be repeatable. */
  readonly sampling?: SamplingOptions;
  readonly prompt?: ReaderPromptTemplate;
  readonly headers?: { readonly [name: string]: string };
  readonly reasonerId?: string;
}

/**
 * The frozen reasoning agent over a language model: retrieve the top k items for the question (the
 * whole question is the query), show them numbered, ask the model. The evidence record holds the
 * retrieved set (the paper's M_j) and, when `cite` is on, the items the model cited.
 */
export function createLlmReasoner(options: LlmReasonerOptions): Reasoner & { readonly promptHash: string } {
  const topK = positiveInteger("topK", options.topK ?? 20, policyOptionError);
  const retriever = options.retriever ?? createBm25Retriever();
  const template = options.prompt ?? READER_PROMPT;
  const cite = options.cite ?? false;
  const sampling = options.sampling ?? { temperature: 0, maxTokens: 512 };
  return {
    specificationVersion: SPECIFICATION_VERSION,
    reasonerId: options.reasonerId ?? `llm:${options.model.modelId}:${retriever.retrieverId}:top${topK}`,
    promptHash: readerPromptHash(template),
    cites: cite,
    async answer(input: ReasonerInput, callOptions?: CallOptions): Promise<EvidenceRecord> {
      throwIfAborted(callOptions?.signal);
      const retrieved = await retrieveEvidence(retriever, input.question.text, input.memory, { topK }, callOptions);
      const memory =
        retrieved.length === 0
          ? "(no notes)"
          : retrieved.map((hit, index) => `[${index + 1}] ${hit.item.content}`).join("\n");
      const prefix = questionPrefixFor(input.question.dataSource, options.questionPrefixes);
      const response = await options.model.generate(
        {
          messages: [
            { role: "system", content: template.system },
            {
              role: "user",
              content: fillPlaceholders(template.user, {
                prefix: prefix === undefined ? "" : `${prefix}\n\n`,
                memory,
                question: input.question.text,
                cite: cite ? template.citeInstruction : "",
              }),
            },
          ],
          sampling,
          ...(options.headers === undefined ? {} : { headers: options.headers }),
        },
        callOptions,
      );
      const { answer, cited } = cite
        ? splitCitations(response.text, retrieved.length)
        : { answer: response.text.trim(), cited: [] };
      return {
        questionId: input.question.id,
        retrieved: evidenceItemsOf(retrieved),
        ...(cite ? { citedItemIds: cited.map((number) => retrieved[number - 1]!.item.id) } : {}),
        answer,
        score: null,
      };
    },
  };
}
