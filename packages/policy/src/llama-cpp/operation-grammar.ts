import { CORE_ITEM_ID } from "@finemem/spec";
import { ModelConfigError } from "../http/errors.js";
import type { ToolSetId } from "../tools/tool-sets.js";
import {
  chars,
  choice,
  codeRange,
  type GbnfExpression,
  literal,
  maxLength,
  renderGbnf,
  repeat,
  rule,
  sequence,
} from "./gbnf.js";

/**
 * The grammar that constrains a local model's reply to a list of memory operations, as compact JSON:
 *
 *     {"operations":[{"type":"INSERT","content":"Ada lives in Paris."},{"type":"DELETE","id":"m3"}]}
 *
 * Shaped so that `parseManagerReply` reads every element as an operation object that passes the spec's
 * validation: 1 to `maxOperations` operations (an empty list would be an `empty_reply`); content of 1
 * to `maxContentChars` printable ASCII characters that does not start with a space (the spec rejects
 * blank content) and holds no `"` or `\` (so no escapes are needed); ids that match the spec's
 * ID_PATTERN, at most `maxIdChars` long. For `memalpha`, INSERT / UPDATE / DELETE carry Mem-α's
 * `memory_type`; the core memory is updated or deleted without an id and a semantic or episodic item
 * can never be called `core`; Mem-α has no skip tool, so SKIP is not offered there.
 *
 * Every generated token adds at least one character to the text (llama.cpp's grammar sampler refuses
 * tokens with no text, and the ASCII-only classes refuse a partial UTF-8 byte), so the longest text
 * the grammar matches, plus the end-of-generation token, bounds the tokens of any complete reply.
 */
export interface OperationGrammarOptions {
  /** Default `flat`. */
  readonly toolSet?: ToolSetId;
  /** Operations per reply at most; default 8. */
  readonly maxOperations?: number;
  /** Characters of an operation's content at most; default 256. */
  readonly maxContentChars?: number;
  /** Characters of an item id at most; default 16. */
  readonly maxIdChars?: number;
}

export type ResolvedOperationGrammarOptions = Required<OperationGrammarOptions>;

export const OPERATION_GRAMMAR_DEFAULTS: ResolvedOperationGrammarOptions = Object.freeze({
  toolSet: "flat",
  maxOperations: 8,
  maxContentChars: 256,
  maxIdChars: 16,
});

/** Upper limits that keep the grammar (and its expansion inside llama.cpp) a sensible size. */
const LIMITS = { maxOperations: 64, maxContentChars: 4096, maxIdChars: 128 } as const;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** Printable ASCII without `"` and `\`. */
const CONTENT_CHARS = codeRange(" ", "~").filter((code) => code !== QUOTE && code !== BACKSLASH);
const CONTENT_FIRST_CHARS = CONTENT_CHARS.filter((code) => code !== 0x20);
/** The spec's ID_PATTERN: a letter or digit, then letters, digits, `.`, `_`, `:` or `-`. */
const ID_FIRST_CHARS = [...codeRange("A", "Z"), ...codeRange("a", "z"), ...codeRange("0", "9")];
const ID_CHARS = [...ID_FIRST_CHARS, ...Array.from("._:-", (char) => char.charCodeAt(0))];

/** The options with their defaults; a bad value is a {@link ModelConfigError} naming `operationGrammar.<option>`. */
export function resolveOperationGrammarOptions(options: OperationGrammarOptions = {}): ResolvedOperationGrammarOptions {
  const resolved = { ...OPERATION_GRAMMAR_DEFAULTS, ...definedOnly(options) };
  if (resolved.toolSet !== "flat" && resolved.toolSet !== "memalpha") {
    throw new ModelConfigError(
      ["operationGrammar", "toolSet"],
      `expected "flat" or "memalpha", got ${JSON.stringify(resolved.toolSet)}`,
    );
  }
  for (const key of ["maxOperations", "maxContentChars", "maxIdChars"] as const) {
    const value = resolved[key];
    if (!(Number.isInteger(value) && value >= 1 && value <= LIMITS[key])) {
      throw new ModelConfigError(
        ["operationGrammar", key],
        `expected an integer from 1 to ${LIMITS[key]}, got ${String(value)}`,
      );
    }
  }
  return resolved;
}

/** The grammar as an expression tree (its GBNF text and its worst-case length both come from it). */
export function operationGrammarExpression(options: OperationGrammarOptions = {}): GbnfExpression {
  const { toolSet, maxOperations, maxContentChars, maxIdChars } = resolveOperationGrammarOptions(options);
  const content = rule(
    "content",
    quoted(sequence(chars(CONTENT_FIRST_CHARS), repeat(chars(CONTENT_CHARS), 0, maxContentChars - 1))),
  );
  const operation = toolSet === "flat" ? flatOperation(content, maxIdChars) : memalphaOperation(content, maxIdChars);
  const operations = sequence(operation, repeat(sequence(literal(","), operation), 0, maxOperations - 1));
  return sequence(literal('{"operations":['), operations, literal("]}"));
}

/** The GBNF text of the grammar, e.g. for a llama.cpp server's `grammar` field. */
export function operationGrammarGbnf(options: OperationGrammarOptions = {}): string {
  return renderGbnf(operationGrammarExpression(options));
}

/** The most characters a reply the grammar allows can have. */
export function operationGrammarMaxChars(options: OperationGrammarOptions = {}): number {
  return maxLength(operationGrammarExpression(options));
}

/**
 * The worst-case number of tokens of a complete reply: the grammar's longest text (each token adds at
 * least one character) plus the end-of-generation token. The backend uses it as the default maxTokens,
 * so a grammar-constrained reply is never cut off.
 */
export function operationGrammarTokenBudget(options: OperationGrammarOptions = {}): number {
  return operationGrammarMaxChars(options) + 1;
}

function flatOperation(content: GbnfExpression, maxIdChars: number): GbnfExpression {
  const id = rule("id", quoted(idBody(maxIdChars)));
  return rule(
    "operation",
    choice(
      rule("insert", sequence(literal('{"type":"INSERT","content":'), content, literal("}"))),
      rule("update", sequence(literal('{"type":"UPDATE","id":'), id, literal(',"content":'), content, literal("}"))),
      rule("delete", sequence(literal('{"type":"DELETE","id":'), id, literal("}"))),
      rule("skip", literal('{"type":"SKIP"}')),
    ),
  );
}

function memalphaOperation(content: GbnfExpression, maxIdChars: number): GbnfExpression {
  // The core memory has the fixed id `core`: a semantic or episodic item by that id would be refused.
  const itemId = rule("item-id", quoted(idBody(maxIdChars, CORE_ITEM_ID)));
  const itemType = rule("item-type", choice(literal('"semantic_memory"'), literal('"episodic_memory"')));
  const target = rule("target", choice(literal('"core_memory"'), sequence(itemType, literal(',"id":'), itemId)));
  return rule(
    "operation",
    choice(
      rule(
        "insert",
        sequence(literal('{"type":"INSERT","memory_type":'), itemType, literal(',"content":'), content, literal("}")),
      ),
      rule(
        "update",
        sequence(literal('{"type":"UPDATE","memory_type":'), target, literal(',"content":'), content, literal("}")),
      ),
      rule("delete", sequence(literal('{"type":"DELETE","memory_type":'), target, literal("}"))),
    ),
  );
}

function quoted(body: GbnfExpression): GbnfExpression {
  return sequence(literal('"'), body, literal('"'));
}

/**
 * Ids of 1 to `maxChars` characters matching ID_PATTERN, optionally all but the word `excluded`: a
 * string differs from the word at its first mismatching character, or is a proper prefix of it, or
 * extends it. The three kinds are disjoint and together cover every other id.
 */
function idBody(maxChars: number, excluded?: string): GbnfExpression {
  const tail = (used: number) => repeat(chars(ID_CHARS), 0, maxChars - used);
  if (excluded === undefined || excluded.length > maxChars) return sequence(chars(ID_FIRST_CHARS), tail(1));
  const options: GbnfExpression[] = [];
  for (let index = 0; index < excluded.length; index++) {
    const allowed = (index === 0 ? ID_FIRST_CHARS : ID_CHARS).filter((code) => code !== excluded.charCodeAt(index));
    const prefix = excluded.slice(0, index);
    options.push(sequence(...(prefix === "" ? [] : [literal(prefix)]), chars(allowed), tail(index + 1)));
  }
  for (let length = 1; length < excluded.length; length++) options.push(literal(excluded.slice(0, length)));
  if (maxChars > excluded.length)
    options.push(sequence(literal(excluded), repeat(chars(ID_CHARS), 1, maxChars - excluded.length)));
  return choice(...options);
}

function definedOnly(options: OperationGrammarOptions): Partial<ResolvedOperationGrammarOptions> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}
