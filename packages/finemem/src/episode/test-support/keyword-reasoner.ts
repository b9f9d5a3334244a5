import { type EvidenceRecord, type MemoryItem, type Reasoner, SPECIFICATION_VERSION } from "@finemem/spec";

/**
 * A reasoning agent whose behaviour a test can work out by hand: for each question id it is told
 * which words to look for, retrieves every current item whose content holds one of them (in the
 * view's order, rank 1 first), and answers with those items' contents joined by a space, or
 * "unknown" when none holds one. Under substring match it is right exactly when the gold's item is
 * in the memory it was shown. Every question it sees is logged with the step of the view it saw.
 */
export function createKeywordReasoner(
  keywords: Readonly<Record<string, readonly string[]>>,
  /** `cites`: what it declares (absent: unknown); `citeIds`: whether its records carry the first hit as cited (default true). */
  options: { readonly cites?: boolean; readonly citeIds?: boolean } = {},
) {
  const asked: { questionId: string; viewStep: number; dataSource: string | undefined }[] = [];
  const reasoner: Reasoner = {
    specificationVersion: SPECIFICATION_VERSION,
    reasonerId: "keyword-reasoner",
    ...(options.cites === undefined ? {} : { cites: options.cites }),
    async answer({ question, memory }): Promise<EvidenceRecord> {
      asked.push({ questionId: question.id, viewStep: memory.step, dataSource: question.dataSource });
      const words = keywords[question.id];
      if (words === undefined) throw new Error(`keyword reasoner: no keywords for question ${question.id}`);
      const hits = memory.items.filter((item: MemoryItem) =>
        words.some((word) => item.content.split(/[\s.,]+/u).includes(word)),
      );
      return {
        questionId: question.id,
        retrieved: hits.map((item, index) => ({ itemId: item.id, version: item.version, rank: index + 1, score: 1 })),
        ...(options.citeIds === false ? {} : { citedItemIds: hits.slice(0, 1).map((item) => item.id) }),
        answer: hits.length === 0 ? "unknown" : hits.map((item) => item.content).join(" "),
        score: null,
      };
    },
  };
  return { reasoner, asked };
}
