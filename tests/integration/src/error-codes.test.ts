// One spelling per error code across packages. Every typed error carries a `code` from a closed union
// (`type XErrorCode = "a" | "b"`, or spec's `ValidationCode`); the codes are read from the sources and
// held to the list in docs/architecture.md ("## Error codes"), so a new code is documented where
// users look for it, and two spellings of one idea (`invalid_option` beside `invalid_option`) fail.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..", "..", "..");

function sourceFiles(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" || entry.name === "dist" ? [] : sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

/**
 * The string literals of every exported `…Code` union type in `text`, and the fixed codes of error
 * classes that pass a literal to `super` (an error with one code needs no union).
 */
export function codeUnions(text: string): Map<string, string[]> {
  const unions = new Map<string, string[]>();
  for (const match of text.matchAll(/export type (\w*Code)\s*=\s*((?:\s*\|?\s*"[a-z0-9_]+")+)\s*;/g)) {
    unions.set(
      match[1]!,
      [...match[2]!.matchAll(/"([a-z0-9_]+)"/g)].map((literal) => literal[1]!),
    );
  }
  for (const match of text.matchAll(/class (\w+) extends \w*Error\b[\s\S]*?super\(\s*"([a-z0-9_]+)"/g)) {
    unions.set(match[1]!, [...(unions.get(match[1]!) ?? []), match[2]!]);
  }
  // A class that narrows its code in place: `declare readonly code: "model_http"`, or a constructor
  // parameter `code: "invalid_request" | "step_order"`.
  for (const match of text.matchAll(/\bcode\??:\s*((?:\s*\|?\s*"[a-z0-9_]+")+)\s*[;,)]/g)) {
    // `code: "custom"` is zod's issue code for a refinement (spec's validators map it to their own).
    const literals = [...match[1]!.matchAll(/"([a-z0-9_]+)"/g)]
      .map((literal) => literal[1]!)
      .filter((code) => code !== "custom");
    if (literals.length > 0) unions.set(`code at ${match.index}`, literals);
  }
  return unions;
}

/** The codes listed in the first table after `## Error codes` of docs/architecture.md. */
function documentedCodes(): Set<string> {
  const text = readFileSync(join(root, "docs", "architecture.md"), "utf8");
  const section = text.slice(text.indexOf("## Error codes"));
  const end = section.indexOf("\n## ", 3);
  const rows = (end === -1 ? section : section.slice(0, end)).split("\n").filter((line) => line.startsWith("| `"));
  return new Set(rows.map((row) => /^\| `([a-z0-9_]+)`/.exec(row)![1]!));
}

/** A spelling-insensitive key: plural words singular, so `invalid_option` meets `invalid_option`. */
const spellingKey = (code: string) =>
  code
    .split("_")
    .map((word) => word.replace(/(?<=[a-z]{3})s$/, ""))
    .join("_");

const codes = new Map<string, string[]>();
for (const file of ["packages", "tests"].flatMap((folder) => sourceFiles(join(root, folder)))) {
  for (const [union, literals] of codeUnions(readFileSync(file, "utf8"))) {
    for (const code of literals) codes.set(code, [...(codes.get(code) ?? []), union]);
  }
}

describe("error codes", () => {
  it("are found in the sources (the reader works)", () => {
    expect(codes.get("missing_field")).toContain("ValidationCode");
    expect(codes.size).toBeGreaterThan(40);
  });

  it("have one spelling per idea across packages", () => {
    const byKey = new Map<string, string[]>();
    for (const code of codes.keys()) byKey.set(spellingKey(code), [...(byKey.get(spellingKey(code)) ?? []), code]);
    expect([...byKey.values()].filter((spellings) => spellings.length > 1)).toEqual([]);
  });

  it("are each listed in docs/architecture.md, and the list names no code that no longer exists", () => {
    const documented = documentedCodes();
    expect(
      [...codes.keys()].filter((code) => !documented.has(code)).sort(),
      "add these to docs/architecture.md ## Error codes",
    ).toEqual([]);
    expect(
      [...documented].filter((code) => !codes.has(code)).sort(),
      "remove these from docs/architecture.md ## Error codes",
    ).toEqual([]);
  });

  it("the union reader handles one-line and multi-line unions (hand-written sample)", () => {
    const sample = [
      'export type AErrorCode = "invalid_option" | "no_input";',
      "export type BErrorCode =",
      '  | "store_closed"',
      '  | "corrupt_cache";',
      'type PrivateCode = "hidden";',
      "export class StoreClosedError extends FineMemError {",
      "  constructor() {",
      "    super(",
      '      "store_closed", "the store is closed");',
      "export class ModelHttpError extends FineMemError {",
      '  declare readonly code: "model_http";',
    ].join("\n");
    expect(new Set([...codeUnions(sample).values()].flat())).toEqual(
      new Set(["invalid_option", "no_input", "store_closed", "corrupt_cache", "model_http"]),
    );
    expect(spellingKey("invalid_options")).toBe(spellingKey("invalid_option"));
  });
});
