/**
 * Test-only helpers for the parser's property tests: arbitraries for operation lists and prose, and a
 * renderer that writes replies with one repairable defect injected. Not exported from the package.
 */
import type { MemoryOperation, ToolCall } from "@finemem/spec";
import fc from "fast-check";
import { operationToToolCall, type ToolSetId } from "../../tools/tool-sets.js";
import type { ReplyFormat } from "../render-reply.js";
import type { RepairName } from "../repairs.js";

export const FORMATS: readonly ReplyFormat[] = ["openai-tool-calls", "tool-call-tags", "qwen-agent", "bare-json"];
export const TOOL_SETS: readonly ToolSetId[] = ["flat", "memalpha"];

/** Pieces that stress a JSON-aware scanner when they appear inside content. */
const TRICKY_PIECES = [
  '"',
  "\\",
  "\n",
  "\t",
  "\r",
  "'",
  "{",
  "}",
  "[",
  "]",
  ":",
  ",",
  "</tool_call>",
  "<tool_call>",
  "✿FUNCTION✿",
  "✿ARGS✿",
  "```",
  "\u0000",
  "\u2028",
  "True",
  "null",
  "\\u00",
  '{"name":',
  "\\'",
];

const contentUnit = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }) },
  { weight: 3, arbitrary: fc.constantFrom(...TRICKY_PIECES) },
  // Any UTF-16 code unit, lone surrogates included.
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)) },
);

/** Content the spec accepts: anything with a non-whitespace character. */
export const contentArbitrary: fc.Arbitrary<string> = fc
  .string({ unit: contentUnit, minLength: 1, maxLength: 12 })
  .map((content) => (content.trim().length === 0 ? `${content}x` : content));

const itemIdArbitrary: fc.Arbitrary<string> = fc.oneof(
  fc.nat(999).map((n) => `m${n}`),
  fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,20}$/).filter((id) => id !== "core"),
);

const flatOperation: fc.Arbitrary<MemoryOperation> = fc.oneof(
  contentArbitrary.map((content): MemoryOperation => ({ type: "INSERT", content })),
  fc
    .record({ id: fc.oneof(itemIdArbitrary, fc.constant("core")), content: contentArbitrary })
    .map(({ id, content }): MemoryOperation => ({ type: "UPDATE", id, content })),
  itemIdArbitrary.map((id): MemoryOperation => ({ type: "DELETE", id })),
  fc.constant<MemoryOperation>({ type: "SKIP" }),
);

const listType = fc.constantFrom("semantic" as const, "episodic" as const);
const memalphaOperation: fc.Arbitrary<MemoryOperation> = fc.oneof(
  fc
    .record({ content: contentArbitrary, memoryType: listType })
    .map(({ content, memoryType }): MemoryOperation => ({ type: "INSERT", content, memoryType })),
  fc
    .record({ id: itemIdArbitrary, content: contentArbitrary, memoryType: listType })
    .map(({ id, content, memoryType }): MemoryOperation => ({ type: "UPDATE", id, content, memoryType })),
  contentArbitrary.map((content): MemoryOperation => ({ type: "UPDATE", id: "core", content, memoryType: "core" })),
  fc
    .record({ id: itemIdArbitrary, memoryType: listType })
    .map(({ id, memoryType }): MemoryOperation => ({ type: "DELETE", id, memoryType })),
  fc.constant<MemoryOperation>({ type: "DELETE", id: "core", memoryType: "core" }),
);

/** 0–6 operations the tool set can express. */
export function operationsArbitrary(toolSet: ToolSetId, maxLength = 6): fc.Arbitrary<MemoryOperation[]> {
  return fc.array(toolSet === "flat" ? flatOperation : memalphaOperation, { maxLength });
}

/** Words and punctuation, never `{`, `[`, `<`, `✿` or a backtick: prose that holds no call. */
export const PROSE_WORDS = [
  "I",
  "will",
  "store",
  "the",
  "fact",
  "memory",
  "Ada",
  "ünïcödé",
  "日本語",
  ".",
  ",",
  "!",
  "?",
  ":",
  ";",
  "-",
  "(",
  ")",
  '"',
  "'",
  "}",
  "]",
  ">",
  "\n",
  "\n\n",
  "  ",
  "True",
  "None",
  "name",
  "type",
  "INSERT",
  "skip",
  "ok",
  "\t",
];

export const proseArbitrary: fc.Arbitrary<string> = fc
  .array(fc.constantFrom(...PROSE_WORDS), { maxLength: 10 })
  .map((words) => words.join(" "));

/** Seven prose pieces: enough for before, between and after up to six calls. */
export const prosePiecesArbitrary: fc.Arbitrary<string[]> = fc.array(proseArbitrary, { minLength: 7, maxLength: 7 });

// ---------------------------------------------------------------------------------------------------
// Rendering with defects

/** Python's `True`, written bare by {@link writeJson}. */
export const PYTHON_TRUE = Symbol("True");

interface JsonStyle {
  readonly quote: '"' | "'";
  readonly bareKeys: boolean;
  readonly trailingComma: boolean;
  readonly rawControl: boolean;
  readonly invalidEscape: boolean;
}

const STRICT: JsonStyle = {
  quote: '"',
  bareKeys: false,
  trailingComma: false,
  rawControl: false,
  invalidEscape: false,
};

type StyleEffect = "quote" | "bareKeys" | "trailingComma" | "rawControl" | "invalidEscape" | "python";

/** Writes JSON in a style, and says which of the style's defects actually appear in the output. */
export function writeJson(value: unknown, style: JsonStyle = STRICT): { text: string; effects: Set<StyleEffect> } {
  const effects = new Set<StyleEffect>();
  const writeString = (text: string): string => {
    let out = style.quote;
    if (style.quote === "'") effects.add("quote");
    for (let index = 0; index < text.length; index++) {
      const char = text[index]!;
      const code = char.charCodeAt(0);
      if (index === 0 && style.invalidEscape && code >= 0x20 && !'"\\/bfnrtu'.includes(char)) {
        effects.add("invalidEscape");
        out += `\\${char}`;
      } else if (char === style.quote || char === "\\") {
        out += `\\${char}`;
      } else if (code < 0x20) {
        if (style.rawControl) {
          effects.add("rawControl");
          out += char;
        } else {
          out += `\\u${code.toString(16).padStart(4, "0")}`;
        }
      } else {
        out += char;
      }
    }
    return out + style.quote;
  };
  const write = (node: unknown): string => {
    if (node === PYTHON_TRUE) {
      effects.add("python");
      return "True";
    }
    if (typeof node === "string") return writeString(node);
    if (Array.isArray(node)) return `[${node.map(write).join(",")}]`;
    if (typeof node === "object" && node !== null) {
      const entries = Object.entries(node).map(([key, entry]) => {
        if (style.bareKeys) effects.add("bareKeys");
        return `${style.bareKeys ? key : writeString(key)}:${write(entry)}`;
      });
      if (style.trailingComma && entries.length > 0) effects.add("trailingComma");
      return `{${entries.join(",")}${style.trailingComma && entries.length > 0 ? "," : ""}}`;
    }
    return JSON.stringify(node);
  };
  return { text: write(value), effects };
}

/** Which defect each style flag injects. */
const STYLE_DEFECTS: Partial<Record<RepairName, { style: Partial<JsonStyle>; effect: StyleEffect }>> = {
  trailing_commas: { style: { trailingComma: true }, effect: "trailingComma" },
  single_quoted_strings: { style: { quote: "'" }, effect: "quote" },
  unquoted_keys: { style: { bareKeys: true }, effect: "bareKeys" },
  raw_control_characters: { style: { rawControl: true }, effect: "rawControl" },
  invalid_escapes: { style: { invalidEscape: true }, effect: "invalidEscape" },
};

/** The formats and tool sets each repair can be injected into (`undefined`: all). */
export function defectApplies(defect: RepairName, format: ReplyFormat, toolSet: ToolSetId): boolean {
  switch (defect) {
    case "parameters_key":
      return format === "tool-call-tags" || format === "bare-json";
    case "unclosed_tag":
      return format === "tool-call-tags";
    case "lowercase_operation_type":
      return format === "bare-json";
    case "memory_type_alias":
      return toolSet === "memalpha";
    case "empty_arguments":
      return toolSet === "flat" && format !== "qwen-agent";
    default:
      return true;
  }
}

export interface DefectiveReply {
  readonly reply: { readonly text: string; readonly toolCalls: ToolCall[] };
  /** The repairs each call's outcome must list (empty: the call is unaffected and must be `parsed`). */
  readonly expectedRepairs: readonly (readonly RepairName[])[];
}

/**
 * Renders `operations` like `renderOperations`, with `defect` injected into every call it can be: a
 * style defect that has nothing to act on in a call (a `{}` with no key) is carried by an extra key,
 * in the envelope where the format has one (ignored there) or in the arguments (then also
 * `extra_arguments_dropped`).
 */
export function renderWithDefect(
  operations: readonly MemoryOperation[],
  toolSet: ToolSetId,
  format: ReplyFormat,
  prose: readonly string[],
  defect: RepairName,
): DefectiveReply {
  const hasEnvelope = format === "tool-call-tags" || format === "bare-json";
  const pieces: string[] = [];
  const toolCalls: ToolCall[] = [];
  const expectedRepairs: RepairName[][] = [];
  operations.forEach((operation, index) => {
    const call = operationToToolCall(operation, toolSet);
    if (call === undefined) throw new TypeError("inexpressible operation");
    const expected = new Set<RepairName>();
    const args: Record<string, unknown> = { ...call.arguments };
    const envelopeExtra: Record<string, unknown> = {};
    let argumentsKey = "arguments";
    let omitArguments = false;
    let emptyArgumentsText = false;
    const extraInto = (key: string, value: unknown): void => {
      if (hasEnvelope) {
        envelopeExtra[key] = value;
      } else {
        args[key] = value;
        expected.add("extra_arguments_dropped");
      }
    };
    switch (defect) {
      case "python_literals":
        extraInto("strict", PYTHON_TRUE);
        expected.add(defect);
        break;
      case "extra_arguments_dropped":
        args.note = "extra";
        expected.add(defect);
        break;
      case "memory_type_alias":
        args.memory_type = String(args.memory_type).replace(/_memory$/, "");
        expected.add(defect);
        break;
      case "parameters_key":
        argumentsKey = "parameters";
        expected.add(defect);
        break;
      case "empty_arguments":
        if (Object.keys(args).length === 0) {
          if (format === "openai-tool-calls") emptyArgumentsText = true;
          else omitArguments = true;
          expected.add(defect);
        }
        break;
      case "double_encoded_arguments":
      case "code_fence":
      case "unclosed_tag":
      case "lowercase_operation_type":
        expected.add(defect);
        break;
      default:
        break;
    }
    const styleDefect = STYLE_DEFECTS[defect];
    const style: JsonStyle = { ...STRICT, ...styleDefect?.style };
    const serialize = (): { argsJson: string; callJson: string; effects: Set<StyleEffect> } => {
      const argsWritten = writeJson(args, style);
      const argsValue = defect === "double_encoded_arguments" ? argsWritten.text : args;
      const envelope = { name: call.name, ...(omitArguments ? {} : { [argumentsKey]: argsValue }), ...envelopeExtra };
      const callWritten = writeJson(envelope, style);
      const argsJson =
        defect === "double_encoded_arguments" ? writeJson(argsWritten.text, style).text : argsWritten.text;
      return { argsJson, callJson: callWritten.text, effects: hasEnvelope ? callWritten.effects : argsWritten.effects };
    };
    let written = serialize();
    if (styleDefect !== undefined) {
      if (!written.effects.has(styleDefect.effect)) {
        extraInto("note", "line\nbreak");
        written = serialize();
      }
      expected.add(defect);
    }
    if (defect === "double_encoded_arguments" && styleDefect === undefined) written = serialize();
    let block: string;
    const fence = (json: string): string => (defect === "code_fence" ? `\`\`\`json\n${json}\n\`\`\`` : json);
    switch (format) {
      case "openai-tool-calls":
        toolCalls.push({
          id: `call_${index}`,
          name: call.name,
          arguments: emptyArgumentsText ? "" : fence(written.argsJson),
        });
        block = "";
        break;
      case "tool-call-tags":
        block = `<tool_call>\n${fence(written.callJson)}\n${defect === "unclosed_tag" ? "" : "</tool_call>"}`;
        break;
      case "qwen-agent":
        block = `✿FUNCTION✿: ${call.name}\n✿ARGS✿: ${fence(written.argsJson)}`;
        break;
      case "bare-json":
        block =
          defect === "lowercase_operation_type"
            ? JSON.stringify({ ...operation, type: operation.type.toLowerCase() })
            : fence(written.callJson);
        break;
    }
    pieces.push(prose[index] ?? "", block);
    expectedRepairs.push([...expected]);
  });
  pieces.push(prose[operations.length] ?? "");
  return { reply: { text: pieces.filter((piece) => piece.length > 0).join("\n"), toolCalls }, expectedRepairs };
}
