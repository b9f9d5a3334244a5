import { JSON_TEXT_REPAIRS } from "@finemem/utils";

/**
 * Every repair the reply parser can apply. A fragment that needed any of them is `repaired` (not
 * `parsed`) and its outcome lists their names, so the format reward can tell a clean call from one the
 * parser had to fix, and a report can count which defects a model makes. The JSON-level repairs
 * (fences, trailing commas, quotes, literals, escapes) are the JSON-in-text reader's, in
 * `@finemem/utils`; the rest are about manager replies: arguments, tags, operation names.
 */
const REPAIR_LIST = [
  ...JSON_TEXT_REPAIRS,
  {
    name: "double_encoded_arguments",
    description: "Arguments given as a JSON string that holds the arguments object were decoded once more.",
  },
  { name: "empty_arguments", description: "Arguments that were absent or an empty text were read as {}." },
  { name: "parameters_key", description: 'A call\'s "parameters" key was read as "arguments".' },
  {
    name: "unclosed_tag",
    description: "A <tool_call> block whose JSON is complete but lacks </tool_call> was closed at the end of its JSON.",
  },
  {
    name: "lowercase_operation_type",
    description: "An operation type in another case (insert, Update) was read in upper case.",
  },
  {
    name: "memory_type_alias",
    description:
      "A memory type spelled semantic, episodic or core (or in another case) was read as Mem-α's semantic_memory, episodic_memory or core_memory.",
  },
  {
    name: "extra_arguments_dropped",
    description: "Argument keys the tool (or operation) does not define were ignored.",
  },
] as const;

/** The name of one repair, as recorded in `ParseOutcome.repairs`. */
export type RepairName = (typeof REPAIR_LIST)[number]["name"];

/** Every repair the parser can apply, with a one-line description (for docs and reports). */
export const JSON_REPAIRS: readonly { readonly name: string; readonly description: string }[] = REPAIR_LIST;

/**
 * The repairs applied to one fragment, in the order first applied and without duplicates (a string
 * with ten raw newlines is one `raw_control_characters`).
 */
export class RepairLog {
  readonly #names: RepairName[] = [];

  add(name: RepairName): void {
    if (!this.#names.includes(name)) this.#names.push(name);
  }

  addAll(names: readonly RepairName[]): void {
    for (const name of names) this.add(name);
  }

  get names(): readonly RepairName[] {
    return this.#names;
  }
}
