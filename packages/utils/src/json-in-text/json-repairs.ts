/**
 * The repairs the JSON-in-text reader can make, each with a one-line description. A value that needed
 * any of them was not strict JSON: readers record their names (in the order first applied) so that a
 * caller can tell a clean value from a repaired one, and a report can count which defects a model
 * makes. `code_fence` is recorded by callers that look through Markdown fences (see `code-fence.ts`);
 * the others by the lenient reader.
 */
export const JSON_TEXT_REPAIRS = [
  { name: "code_fence", description: "A Markdown code fence (```json … ```) around the JSON was removed." },
  { name: "trailing_commas", description: "A comma before a closing } or ] was ignored." },
  {
    name: "single_quoted_strings",
    description: "A string or key in single quotes was read as a JSON string (\\' is a quote inside it).",
  },
  { name: "unquoted_keys", description: "An object key written as a bare identifier was read as a string." },
  { name: "python_literals", description: "Python's True, False and None were read as true, false and null." },
  {
    name: "raw_control_characters",
    description: "A raw newline, tab or other control character inside a string was kept as that character.",
  },
  {
    name: "invalid_escapes",
    description:
      "An escape JSON does not define (\\', \\d, a \\u without four hex digits) was read as the escaped character itself.",
  },
] as const;

/** The name of one repair of {@link JSON_TEXT_REPAIRS}. */
export type JsonRepairName = (typeof JSON_TEXT_REPAIRS)[number]["name"];
