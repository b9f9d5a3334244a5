import { createHash } from "node:crypto";

/**
 * Fills `{name}` placeholders in one pass, so text that is itself substituted (a chunk, a memory item,
 * a question containing "{memory}") stays as written. Placeholders without a value stay as they are.
 */
export function fillPlaceholders(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{([a-z_]+)\}/g, (whole, key: string) =>
    Object.hasOwn(values, key) ? values[key]! : whole,
  );
}

/**
 * The hash recorded for a prompt: its version, then the first 16 hex digits of the SHA-256 of
 * everything that shapes what the model sees (given as `material`), e.g. `finemem-flat-v1:3f2a…`.
 */
export function versionedPromptHash(version: string, material: unknown): string {
  return `${version}:${createHash("sha256").update(JSON.stringify(material)).digest("hex").slice(0, 16)}`;
}
