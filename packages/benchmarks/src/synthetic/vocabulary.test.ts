import { describe, expect, it } from "vitest";
import { normalizeAnswer } from "../metrics/memoryagentbench-scorer.js";
import { matchSyntheticStatement, parseSyntheticQuestion } from "./statement-parser.js";
import {
  ATTRIBUTES,
  COMPANY_STEMS,
  COMPANY_SUFFIXES,
  PERSON_FIRST_NAMES,
  PERSON_LAST_NAMES,
  renderQuestion,
  renderTemplate,
} from "./vocabulary.js";

// How the templates rank under BM25 (a stale original outranks its paraphrased update; a perfect
// memory finds the update; values and names are single BM25 tokens) is checked against the BM25 index
// itself in @finemem/integration-tests (synthetic-bm25.test.ts): this package does not depend on
// @finemem/memory.

// Names of each shape the pools produce: a person's (possessive "'s"; no person name ends in "s",
// checked below) and a company's, with and without a final "s" (company templates use no possessive).
const SAMPLE_ENTITIES = { person: ["Xavo Quimby"], company: ["Xavo Widgets", "Xavo Foundry"] } as const;
const SAMPLE_VALUE = "Zzvalue";

const NAME_WORDS = [...PERSON_FIRST_NAMES, ...PERSON_LAST_NAMES, ...COMPANY_STEMS, ...COMPANY_SUFFIXES];
const ALL_VALUES = ATTRIBUTES.flatMap((attribute) =>
  attribute.values.map((value) => ({ attribute: attribute.id, value })),
);
const TEMPLATE_TEXTS = ATTRIBUTES.flatMap((attribute) => [
  attribute.question,
  attribute.original,
  ...attribute.paraphrases,
]);

describe("names", () => {
  it('person names take the possessive "\'s", whose "s" token is one of the function words', () => {
    for (const name of PERSON_LAST_NAMES) expect(name.endsWith("s"), name).toBe(false);
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
            {
              entity,
              attribute: attribute.id,
              value: SAMPLE_VALUE,
              template: index === 0 ? "original" : { paraphrase: index - 1 },
            },
          ]);
        });
        expect(parseSyntheticQuestion(renderQuestion(attribute, entity))).toEqual({ entity, attribute: attribute.id });
      }
    }
  });

  it("no value can be found by containment in a sentence that does not state it", () => {
    // A normalised value must not occur inside another value, a name, or any template's fixed words:
    // then a sentence "contains" a gold only when it states exactly that value.
    const fixedTexts = [
      ...TEMPLATE_TEXTS.map((text) => text.replace("{entity}", " ").replace("{value}", " ")),
      ...NAME_WORDS,
    ];
    const normalizedFixed = fixedTexts.map(normalizeAnswer);
    const normalizedValues = ALL_VALUES.map(({ value }) => normalizeAnswer(value));
    ALL_VALUES.forEach(({ value }, index) => {
      const needle = normalizedValues[index]!;
      for (const text of normalizedFixed) expect(text.includes(needle), `${value} in "${text}"`).toBe(false);
      normalizedValues.forEach((other, otherIndex) => {
        if (otherIndex !== index)
          expect(other.includes(needle), `${value} in ${ALL_VALUES[otherIndex]!.value}`).toBe(false);
      });
    });
  });
});
