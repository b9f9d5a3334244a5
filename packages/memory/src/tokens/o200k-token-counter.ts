import type { TokenCounter } from "@finemem/spec";
import { Tiktoken } from "js-tiktoken/lite";
import o200kBase from "js-tiktoken/ranks/o200k_base";

let shared: Tiktoken | undefined;

/**
 * Token counts in OpenAI's `o200k_base` encoding (gpt-4o-mini's, which Mem-α counts memory and chunk
 * lengths with), through js-tiktoken. The encoder takes about a second to build, so it is built on the
 * first `count` and then shared by every counter in the process.
 */
export function createO200kTokenCounter(): TokenCounter {
  return {
    encoding: "o200k_base",
    count(text: string): number {
      shared ??= new Tiktoken(o200kBase);
      return shared.encode(text).length;
    },
  };
}
