import { HEX4, JSON_NUMBER, matchBareKey, skipJsonWhitespace } from "./json-lexicon.js";
import type { JsonRepairName } from "./json-repairs.js";

/** Why a JSON value could not be read: cut off by the end of the input, or not JSON at all. */
export type JsonFailureReason = "truncated" | "malformed_json";

export type JsonReadResult =
  | {
      readonly ok: true;
      readonly value: unknown;
      /** The index just after the value. */
      readonly end: number;
      /** The repairs applied, in the order first applied; empty when the text was strict JSON. */
      readonly repairs: readonly JsonRepairName[];
    }
  | {
      readonly ok: false;
      readonly reason: JsonFailureReason;
      readonly message: string;
      /** Where reading stopped: the text before it was consumed. */
      readonly end: number;
    };

/**
 * Deeper nesting is refused (as malformed) rather than risk the call stack: nothing a model is asked to
 * write (a memory call, a list of question-answer pairs) nests more than a few levels.
 */
export const MAX_JSON_DEPTH = 256;

/** Thrown inside the reader only; {@link readLenientJson} turns it into a result. */
class JsonFailure {
  constructor(
    readonly reason: JsonFailureReason,
    readonly message: string,
    readonly at: number,
  ) {}
}

const NUMBER_TAIL = /[\d.eE+-]*/y;
const LITERALS: readonly { readonly word: string; readonly value: unknown; readonly python: boolean }[] = [
  { word: "true", value: true, python: false },
  { word: "false", value: false, python: false },
  { word: "null", value: null, python: false },
  { word: "True", value: true, python: true },
  { word: "False", value: false, python: true },
  { word: "None", value: null, python: true },
];
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};
const HEX_PREFIX = /^[0-9A-Fa-f]{0,3}$/;

/**
 * Reads one JSON value starting at `start` (no leading whitespace), accepting the defects language
 * models make and recording each as a repair: trailing commas, single-quoted strings, unquoted keys,
 * Python literals, raw control characters in strings and escapes JSON does not define. Stops at the end
 * of the value, so the caller decides what may follow it. Never throws: running into the end of the
 * text inside the value is `truncated`, anything else unreadable is `malformed_json`.
 *
 * Objects are built without a prototype so that a `"__proto__"` key is an ordinary key, as with
 * `JSON.parse`.
 */
export function readLenientJson(text: string, start: number): JsonReadResult {
  const reader = new LenientReader(text, start);
  try {
    const value = reader.value(0);
    return { ok: true, value, end: reader.position, repairs: reader.repairs };
  } catch (error) {
    if (error instanceof JsonFailure)
      return { ok: false, reason: error.reason, message: error.message, end: Math.max(error.at, start) };
    // A RangeError from an exotic input must not escape the parser.
    return {
      ok: false,
      reason: "malformed_json",
      message: `unreadable JSON (${String(error).slice(0, 200)})`,
      end: reader.position,
    };
  }
}

class LenientReader {
  position: number;
  readonly repairs: JsonRepairName[] = [];
  /** The end of the input: running into it inside a value means the output was cut off. */
  private readonly limit: number;

  constructor(
    private readonly text: string,
    private readonly start: number,
  ) {
    this.position = start;
    this.limit = text.length;
  }

  value(depth: number): unknown {
    this.requireMore("a value");
    const char = this.text[this.position]!;
    switch (char) {
      case "{":
        return this.object(depth + 1);
      case "[":
        return this.array(depth + 1);
      case '"':
        return this.string('"');
      case "'":
        this.repair("single_quoted_strings");
        return this.string("'");
      default:
        if (char === "-" || (char >= "0" && char <= "9")) return this.number();
        return this.literal();
    }
  }

  private object(depth: number): Record<string, unknown> {
    this.checkDepth(depth);
    const object: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    this.position++;
    this.skipWhitespace();
    this.requireMore("a key or }");
    if (this.text[this.position] === "}") {
      this.position++;
      return object;
    }
    for (;;) {
      const key = this.key();
      this.skipWhitespace();
      this.requireMore("':'");
      if (this.text[this.position] !== ":")
        this.malformed(`expected ':' after key ${JSON.stringify(key.slice(0, 40))}`);
      this.position++;
      this.skipWhitespace();
      object[key] = this.value(depth);
      this.skipWhitespace();
      this.requireMore("',' or '}'");
      const after = this.text[this.position];
      if (after === "}") {
        this.position++;
        return object;
      }
      if (after !== ",") this.malformed("expected ',' or '}' after a value");
      this.position++;
      this.skipWhitespace();
      this.requireMore("a key or }");
      if (this.text[this.position] === "}") {
        this.repair("trailing_commas");
        this.position++;
        return object;
      }
    }
  }

  private array(depth: number): unknown[] {
    this.checkDepth(depth);
    const array: unknown[] = [];
    this.position++;
    this.skipWhitespace();
    this.requireMore("a value or ]");
    if (this.text[this.position] === "]") {
      this.position++;
      return array;
    }
    for (;;) {
      array.push(this.value(depth));
      this.skipWhitespace();
      this.requireMore("',' or ']'");
      const after = this.text[this.position];
      if (after === "]") {
        this.position++;
        return array;
      }
      if (after !== ",") this.malformed("expected ',' or ']' after a value");
      this.position++;
      this.skipWhitespace();
      this.requireMore("a value or ]");
      if (this.text[this.position] === "]") {
        this.repair("trailing_commas");
        this.position++;
        return array;
      }
    }
  }

  private key(): string {
    const char = this.text[this.position];
    if (char === '"') return this.string('"');
    if (char === "'") {
      this.repair("single_quoted_strings");
      return this.string("'");
    }
    const key = matchBareKey(this.text, this.position);
    if (key === undefined) this.malformed("expected a key");
    this.repair("unquoted_keys");
    this.position += key.length;
    if (this.position >= this.limit) this.truncated("':'");
    return key;
  }

  /** A string closed by `quote`; the position is on the opening quote. */
  private string(quote: '"' | "'"): string {
    const { text, limit } = this;
    const quoteCode = quote.charCodeAt(0);
    let out = "";
    let index = this.position + 1;
    let segment = index;
    for (;;) {
      if (index >= limit) {
        this.position = limit;
        this.truncated(`the closing ${quote}`);
      }
      const code = text.charCodeAt(index);
      if (code === quoteCode) {
        out += text.slice(segment, index);
        this.position = index + 1;
        return out;
      }
      if (code === 0x5c) {
        out += text.slice(segment, index);
        if (index + 1 >= limit) {
          this.position = limit;
          this.truncated("an escape");
        }
        const escaped = text[index + 1]!;
        const simple = SIMPLE_ESCAPES[escaped];
        if (simple !== undefined) {
          out += simple;
          index += 2;
        } else if (escaped === "u") {
          const hex = text.slice(index + 2, Math.min(index + 6, limit));
          if (HEX4.test(hex)) {
            out += String.fromCharCode(Number.parseInt(hex, 16));
            index += 6;
          } else if (index + 6 > limit && HEX_PREFIX.test(hex)) {
            this.position = limit;
            this.truncated("a \\u escape");
          } else {
            this.repair("invalid_escapes");
            out += "u";
            index += 2;
          }
        } else if (escaped === "'" && quote === "'") {
          out += "'";
          index += 2;
        } else {
          // \' in a double-quoted string, \d, \<newline>…: keep the character the model meant.
          this.repair("invalid_escapes");
          out += escaped;
          index += 2;
        }
        segment = index;
        continue;
      }
      if (code < 0x20) this.repair("raw_control_characters");
      index++;
    }
  }

  private number(): number {
    JSON_NUMBER.lastIndex = this.position;
    const match = JSON_NUMBER.exec(this.text);
    const length = match === null ? 0 : match[0].length;
    NUMBER_TAIL.lastIndex = this.position + length;
    const tail = NUMBER_TAIL.exec(this.text)?.[0] ?? "";
    // "1." or "-" at the very end is a number the output was cut in.
    if (this.position + length + tail.length >= this.limit && (length === 0 || tail.length > 0)) {
      this.position = this.limit;
      this.truncated("the rest of a number");
    }
    if (match === null) this.malformed("invalid number");
    this.position += length;
    return Number(match[0]);
  }

  private literal(): unknown {
    const rest = this.text.slice(this.position, Math.min(this.position + 5, this.limit));
    for (const literal of LITERALS) {
      if (rest.startsWith(literal.word)) {
        if (literal.python) this.repair("python_literals");
        this.position += literal.word.length;
        return literal.value;
      }
    }
    if (
      rest.length > 0 &&
      this.position + rest.length >= this.limit &&
      LITERALS.some((literal) => literal.word.startsWith(rest))
    ) {
      this.position = this.limit;
      this.truncated("the rest of a literal");
    }
    return this.malformed(`unexpected ${JSON.stringify(this.text[this.position] ?? "")}`);
  }

  private checkDepth(depth: number): void {
    if (depth > MAX_JSON_DEPTH) this.malformed(`nested deeper than ${MAX_JSON_DEPTH} levels`);
  }

  private skipWhitespace(): void {
    this.position = skipJsonWhitespace(this.text, this.position, this.limit);
  }

  private requireMore(expected: string): void {
    if (this.position >= this.limit) this.truncated(expected);
  }

  private repair(name: JsonRepairName): void {
    if (!this.repairs.includes(name)) this.repairs.push(name);
  }

  private truncated(expected: string): never {
    throw new JsonFailure(
      "truncated",
      `JSON cut off at character ${this.limit - this.start}: expected ${expected}`,
      this.limit,
    );
  }

  private malformed(problem: string): never {
    throw new JsonFailure(
      "malformed_json",
      `malformed JSON at character ${this.position - this.start}: ${problem}`,
      this.position,
    );
  }
}
