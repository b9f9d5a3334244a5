// Helpers the policy benches share.

/** The median of a non-empty list of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Reads numeric options from the environment, then from `NAME=value` or `--long-name=value`
 * arguments (which win). `names` maps each short NAME to its option key; `long` maps long flags to
 * short names (default: the flag without `--`, upper-cased).
 */
export function readNumericOptions(argv, env, names, long = {}) {
  const given = {};
  for (const [short, key] of Object.entries(names))
    if (env[short] !== undefined && env[short] !== "") given[key] = Number(env[short]);
  for (const argument of argv) {
    const [flag, value] = argument.split("=", 2);
    const short = long[flag] ?? (flag.startsWith("--") ? flag.slice(2).toUpperCase() : flag.toUpperCase());
    if (value === undefined || !(short in names)) {
      const longFlags = Object.keys(names).map(
        (name) => Object.keys(long).find((key) => long[key] === name) ?? `--${name.toLowerCase()}`,
      );
      throw new Error(
        `unknown argument ${JSON.stringify(argument)}; expected ${Object.keys(names)
          .map((name) => `${name}=`)
          .join(", ")} or ${longFlags.map((flag) => `${flag}=`).join(", ")}`,
      );
    }
    given[names[short]] = Number(value);
  }
  return given;
}
