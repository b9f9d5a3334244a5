import { z } from "zod";
import { issueCode } from "./validation.js";

/**
 * The shape of every identifier in the spec (item, operation, chunk, question, instance, run ids):
 * 1 to 128 characters, starting with a letter or digit, then letters, digits, `.`, `_`, `:` or `-`.
 * Ids appear inside prompts and JSON-schema grammars, so they exclude whitespace and quotes.
 */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** An identifier matching {@link ID_PATTERN}. */
export type Id = string;

/** True when `value` is a well-formed identifier. */
export function isId(value: unknown): value is Id {
  return typeof value === "string" && ID_PATTERN.test(value);
}

/** Schema of an identifier; a wrong shape reports code `invalid_id`. */
export const idSchema = z.string().refine((value) => ID_PATTERN.test(value), {
  message: "id must be 1-128 characters of letters, digits, '.', '_', ':' or '-', starting with a letter or digit",
  ...issueCode("invalid_id"),
});

/** The most characters (Unicode code points) a namespace id may have. */
export const NAMESPACE_ID_MAX_LENGTH = 128;

// C0/C1 control characters (NUL, newline, tab, escape, …) and lone UTF-16 surrogates, which are not
// text (PostgreSQL's UTF-8 `text` cannot hold them, nor NUL).
const NAMESPACE_ID_FORBIDDEN = /[\p{Cc}\p{Cs}]/u;

/**
 * True when `value` can name a user, agent or run of a namespace: any non-empty string of at most
 * {@link NAMESPACE_ID_MAX_LENGTH} characters without control characters. Unlike item and operation ids
 * ({@link ID_PATTERN}) these come from the application (an email, a user name, a UUID) and never appear
 * in prompts, so `@`, `+`, spaces and non-ASCII letters are all allowed, as in mem0 and LangGraph.
 */
export function isNamespaceId(value: unknown): value is Id {
  return (
    typeof value === "string" &&
    value.length > 0 &&
    !NAMESPACE_ID_FORBIDDEN.test(value) &&
    [...value].length <= NAMESPACE_ID_MAX_LENGTH
  );
}

/** Schema of a namespace id ({@link isNamespaceId}); a wrong one reports code `invalid_id`. */
export const namespaceIdSchema = z.string().refine((value) => isNamespaceId(value), {
  message: `a namespace id must be a non-empty string of at most ${NAMESPACE_ID_MAX_LENGTH} characters without control characters`,
  ...issueCode("invalid_id"),
});

/** Schema of a text that must hold something other than whitespace; reports code `empty_content`. */
export const contentSchema = z.string().refine((value) => value.trim().length > 0, {
  message: "content must not be empty or whitespace only",
  ...issueCode("empty_content"),
});

/** Schema of a step number: an integer ≥ 0 (0 = written outside an episode; episodes count from 1). */
export const stepSchema = z.number().int().min(0);

/** Schema of a probability-like score in [0, 1]. */
export const unitIntervalSchema = z.number().min(0).max(1);
