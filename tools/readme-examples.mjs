// Runs the examples of a README so that the README cannot drift from the code. An example is a
// fenced block whose info string is `ts example`; the fenced block right after it, with info string
// `text output`, holds what the example prints with console.log. Examples import packages by their
// public names, as a user would.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

/**
 * @param {string} readmePath
 * @returns {{ line: number, code: string, expectedOutput: string | null }[]}
 */
export function readReadmeExamples(readmePath) {
  const lines = readFileSync(readmePath, "utf8").split("\n");
  const blocks = [];
  for (let index = 0; index < lines.length; index++) {
    const open = /^```(.*)$/.exec(lines[index]);
    if (!open) continue;
    const start = index;
    const body = [];
    for (index++; index < lines.length && !/^```\s*$/.test(lines[index]); index++) body.push(lines[index]);
    blocks.push({ info: open[1].trim(), line: start + 1, text: body.join("\n") });
  }
  const examples = [];
  blocks.forEach((block, position) => {
    if (block.info !== "ts example") return;
    const next = blocks[position + 1];
    examples.push({
      line: block.line,
      code: block.text,
      expectedOutput: next && next.info === "text output" ? next.text : null,
    });
  });
  return examples;
}

/**
 * Writes the example beside the README (in an ignored folder, so that package names resolve from
 * there), imports it, and returns what it printed.
 * @param {{ line: number, code: string }} example
 * @param {string} readmePath
 * @returns {Promise<string>}
 */
export async function runReadmeExample(example, readmePath) {
  const folder = join(dirname(readmePath), ".readme-examples");
  mkdirSync(folder, { recursive: true });
  const file = join(folder, `example-line-${example.line}.ts`);
  writeFileSync(file, example.code);
  const printed = [];
  const original = console.log;
  console.log = (...values) =>
    printed.push(values.map((value) => (typeof value === "string" ? value : JSON.stringify(value))).join(" "));
  try {
    await import(`${pathToFileURL(file).href}?run=${Date.now()}`);
  } finally {
    console.log = original;
  }
  return printed.join("\n");
}

/**
 * Declares the vitest tests for a README: it has at least one example, and each prints its
 * documented output. Call it from the package's `src/readme.test.ts`.
 * @param {string} readmePath
 */
export async function testReadmeExamples(readmePath) {
  const { describe, expect, it } = await import("vitest");
  const examples = readReadmeExamples(readmePath);
  describe("README", () => {
    it("has a runnable example", () => expect(examples.length).toBeGreaterThan(0));
    for (const example of examples) {
      it(`example at line ${example.line} prints its documented output`, async () => {
        expect(example.expectedOutput, "a `text output` block follows the example").not.toBeNull();
        expect(await runReadmeExample(example, readmePath)).toBe(example.expectedOutput);
      });
    }
  });
}
