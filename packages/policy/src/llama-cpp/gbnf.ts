/**
 * A small builder for llama.cpp's GBNF grammars that knows, for every expression, the longest text it
 * can match. The operation grammar is written once in this form, and its GBNF text and its worst-case
 * length both come from the same tree, so the token budget can never drift from the grammar.
 *
 * Only printable ASCII is supported: the grammars here exist to keep a model's output parseable, and
 * a model that may emit any byte writes broken UTF-8 (which decodes to U+FFFD and lengthens strings).
 */
export type GbnfExpression =
  | { readonly kind: "literal"; readonly text: string }
  | { readonly kind: "chars"; readonly codes: readonly number[] }
  | { readonly kind: "sequence"; readonly items: readonly GbnfExpression[] }
  | { readonly kind: "choice"; readonly options: readonly GbnfExpression[] }
  | { readonly kind: "repeat"; readonly item: GbnfExpression; readonly min: number; readonly max: number }
  | { readonly kind: "rule"; readonly name: string; readonly body: GbnfExpression };

export const literal = (text: string): GbnfExpression => {
  assertAscii(text);
  return { kind: "literal", text };
};

/** One character out of `codes` (ASCII code points). */
export const chars = (codes: Iterable<number>): GbnfExpression => {
  const sorted = [...new Set(codes)].sort((a, b) => a - b);
  if (sorted.length === 0) throw new RangeError("a character class needs at least one character");
  for (const code of sorted)
    if (!(Number.isInteger(code) && code >= 0x20 && code <= 0x7e))
      throw new RangeError(`not a printable ASCII code point: ${code}`);
  return { kind: "chars", codes: sorted };
};

export const sequence = (...items: GbnfExpression[]): GbnfExpression => ({ kind: "sequence", items });
export const choice = (...options: GbnfExpression[]): GbnfExpression => {
  if (options.length === 0) throw new RangeError("a choice needs at least one option");
  return { kind: "choice", options };
};
/** `item` repeated `min` to `max` times; `{0,0}` is the empty sequence (GBNF has no empty repetition). */
export const repeat = (item: GbnfExpression, min: number, max: number): GbnfExpression => {
  if (!(Number.isInteger(min) && Number.isInteger(max) && min >= 0 && max >= min))
    throw new RangeError(`bad repetition {${min},${max}}`);
  if (max === 0) return { kind: "sequence", items: [] };
  return { kind: "repeat", item, min, max };
};
/** A named rule: written once in the grammar text and referred to by name wherever it is used. */
export const rule = (name: string, body: GbnfExpression): GbnfExpression => {
  if (!/^[a-z][a-z0-9-]*$/.test(name) || name === "root") throw new RangeError(`bad rule name ${JSON.stringify(name)}`);
  return { kind: "rule", name, body };
};

/** The code points from `first` to `last` inclusive, given as one-character strings. */
export function codeRange(first: string, last: string): number[] {
  const out: number[] = [];
  for (let code = first.charCodeAt(0); code <= last.charCodeAt(0); code++) out.push(code);
  return out;
}

/** The most characters a text matched by `expression` can have. */
export function maxLength(expression: GbnfExpression): number {
  switch (expression.kind) {
    case "literal":
      return expression.text.length;
    case "chars":
      return 1;
    case "sequence":
      return expression.items.reduce((sum, item) => sum + maxLength(item), 0);
    case "choice":
      return Math.max(...expression.options.map(maxLength));
    case "repeat":
      return expression.max * maxLength(expression.item);
    case "rule":
      return maxLength(expression.body);
  }
}

/** The grammar text with `root` as the start rule, every named rule written once. */
export function renderGbnf(root: GbnfExpression): string {
  const rules = new Map<string, string>();
  const order: string[] = [];
  const render = (expression: GbnfExpression): string => {
    switch (expression.kind) {
      case "literal":
        return quote(expression.text);
      case "chars":
        return charClass(expression.codes);
      case "sequence":
        return expression.items
          .map((item) => group(item, render(item)))
          .filter((text) => text !== "")
          .join(" ");
      case "choice":
        return expression.options.map(render).join(" | ");
      case "repeat": {
        const inner = group(expression.item, render(expression.item), true);
        return expression.min === expression.max
          ? `${inner}{${expression.min}}`
          : `${inner}{${expression.min},${expression.max}}`;
      }
      case "rule": {
        const existing = rules.get(expression.name);
        if (existing === undefined) {
          rules.set(expression.name, "");
          const body = render(expression.body);
          rules.set(expression.name, body);
          order.push(expression.name);
        }
        return expression.name;
      }
    }
  };
  const rootBody = render(root);
  const lines = [`root ::= ${rootBody}`, ...order.map((name) => `${name} ::= ${rules.get(name)}`)];
  return `${lines.join("\n")}\n`;
}

/**
 * A JavaScript regular expression matching exactly what `expression` matches (anchored). Used by the
 * tests to check grammars without a model; named rules are inlined.
 */
export function toRegExp(expression: GbnfExpression): RegExp {
  const render = (node: GbnfExpression): string => {
    switch (node.kind) {
      case "literal":
        return node.text.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
      case "chars":
        return `[${node.codes.map((code) => `\\x${hex(code)}`).join("")}]`;
      case "sequence":
        return node.items.map((item) => `(?:${render(item)})`).join("");
      case "choice":
        return `(?:${node.options.map(render).join("|")})`;
      case "repeat":
        return `(?:${render(node.item)}){${node.min},${node.max}}`;
      case "rule":
        return `(?:${render(node.body)})`;
    }
  };
  return new RegExp(`^${render(expression)}$`);
}

/** Parenthesises a choice inside a sequence or repetition (and a sequence inside a repetition). */
function group(expression: GbnfExpression, text: string, forRepeat = false): string {
  if (expression.kind === "choice" && expression.options.length > 1) return `(${text})`;
  if (forRepeat && expression.kind === "sequence" && expression.items.length > 1) return `(${text})`;
  return text;
}

function quote(text: string): string {
  let out = '"';
  for (const char of text) out += char === '"' || char === "\\" ? `\\${char}` : char;
  return `${out}"`;
}

/** A character class with runs written as ranges and every character as a \x escape (no escaping rules to get wrong). */
function charClass(codes: readonly number[]): string {
  const parts: string[] = [];
  for (let start = 0; start < codes.length; ) {
    let end = start;
    while (end + 1 < codes.length && codes[end + 1] === codes[end]! + 1) end++;
    const first = codes[start]!;
    const last = codes[end]!;
    parts.push(end === start ? `\\x${hex(first)}` : `\\x${hex(first)}-\\x${hex(last)}`);
    start = end + 1;
  }
  return `[${parts.join("")}]`;
}

function hex(code: number): string {
  return code.toString(16).toUpperCase().padStart(2, "0");
}

function assertAscii(text: string): void {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code > 0x7e)
      throw new RangeError(`grammar literals are printable ASCII, got code point ${code} in ${JSON.stringify(text)}`);
  }
}
