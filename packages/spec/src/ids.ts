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

/** Schema of a text that must hold something other than whitespace; reports code `empty_content`. */
export const contentSchema = z.string().refine((value) => value.trim().length > 0, {
  message: "content must not be empty or whitespace only",
  ...issueCode("empty_content"),
});

/** Schema of a step number: an integer ≥ 0 (0 = written outside an episode; episodes count from 1). */
export const stepSchema = z.number().int().min(0);

/** Schema of a probability-like score in [0, 1]. */
export const unitIntervalSchema = z.number().min(0).max(1);
