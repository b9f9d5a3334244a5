/**
 * Reads synthetic text back into facts: which entity, which attribute, which value, which template.
 *
 * The generator never needs this; it exists so that tests and oracles (an "exact reader", a perfect
 * memory manager for trainer tests) can work from the TEXT an agent sees, exactly as a model would,
 * instead of from the generator's internal records. Every template compiles to one anchored regular
 * expression; entity names are two capitalised words and values one word, so a sentence matches at
 * most one template (checked over every generated sentence by the tests).
 */
import { ATTRIBUTES, type AttributeDefinition, type AttributeId } from "./vocabulary.js";

/** A fact read from one statement sentence. */
export interface ParsedStatement {
  readonly entity: string;
  readonly attribute: AttributeId;
  readonly value: string;
  /** `original` for the attribute's original template, else the paraphrase's index. */
  readonly template: "original" | { readonly paraphrase: number };
}

/** The entity and attribute a question asks about. */
export interface ParsedQuestion {
  readonly entity: string;
  readonly attribute: AttributeId;
}

const ENTITY_PATTERN = "(?<entity>[A-Z][A-Za-z]* [A-Z][A-Za-z]*)";
// "{entity}'s" is written "Name's", or "Names'" for a name ending in "s" (see `possessive`).
const POSSESSIVE_PATTERN = "(?<entity>[A-Z][A-Za-z]* [A-Z][A-Za-z]*)(?:(?<=s)'|'s)";
const VALUE_PATTERN = "(?<value>[A-Za-z0-9]+)";

function compile(template: string): RegExp {
  const escaped = template.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pattern = escaped
    .replace("\\{entity\\}'s", POSSESSIVE_PATTERN)
    .replace("\\{entity\\}", ENTITY_PATTERN)
    .replace("\\{value\\}", VALUE_PATTERN);
  return new RegExp(`^${pattern}$`);
}

interface CompiledStatement {
  readonly attribute: AttributeDefinition;
  readonly template: ParsedStatement["template"];
  readonly pattern: RegExp;
}

const STATEMENT_PATTERNS: readonly CompiledStatement[] = ATTRIBUTES.flatMap((attribute) => [
  { attribute, template: "original" as const, pattern: compile(attribute.original) },
  ...attribute.paraphrases.map((paraphrase, index) => ({
    attribute,
    template: { paraphrase: index },
    pattern: compile(paraphrase),
  })),
]);

const QUESTION_PATTERNS: readonly { readonly attribute: AttributeDefinition; readonly pattern: RegExp }[] =
  ATTRIBUTES.map((attribute) => ({ attribute, pattern: compile(attribute.question) }));

/** Every template a sentence matches (exactly one for generated text; exposed for that test). */
export function matchSyntheticStatement(sentence: string): ParsedStatement[] {
  const text = sentence.trim();
  const matches: ParsedStatement[] = [];
  for (const { attribute, template, pattern } of STATEMENT_PATTERNS) {
    const groups = pattern.exec(text)?.groups;
    if (groups?.entity === undefined || groups.value === undefined) continue;
    matches.push({ entity: groups.entity, attribute: attribute.id, value: groups.value, template });
  }
  return matches;
}

/** Reads one statement sentence; `undefined` when it is not a synthetic fact. */
export function parseSyntheticStatement(sentence: string): ParsedStatement | undefined {
  return matchSyntheticStatement(sentence)[0];
}

/** Reads a synthetic question; `undefined` when it matches no question template. */
export function parseSyntheticQuestion(question: string): ParsedQuestion | undefined {
  const text = question.trim();
  for (const { attribute, pattern } of QUESTION_PATTERNS) {
    const entity = pattern.exec(text)?.groups?.entity;
    if (entity !== undefined) return { entity, attribute: attribute.id };
  }
  return undefined;
}

/**
 * Splits a chunk's text into its sentences. Chunks are sentences joined by single spaces, and no
 * template holds a full stop except the final one, so a full stop followed by space ends a sentence.
 */
export function splitSyntheticSentences(text: string): string[] {
  return text
    .split(/(?<=\.)\s+/)
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence.length > 0);
}
