import { createRequire } from "node:module";
import type { TokenCounter } from "@finemem/spec";
import type { Tiktoken, TiktokenBPE } from "js-tiktoken/lite";

let shared: Tiktoken | undefined;

/**
 * The o200k encoder, built on the first count. Its ranks are 2 MB of JavaScript, so they are required
 * then too, not imported with this module: a package that takes other helpers from here and never
 * counts tokens (attribution, say) does not parse them.
 */
function encoder(): Tiktoken {
  if (shared === undefined) {
    const require = createRequire(import.meta.url);
    const { Tiktoken: Encoder } = require("js-tiktoken/lite") as typeof import("js-tiktoken/lite");
    shared = new Encoder(require("js-tiktoken/ranks/o200k_base") as TiktokenBPE);
  }
  return shared;
}

/**
 * Token counts in OpenAI's `o200k_base` encoding (gpt-4o-mini's, which Mem-α counts memory and chunk
 * lengths with), through js-tiktoken. The store counts memory with it, chunking packs sentences to an
 * o200k budget and the long-context baseline trims to one: a single counter keeps those lengths
 * comparable, and no package needs the store only to count. The encoder takes about a second to
 * build, so it is built on the first `count` and then shared by every counter in the process.
 */
export function createO200kTokenCounter(): TokenCounter {
  return {
    encoding: "o200k_base",
    count: (text: string): number => encoder().encode(text).length,
  };
}
