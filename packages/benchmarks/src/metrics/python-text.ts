/**
 * The few Python `str` and `re` behaviours the original scorers depend on, spelled in JS. They differ
 * from the JS built-ins in ways that change scores:
 * - Python whitespace (`str.isspace`, used by `strip()` and `split()`) includes \x1c-\x1f and \x85 but
 *   not \ufeff; JS `\s` is the other way round.
 * - Python `re` word characters are Unicode letters, numbers and `_` (not combining marks); JS `\w`
 *   and `\b` are ASCII-only.
 * - Python `re` `\d` is any Unicode decimal digit (Nd: Arabic-Indic, full-width…); JS `\d` is ASCII.
 * - `str()` of a non-string gold is its Python repr (`['a', 'b']`, `None`, `True`).
 * `str.lower()` is JS `toLowerCase()`: both apply the full Unicode lowercase mapping, Final_Sigma
 * included ("ΟΔΟΣ" → "οδος", "İ" → "i̇"), up to the Unicode version of the runtime.
 */
import type { JsonValue } from "@finemem/spec";

/** The characters Python's `str.isspace()` accepts, as the body of a regex character class. */
export const PY_WHITESPACE_CLASS =
  "\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

/** Python `re` word characters (`\w` with the default Unicode flag), as the body of a character class. */
export const PY_WORD_CLASS = "\\p{L}\\p{N}_";

/** Python's `string.punctuation`: ASCII only, so "’" and "«" survive normalisation. */
export const ASCII_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

const WHITESPACE_CHAR = new RegExp(`^[${PY_WHITESPACE_CLASS}]$`, "u");
const WHITESPACE_RUN = new RegExp(`[${PY_WHITESPACE_CLASS}]+`, "u");
const WORD_CHAR = new RegExp(`^[${PY_WORD_CLASS}]$`, "u");
const DECIMAL_DIGITS = /^\p{Nd}+$/u;

/** Python `ch.isspace()` for one character. */
export function isPySpace(ch: string): boolean {
  return WHITESPACE_CHAR.test(ch);
}

/** True when `ch` is a Python `re` word character (a letter, a number or `_`). */
export function isPyWordChar(ch: string): boolean {
  return WORD_CHAR.test(ch);
}

/** Python `re.fullmatch(r"\d+", text)`: one or more Unicode decimal digits, nothing else. */
export function isPyDecimalString(text: string): boolean {
  return DECIMAL_DIGITS.test(text);
}

/**
 * Python `text.strip()` (no argument: Python whitespace) or `text.strip(chars)` (any of the code
 * points in `chars`, from both ends).
 */
export function pyStrip(text: string, chars?: string): string {
  if (chars === undefined) {
    // A scan rather than /\s+$/, which backtracks quadratically over long texts full of spaces.
    let start = 0;
    let end = text.length;
    while (start < end && isPySpace(text[start]!)) start += 1;
    while (end > start && isPySpace(text[end - 1]!)) end -= 1;
    return text.slice(start, end);
  }
  const strip = new Set(Array.from(chars));
  const points = Array.from(text);
  let start = 0;
  let end = points.length;
  while (start < end && strip.has(points[start]!)) start += 1;
  while (end > start && strip.has(points[end - 1]!)) end -= 1;
  return points.slice(start, end).join("");
}

/** Python `text.split()` with no separator: runs of Python whitespace separate, empty tokens dropped. */
export function pySplit(text: string): string[] {
  return text.split(WHITESPACE_RUN).filter((token) => token.length > 0);
}

/** Python `text.lower()`. */
export function pyLower(text: string): string {
  return text.toLowerCase();
}

/** Python's name for the type a JSON value decodes to, as its error messages print it. */
export function pyTypeName(value: JsonValue): string {
  if (typeof value === "string") return "str";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float";
  if (typeof value === "boolean") return "bool";
  if (value === null) return "NoneType";
  return Array.isArray(value) ? "list" : "dict";
}

/**
 * Python `str(value)` for a value decoded from JSON. Integral numbers print as ints: JSON keeps no
 * int/float distinction, and the datasets' numeric golds are ints.
 */
export function pyStr(value: JsonValue): string {
  return typeof value === "string" ? value : pyRepr(value);
}

/** Python `repr(value)` for a value decoded from JSON (see {@link pyStr} on numbers). */
export function pyRepr(value: JsonValue): string {
  if (typeof value === "string") return reprString(value);
  if (typeof value === "number") return reprNumber(value);
  if (typeof value === "boolean") return value ? "True" : "False";
  if (value === null) return "None";
  if (isJsonArray(value)) return `[${value.map(pyRepr).join(", ")}]`;
  return `{${Object.entries(value)
    .map(([key, item]) => `${reprString(key)}: ${pyRepr(item)}`)
    .join(", ")}}`;
}

/** `Array.isArray` that keeps the readonly element type (the built-in narrows to `any[]`). */
export function isJsonArray(value: JsonValue): value is readonly JsonValue[] {
  return Array.isArray(value);
}

// Python's repr escapes what `str.isprintable()` rejects: categories Cc, Cf, Cs, Co, Cn, Zl, Zp and
// every Zs but the ASCII space.
const NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}]|(?! )\p{Zs}/u;

function reprString(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    if (ch === quote || ch === "\\") out += `\\${ch}`;
    else if (ch === "\t") out += "\\t";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (NOT_PRINTABLE.test(ch)) {
      const code = ch.codePointAt(0)!;
      if (code < 0x100) out += `\\x${code.toString(16).padStart(2, "0")}`;
      else if (code < 0x10000) out += `\\u${code.toString(16).padStart(4, "0")}`;
      else out += `\\U${code.toString(16).padStart(8, "0")}`;
    } else out += ch;
  }
  return out + quote;
}

function reprNumber(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
  if (Number.isInteger(value)) return BigInt(value).toString();
  // Python's float repr: the shortest round-trip digits (as JS), positional for exponents -4..15,
  // else d.ddde±XX with at least two exponent digits.
  const [mantissa, exponentText] = value.toExponential().split("e") as [string, string];
  const negative = mantissa.startsWith("-");
  const digits = mantissa.replace("-", "").replace(".", "");
  const exponent = Number(exponentText);
  let body: string;
  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0) body = `0.${"0".repeat(-exponent - 1)}${digits}`;
    else {
      const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, "0");
      const fraction = digits.slice(exponent + 1);
      body = `${whole}.${fraction === "" ? "0" : fraction}`;
    }
  } else {
    const fraction = digits.slice(1);
    const sign = exponent < 0 ? "-" : "+";
    body = `${digits[0]}${fraction === "" ? "" : `.${fraction}`}e${sign}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  return negative ? `-${body}` : body;
}
