import { Bm25Index, tokenizeForBm25 } from "@finemem/memory";
import { describe, expect, it } from "vitest";
import { matchSyntheticStatement, parseSyntheticQuestion } from "./statement-parser.js";
import { normalizeAnswer } from "../metrics/memoryagentbench-scorer.js";
import {
  ATTRIBUTES,
  COMPANY_STEMS,
  COMPANY_SUFFIXES,
  PERSON_FIRST_NAMES,
  PERSON_LAST_NAMES,
  attributesOf,
  renderQuestion,
  renderTemplate,
  type AttributeDefinition,
} from "./vocabulary.js";

// Names of each shape the pools produce: a person's (possessive "'s"; no person name ends in "s",
// checked below) and a company's, with and without a final "s" (company templates use no possessive).
const SAMPLE_ENTITIES = { person: ["Xavo Quimby"], company: ["Xavo Widgets", "Xavo Foundry"] } as const;
const SAMPLE_VALUE = "Zzvalue";

function counts(tokens: readonly string[]): Map<string, number> {
  const map = new Map<string, number>();
  for (const token of tokens) map.set(token, (map.get(token) ?? 0) + 1);
  return map;
}

const NAME_WORDS = [...PERSON_FIRST_NAMES, ...PERSON_LAST_NAMES, ...COMPANY_STEMS, ...COMPANY_SUFFIXES];
const ALL_VALUES = ATTRIBUTES.flatMap((attribute) => attribute.values.map((value) => ({ attribute: attribute.id, value })));
const TEMPLATE_TEXTS = ATTRIBUTES.flatMap((attribute) => [attribute.question, attribute.original, ...attribute.paraphrases]);

/** The fixed words of a template (placeholders and the possessive "s" left out). */
function templateWords(template: string): Set<string> {
  return new Set(tokenizeForBm25(template.replace("{entity}'s", " ").replace("{entity}", " ").replace("{value}", " ")));
}

/**
 * The question words of an attribute that belong to it alone: words of its question that no template
 * (question, original or paraphrase) of another attribute of the same entity type contains.
 */
function contentWords(attribute: AttributeDefinition): Set<string> {
  const others = attributesOf(attribute.entityType).filter((other) => other.id !== attribute.id);
  const taken = new Set(others.flatMap((other) => [other.question, other.original, ...other.paraphrases].flatMap((template) => [...templateWords(template)])));
  return new Set([...templateWords(attribute.question)].filter((word) => !taken.has(word)));
}

describe("templates make a stale original outrank its paraphrased update under BM25", () => {
  for (const attribute of ATTRIBUTES) {
    for (const entity of SAMPLE_ENTITIES[attribute.entityType]) {
      const question = counts(tokenizeForBm25(renderQuestion(attribute, entity)));
      const original = tokenizeForBm25(renderTemplate(attribute.original, entity, SAMPLE_VALUE));
      const originalCounts = counts(original);
      attribute.paraphrases.forEach((paraphrase, index) => {
        it(`${attribute.id} paraphrase ${index} (${entity})`, () => {
          const rewritten = tokenizeForBm25(renderTemplate(paraphrase, entity, SAMPLE_VALUE));
          const rewrittenCounts = counts(rewritten);
          const extra: string[] = [];
          for (const term of question.keys()) {
            const inParaphrase = rewrittenCounts.get(term) ?? 0;
            const inOriginal = originalCounts.get(term) ?? 0;
            // Every question word the paraphrase matches, the original matches at least as often...
            expect(inParaphrase, `"${term}"`).toBeLessThanOrEqual(inOriginal);
            if (inOriginal > 0 && inParaphrase === 0) extra.push(term);
          }
          // ...and at least two more (one could have an idf of exactly 0 in some corpus).
          expect(extra.length, `extra terms ${extra.join(",")}`).toBeGreaterThanOrEqual(2);
          // Exactly as long: never shorter, so length normalisation never favours the paraphrase over
          // the stale original; never longer, so it never favours a namesake's original over the update.
          expect(rewritten.length).toBe(original.length);
        });
      });
    }
  }

  it("holds in a real index, whichever statement was added first", () => {
    for (const attribute of ATTRIBUTES) {
      for (const entity of SAMPLE_ENTITIES[attribute.entityType]) {
        for (const paraphrase of attribute.paraphrases) {
          const original = renderTemplate(attribute.original, entity, "Oldvalue");
          const update = renderTemplate(paraphrase, entity, "Newvalue");
          for (const order of [[original, update], [update, original]]) {
            const index = new Bm25Index();
            // Padding documents, so that idf values are those of a corpus rather than of two documents.
            ATTRIBUTES.forEach((other, key) => index.add(100 + key, renderTemplate(other.original, "Other Entity", "Padding")));
            order.forEach((text, key) => index.add(key, text));
            const [top] = index.search(renderQuestion(attribute, entity), { topK: 1 });
            expect(order[top!.key], attribute.id).toBe(original);
          }
        }
      }
    }
  });

  it("person names take the possessive \"'s\", whose \"s\" token is one of the function words", () => {
    for (const name of PERSON_LAST_NAMES) expect(name.endsWith("s"), name).toBe(false);
  });
});

describe("templates let a perfect memory find the update under BM25", () => {
  for (const attribute of ATTRIBUTES) {
    const own = contentWords(attribute);
    attribute.paraphrases.forEach((paraphrase, index) => {
      it(`${attribute.id} paraphrase ${index} keeps a question word no other ${attribute.entityType} attribute uses`, () => {
        const entity = SAMPLE_ENTITIES[attribute.entityType][0];
        const question = new Set(tokenizeForBm25(renderQuestion(attribute, entity)));
        const kept = tokenizeForBm25(renderTemplate(paraphrase, entity, SAMPLE_VALUE)).filter((word) => question.has(word) && own.has(word));
        expect(kept.length, `content words of ${attribute.id}: ${[...own].join(",")}`).toBeGreaterThanOrEqual(1);
      });
    });
  }

  it("the update outranks every other fact of the same entity, whichever was added first", () => {
    // A perfect memory: one sentence per attribute of the entity (the others in their original or in
    // a paraphrased form), other entities' facts as padding, and no stale statement.
    for (const attribute of ATTRIBUTES) {
      const others = attributesOf(attribute.entityType).filter((other) => other.id !== attribute.id);
      for (const entity of SAMPLE_ENTITIES[attribute.entityType]) {
        for (const paraphrase of attribute.paraphrases) {
          const update = renderTemplate(paraphrase, entity, "Newvalue");
          for (const form of ["original", 0, 1, 2] as const) {
            const siblings = others.map((other) => renderTemplate(form === "original" ? other.original : other.paraphrases[form % other.paraphrases.length]!, entity, "Othervalue"));
            for (const memory of [[update, ...siblings], [...siblings, update]]) {
              const index = new Bm25Index();
              ["Other Entity", "Third Party"].forEach((name, n) =>
                ATTRIBUTES.forEach((other, key) => index.add(100 + 20 * n + key, renderTemplate(other.original, name, "Padding"))),
              );
              memory.forEach((text, key) => index.add(key, text));
              const [top] = index.search(renderQuestion(attribute, entity), { topK: 1 });
              expect(memory[top!.key], `${attribute.id}: ${paraphrase}`).toBe(update);
            }
          }
        }
      }
    }
  });
});

describe("text is unambiguous", () => {
  it("every template is read back as itself, and only as itself", () => {
    // Both possessive forms: "Name's" and, for a name ending in "s", "Names'".
    for (const attribute of ATTRIBUTES) {
      for (const entity of SAMPLE_ENTITIES[attribute.entityType]) {
        const templates = [attribute.original, ...attribute.paraphrases];
        templates.forEach((template, index) => {
          const matches = matchSyntheticStatement(renderTemplate(template, entity, SAMPLE_VALUE));
          expect(matches).toEqual([
            { entity, attribute: attribute.id, value: SAMPLE_VALUE, template: index === 0 ? "original" : { paraphrase: index - 1 } },
          ]);
        });
        expect(parseSyntheticQuestion(renderQuestion(attribute, entity))).toEqual({ entity, attribute: attribute.id });
      }
    }
  });

  it("values are single tokens, never question words or name words", () => {
    const questionWords = new Set(ATTRIBUTES.flatMap((attribute) => tokenizeForBm25(attribute.question.replace("{entity}", ""))));
    const nameWords = new Set(NAME_WORDS.map((word) => word.toLowerCase()));
    for (const { value } of ALL_VALUES) {
      expect(tokenizeForBm25(value)).toEqual([value.toLowerCase()]);
      expect(questionWords.has(value.toLowerCase()), value).toBe(false);
      expect(nameWords.has(value.toLowerCase()), value).toBe(false);
    }
  });

  it("no value can be found by containment in a sentence that does not state it", () => {
    // A normalised value must not occur inside another value, a name, or any template's fixed words:
    // then a sentence "contains" a gold only when it states exactly that value.
    const fixedTexts = [...TEMPLATE_TEXTS.map((text) => text.replace("{entity}", " ").replace("{value}", " ")), ...NAME_WORDS];
    const normalizedFixed = fixedTexts.map(normalizeAnswer);
    const normalizedValues = ALL_VALUES.map(({ value }) => normalizeAnswer(value));
    ALL_VALUES.forEach(({ value }, index) => {
      const needle = normalizedValues[index]!;
      for (const text of normalizedFixed) expect(text.includes(needle), `${value} in "${text}"`).toBe(false);
      normalizedValues.forEach((other, otherIndex) => {
        if (otherIndex !== index) expect(other.includes(needle), `${value} in ${ALL_VALUES[otherIndex]!.value}`).toBe(false);
      });
    });
  });

  it("name pools are distinct words and no name word is a template word", () => {
    expect(new Set(NAME_WORDS).size).toBe(NAME_WORDS.length);
    const templateWords = new Set(TEMPLATE_TEXTS.flatMap((text) => tokenizeForBm25(text.replace("{entity}", "").replace("{value}", ""))));
    for (const word of NAME_WORDS) {
      expect(tokenizeForBm25(word)).toEqual([word.toLowerCase()]);
      expect(templateWords.has(word.toLowerCase()), word).toBe(false);
    }
  });
});
