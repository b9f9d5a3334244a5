import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readReadmeExamples, runReadmeExample } from "../../../tools/readme-examples.mjs";

const readme = join(import.meta.dirname, "..", "README.md");

describe("README", () => {
  const examples = readReadmeExamples(readme);
  it("has a runnable example", () => expect(examples.length).toBeGreaterThan(0));
  it.each(examples.map((example) => [example.line, example] as const))("example at line %i prints its documented output", async (_line, example) => {
    expect(example.expectedOutput).not.toBeNull();
    expect(await runReadmeExample(example, readme)).toBe(example.expectedOutput);
  });
});
