import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { FineMemError } from "@finemem/spec";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { configSchema, type FineMemConfig, MODEL_ROLES } from "./config-schema.js";

/** A configuration value that is missing its mark: which key, what it expects, what it got, and where it came from. */
export class ConfigError extends FineMemError {
  /** Dotted key, e.g. `models.manager.baseUrl` or `datasets[0].kind`. */
  readonly key: string;
  readonly expected: string;
  /** The config file, `env FINEMEM_…`, `flag --…`, or `default`. */
  readonly origin: string;

  constructor(key: string, expected: string, received: string, origin: string, cause?: unknown) {
    super(
      "invalid_config",
      `config key ${key}${origin === "default" ? "" : ` (from ${origin})`}: expected ${expected}, got ${received}`,
      { path: key.split(".") as string[], cause },
    );
    this.key = key;
    this.expected = expected;
    this.origin = origin;
  }
}

/** One value set outside the file, with where it came from (for error messages). */
export interface ConfigOverride {
  /** Dotted key, e.g. `run.seed`, `models.reasoner.baseUrl`, `policy`. */
  readonly key: string;
  readonly value: unknown;
  /** e.g. `flag --seed` or `env FINEMEM_SEED`. */
  readonly origin: string;
}

export interface ConfigSources {
  /**
   * A command's own defaults (e.g. `finemem train` trains the learned policy), under the file: a
   * mapping merges key by key, a list or a section with a `kind` is replaced whole.
   */
  readonly defaults?: Readonly<Record<string, unknown>>;
  /** A `.json`, `.yaml` or `.yml` file. */
  readonly file?: string;
  /** Read for `FINEMEM_*` variables; default none (the CLI passes `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Flags, applied last (they win over the environment, which wins over the file). */
  readonly overrides?: readonly ConfigOverride[];
}

export interface LoadedConfig {
  readonly config: FineMemConfig;
  /** Where each key set outside the defaults came from. */
  readonly origins: ReadonlyMap<string, string>;
}

/** Environment variables read, besides `FINEMEM_<ROLE>_BASE_URL`, `_MODEL` and `_API_KEY` for every model role. */
export const CONFIG_ENV = Object.freeze({ FINEMEM_SEED: "run.seed", FINEMEM_OUT: "run.out", FINEMEM_RUN_ID: "run.id" });

/**
 * The effective configuration: defaults < file < environment < flags, validated as a whole. Every
 * problem is a {@link ConfigError} naming the key, the expected value, what was given and its origin.
 */
export async function loadConfig(sources: ConfigSources = {}): Promise<LoadedConfig> {
  const origins = new Map<string, string>();
  let input: Record<string, unknown> = { ...(sources.defaults ?? {}) };
  if (sources.file !== undefined) {
    const file = await readConfigFile(sources.file);
    for (const key of leafKeys(file)) origins.set(key, sources.file);
    input = mergeSections(input, file);
  }
  for (const override of [...environmentOverrides(sources.env ?? {}), ...(sources.overrides ?? [])]) {
    input = setKey(input, override.key, override.value);
    for (const key of leafKeys(override.value, override.key)) origins.set(key, override.origin);
    origins.set(override.key, override.origin);
  }
  const checked = configSchema.safeParse(input);
  if (!checked.success) throw configErrorOf(checked.error.issues[0]!, input, origins);
  return { config: checked.data, origins };
}

async function readConfigFile(file: string): Promise<Record<string, unknown>> {
  const extension = extname(file).toLowerCase();
  if (![".json", ".yaml", ".yml"].includes(extension))
    throw new ConfigError("(file)", "a .json, .yaml or .yml file", JSON.stringify(file), "flag --config");
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    throw new ConfigError(
      "(file)",
      "a readable configuration file",
      `${JSON.stringify(file)} (${(cause as NodeJS.ErrnoException).code ?? "unreadable"})`,
      "flag --config",
      cause,
    );
  }
  let parsed: unknown;
  try {
    parsed = extension === ".json" ? JSON.parse(text) : parseYaml(text);
  } catch (cause) {
    throw new ConfigError(
      "(file)",
      extension === ".json" ? "valid JSON" : "valid YAML",
      (cause as Error).message.split("\n")[0] ?? "a parse error",
      file,
      cause,
    );
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== "object" || Array.isArray(parsed))
    throw new ConfigError(
      "(root)",
      "a mapping of sections (run, datasets, policy, reasoner, models, rewards, chunkQa, report, train)",
      describe(parsed),
      file,
    );
  return parsed as Record<string, unknown>;
}

function environmentOverrides(env: Readonly<Record<string, string | undefined>>): ConfigOverride[] {
  const overrides: ConfigOverride[] = [];
  for (const [name, key] of Object.entries(CONFIG_ENV)) {
    const value = env[name];
    if (value !== undefined && value !== "") overrides.push({ key, value, origin: `env ${name}` });
  }
  for (const role of MODEL_ROLES) {
    for (const [suffix, field] of [
      ["BASE_URL", "baseUrl"],
      ["MODEL", "model"],
      ["API_KEY", "apiKey"],
    ] as const) {
      const name = `FINEMEM_${role.toUpperCase()}_${suffix}`;
      const value = env[name];
      if (value !== undefined && value !== "")
        overrides.push({ key: `models.${role}.${field}`, value, origin: `env ${name}` });
    }
  }
  return overrides;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `top` over `base`: mappings merge key by key; lists, values and sections with a `kind` replace. */
function mergeSections(base: Record<string, unknown>, top: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(top)) {
    const under = merged[key];
    merged[key] = isMapping(value) && isMapping(under) && !("kind" in value) ? mergeSections(under, value) : value;
  }
  return merged;
}

/** A copy of `input` with the dotted `key` set (objects on the way are created or copied). */
function setKey(input: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const [head, ...rest] = key.split(".");
  if (head === undefined) return input;
  if (rest.length === 0) return { ...input, [head]: value };
  const inner = input[head];
  return {
    ...input,
    [head]: setKey(
      typeof inner === "object" && inner !== null && !Array.isArray(inner) ? (inner as Record<string, unknown>) : {},
      rest.join("."),
      value,
    ),
  };
}

function leafKeys(value: unknown, prefix = ""): string[] {
  if (typeof value !== "object" || value === null) return prefix === "" ? [] : [prefix];
  const entries = Array.isArray(value)
    ? value.map((inner, index) => [`[${index}]`, inner] as const)
    : Object.entries(value);
  const keys = entries.flatMap(([name, inner]) =>
    leafKeys(inner, prefix === "" ? name : name.startsWith("[") ? `${prefix}${name}` : `${prefix}.${name}`),
  );
  return prefix === "" ? keys : [prefix, ...keys];
}

function keyOf(path: readonly PropertyKey[]): string {
  let key = "";
  for (const segment of path)
    key += typeof segment === "number" ? `[${segment}]` : key === "" ? String(segment) : `.${String(segment)}`;
  return key === "" ? "(root)" : key;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const segment of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing (the key is missing)";
  if (typeof value === "string") return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === "object" && value !== null) return "a mapping";
  return String(value);
}

/** The origin of a key, or of the closest enclosing key that has one. */
function originOf(key: string, origins: ReadonlyMap<string, string>): string {
  for (let current = key; current !== ""; current = current.replace(/(\.[^.[\]]+|\[\d+\])$/, "")) {
    const origin = origins.get(current);
    if (origin !== undefined) return origin;
    if (!/[.[]/.test(current)) break;
  }
  return "default";
}

function configErrorOf(issue: z.core.$ZodIssue, input: unknown, origins: ReadonlyMap<string, string>): ConfigError {
  if (issue.code === "unrecognized_keys") {
    const key = keyOf([...issue.path, issue.keys[0]!]);
    const parent = valueAt(input, issue.path);
    const known = knownKeys(input, issue.path);
    return new ConfigError(
      key,
      known.length === 0 ? "no such key" : `one of the keys known here (${known.join(", ")})`,
      describe(valueAt(parent, [issue.keys[0]!])),
      originOf(key, origins),
    );
  }
  const key = keyOf(issue.path);
  const received = describe(valueAt(input, issue.path));
  return new ConfigError(key, expectedOf(issue), received, originOf(key, origins));
}

function expectedOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      return issue.expected === "object"
        ? "a mapping"
        : issue.expected === "array"
          ? "a list"
          : issue.expected === "int"
            ? "an integer"
            : `a ${issue.expected}`;
    case "invalid_value":
      return `one of ${issue.values.map((value) => JSON.stringify(value)).join(", ")}`;
    case "invalid_union":
      return kindsOf(issue) ?? issue.message;
    case "too_small":
      return issue.origin === "array"
        ? `a list of at least ${String(issue.minimum)}`
        : issue.origin === "string"
          ? "a non-empty string"
          : `a ${issue.origin === "int" || (issue.origin === "number" && Number.isInteger(Number(issue.minimum))) ? "number" : issue.origin} ${issue.inclusive ? "≥" : ">"} ${String(issue.minimum)}`;
    case "too_big":
      return `a ${issue.origin} ${issue.inclusive ? "≤" : "<"} ${String(issue.maximum)}`;
    case "invalid_format":
      return issue.format === "url"
        ? "an http(s) URL"
        : `a ${issue.format}${issue.message.startsWith("Invalid") ? "" : ` (${issue.message})`}`;
    default:
      return issue.message;
  }
}

/** For a section with kinds (datasets, policy, reasoner) whose `kind` is unknown: the kinds it knows. */
function kindsOf(issue: z.core.$ZodIssue): string | undefined {
  let schema: z.core.$ZodType | undefined = configSchema;
  // The issue may sit on the section or on its `kind` key.
  const path = issue.path.at(-1) === "kind" ? issue.path.slice(0, -1) : issue.path;
  for (const segment of path) {
    if (schema === undefined) return undefined;
    const inner = unwrap(schema);
    const def = inner._zod.def as { type: string; element?: z.core.$ZodType };
    schema = def.type === "array" ? def.element : shapeOf(inner, undefined)?.[String(segment)];
  }
  if (schema === undefined) return undefined;
  const def = unwrap(schema)._zod.def as { type: string; options?: z.core.$ZodType[] };
  if (def.type !== "union" || def.options === undefined) return undefined;
  const kinds = def.options.flatMap((option) =>
    ((shapeOf(option, undefined)?.kind?._zod.def as { values?: unknown[] } | undefined)?.values ?? []).map((value) =>
      JSON.stringify(value),
    ),
  );
  return path.length < issue.path.length
    ? `one of ${kinds.join(", ")}`
    : `a mapping with kind one of ${kinds.join(", ")}`;
}

/** The keys a mapping at `path` accepts, for "no such key" messages (a section with kinds: the keys of its kind). */
function knownKeys(input: unknown, path: readonly PropertyKey[]): string[] {
  let schema: z.core.$ZodType | undefined = configSchema;
  path.forEach((segment, index) => {
    if (schema === undefined) return;
    const inner = unwrap(schema);
    const def = inner._zod.def as { type: string; element?: z.core.$ZodType };
    schema =
      def.type === "array" ? def.element : shapeOf(inner, valueAt(input, path.slice(0, index)))?.[String(segment)];
  });
  const shape = schema === undefined ? undefined : shapeOf(schema, valueAt(input, path));
  return shape === undefined ? [] : Object.keys(shape);
}

function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let current = schema;
  for (;;) {
    const def = current._zod.def as { type: string; innerType?: z.core.$ZodType };
    if (
      (def.type === "optional" || def.type === "default" || def.type === "prefault" || def.type === "nullable") &&
      def.innerType !== undefined
    )
      current = def.innerType;
    else return current;
  }
}

function shapeOf(schema: z.core.$ZodType, value: unknown): Record<string, z.core.$ZodType> | undefined {
  const inner = unwrap(schema);
  const def = inner._zod.def as { type: string; shape?: Record<string, z.core.$ZodType>; options?: z.core.$ZodType[] };
  if (def.type === "object") return def.shape;
  if (def.type === "union" && def.options !== undefined) {
    const kind = typeof value === "object" && value !== null ? (value as Record<string, unknown>).kind : undefined;
    for (const option of def.options) {
      const shape = shapeOf(option, value);
      const literal = shape?.kind?._zod.def as { values?: unknown[] } | undefined;
      if (literal?.values?.includes(kind)) return shape;
    }
  }
  return undefined;
}
