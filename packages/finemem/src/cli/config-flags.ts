import { BASELINE_NAMES } from "@finemem/policy";
import { type FineMemConfig, MODEL_ROLES } from "../config/config-schema.js";
import { ConfigError, type ConfigOverride } from "../config/load-config.js";

/** Flags every command that reads the configuration accepts (node:util parseArgs options). */
export const CONFIG_FLAG_OPTIONS = {
  config: { type: "string" },
  policy: { type: "string" },
  reasoner: { type: "string" },
  dataset: { type: "string", multiple: true },
  file: { type: "string", multiple: true },
  limit: { type: "string" },
  out: { type: "string" },
  "run-id": { type: "string" },
  seed: { type: "string" },
  rollouts: { type: "string" },
  concurrency: { type: "string" },
  set: { type: "string", multiple: true },
  checkpoint: { type: "string" },
  host: { type: "string" },
  port: { type: "string" },
  database: { type: "string" },
  updates: { type: "string" },
  backend: { type: "string" },
  ...Object.fromEntries(
    MODEL_ROLES.flatMap((role) => [
      [`${role}-url`, { type: "string" }],
      [`${role}-model`, { type: "string" }],
      [`${role}-key`, { type: "string" }],
    ]),
  ),
} as const;

export type ConfigFlagValues = { readonly [name: string]: string | boolean | readonly string[] | undefined };

function integerFlag(flag: string, key: string, value: string): number {
  const number = Number(value);
  if (!/^\s*-?\d+\s*$/.test(value) || !Number.isSafeInteger(number))
    throw new ConfigError(key, "an integer", JSON.stringify(value), `flag --${flag}`);
  return number;
}

/** `--limit`: instances per dataset, a whole number ≥ 1; an error names the flag, not the datasets it sets. */
export function limitFromFlag(value: string): number {
  const number = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(number) || number < 1)
    throw new ConfigError(
      "datasets[].limit",
      "a positive integer (instances per dataset)",
      JSON.stringify(value),
      "flag --limit",
    );
  return number;
}

/**
 * parseArgs reads `--limit -1` as a flag missing its value followed by an unknown flag `-1`; a value
 * that is a negative number is joined to its flag (`--limit=-1`) so the flag's own check can answer.
 */
export function joinNegativeNumberValues(
  argv: readonly string[],
  options: Readonly<Record<string, { readonly type: string }>>,
): string[] {
  const joined: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    if (arg === "--") {
      joined.push(...argv.slice(index));
      break;
    }
    const next = argv[index + 1];
    const name = arg.startsWith("--") ? arg.slice(2) : undefined;
    if (name !== undefined && options[name]?.type === "string" && next !== undefined && /^-\d/.test(next)) {
      joined.push(`${arg}=${next}`);
      index++;
    } else joined.push(arg);
  }
  return joined;
}

/**
 * `--limit` without `--dataset` or `--file` applies to the configured datasets (by default the
 * synthetic benchmark): instances of a synthetic benchmark, rows of the others.
 */
export function withLimit(config: FineMemConfig, limit: number): FineMemConfig {
  return {
    ...config,
    datasets: config.datasets.map((dataset) =>
      dataset.kind === "synthetic" ? { ...dataset, instances: limit } : { ...dataset, limit },
    ),
  };
}

/** `--set key=value`: the value is read as JSON when it parses (numbers, booleans, lists), else kept as text. */
function setFlag(entry: string): ConfigOverride {
  const equals = entry.indexOf("=");
  if (equals < 1)
    throw new ConfigError(
      "(flag --set)",
      "key=value, e.g. --set rewards.beta=0.3",
      JSON.stringify(entry),
      "flag --set",
    );
  const key = entry.slice(0, equals).trim();
  const text = entry.slice(equals + 1);
  let value: unknown = text;
  try {
    value = JSON.parse(text);
  } catch {
    // Plain text, e.g. --set run.seed=abc.
  }
  return { key, value, origin: `flag --set ${key}` };
}

/** The policy section for `--policy heuristic | learned | <baseline name> | llm`. */
export function policyFromFlag(value: string): unknown {
  if (value === "heuristic" || value === "llm" || value === "learned") return { kind: value };
  if ((BASELINE_NAMES as readonly string[]).includes(value)) return { kind: "baseline", name: value };
  throw new ConfigError(
    "policy",
    `heuristic, learned, llm or a baseline (${BASELINE_NAMES.join(", ")})`,
    JSON.stringify(value),
    "flag --policy",
  );
}

/** Flags as configuration overrides, in the order they win (later wins). */
export function overridesFromFlags(values: ConfigFlagValues): ConfigOverride[] {
  const overrides: ConfigOverride[] = [];
  const text = (name: string) => (typeof values[name] === "string" ? (values[name] as string) : undefined);
  const list = (name: string) => (Array.isArray(values[name]) ? (values[name] as readonly string[]) : []);
  const policy = text("policy");
  if (policy !== undefined) overrides.push({ key: "policy", value: policyFromFlag(policy), origin: "flag --policy" });
  // --checkpoint is the learned policy's: it implies --policy learned (another --policy kind is refused by the schema).
  const checkpoint = text("checkpoint");
  if (checkpoint !== undefined)
    overrides.push(
      policy === undefined
        ? { key: "policy", value: { kind: "learned", checkpoint }, origin: "flag --checkpoint" }
        : { key: "policy.checkpoint", value: checkpoint, origin: "flag --checkpoint" },
    );
  const reasoner = text("reasoner");
  if (reasoner !== undefined) overrides.push({ key: "reasoner.kind", value: reasoner, origin: "flag --reasoner" });
  // --dataset and --file replace the configured datasets; given together, both kinds run.
  const limit = text("limit");
  const limitValue = limit === undefined ? undefined : limitFromFlag(limit);
  const datasets = [
    ...list("dataset").map((kind) => ({
      kind,
      ...(limitValue === undefined || kind === "synthetic" ? {} : { limit: limitValue }),
      ...(limitValue !== undefined && kind === "synthetic" ? { instances: limitValue } : {}),
    })),
    // --split names the split of files whose names do not start with one (data download reads it too).
    ...list("file").map((file) => ({
      kind: "memoryagentbench",
      file,
      ...(list("split").length === 1 ? { split: list("split")[0] } : {}),
      ...(limitValue === undefined ? {} : { limit: limitValue }),
    })),
  ];
  if (datasets.length > 0)
    overrides.push({
      key: "datasets",
      value: datasets,
      origin: list("file").length > 0 ? "flag --file" : "flag --dataset",
    });
  // Flags that set one key: as text, or checked as an integer (an error names the flag).
  const textFlags: readonly [string, string][] = [
    ["out", "run.out"],
    ["run-id", "run.id"],
    ["seed", "run.seed"],
    ["host", "serve.host"],
    ["database", "serve.database"],
    ["backend", "train.backend"],
  ];
  for (const [flag, key] of textFlags) {
    const value = text(flag);
    if (value !== undefined) overrides.push({ key, value, origin: `flag --${flag}` });
  }
  const integerFlags: readonly [string, string][] = [
    ["rollouts", "run.rollouts"],
    ["updates", "train.updates"],
    ["port", "serve.port"],
    ["concurrency", "run.concurrency.episodes"],
  ];
  for (const [flag, key] of integerFlags) {
    const value = text(flag);
    if (value !== undefined) overrides.push({ key, value: integerFlag(flag, key, value), origin: `flag --${flag}` });
  }
  for (const role of MODEL_ROLES) {
    for (const [suffix, field] of [
      ["url", "baseUrl"],
      ["model", "model"],
      ["key", "apiKey"],
    ] as const) {
      const value = text(`${role}-${suffix}`);
      if (value !== undefined)
        overrides.push({ key: `models.${role}.${field}`, value, origin: `flag --${role}-${suffix}` });
    }
  }
  overrides.push(...list("set").map(setFlag));
  return overrides;
}
