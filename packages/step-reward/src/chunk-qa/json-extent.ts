/**
 * Where JSON sits inside a model's free text. Models wrap their JSON in code fences, prose or thinking,
 * and get cut off by token limits; these helpers find the candidate texts without ever throwing.
 */

/** Contents of every Markdown code fence, in order (an unclosed final fence runs to the end). */
export function fencedBlocks(text: string): string[] {
  const blocks: string[] = [];
  const fence = /```[^\n`]*\n?([\s\S]*?)(?:```|$)/g;
  for (const match of text.matchAll(fence)) {
    const body = match[1] ?? "";
    if (body.trim() !== "") blocks.push(body);
  }
  return blocks;
}

/**
 * The end (exclusive) of the JSON object or array opening at `start`, found by bracket depth outside
 * strings; undefined when it never closes (a truncated reply) or the brackets do not match.
 */
export function balancedEnd(text: string, start: number): number | undefined {
  const stack: string[] = [];
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === "{") stack.push("}");
    else if (ch === "[") stack.push("]");
    else if (ch === "}" || ch === "]") {
      if (stack.pop() !== ch) return undefined;
      if (stack.length === 0) return i + 1;
    }
  }
  return undefined;
}

/** JSON.parse, retried once without trailing commas (a common slip of small models); undefined when neither parses. */
export function parseJsonLeniently(text: string): { readonly value: unknown } | undefined {
  for (const attempt of [text, withoutTrailingCommas(text)]) {
    try {
      return { value: JSON.parse(attempt) as unknown };
    } catch {
      // try the repaired text, then give up
    }
  }
  return undefined;
}

function withoutTrailingCommas(text: string): string {
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      out += ch;
      if (ch === "\\" && i + 1 < text.length) out += text[++i];
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    if (ch === ",") {
      const rest = /^\s*([}\]])/.exec(text.slice(i + 1));
      if (rest !== null) continue;
    }
    out += ch;
  }
  return out;
}
