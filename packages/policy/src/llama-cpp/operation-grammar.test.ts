import { memoryOperationValidator } from "@finemem/spec";
import { createSeededRandom, type RandomSource } from "@finemem/utils";
import { describe, expect, it } from "vitest";
import { parseManagerReply } from "../parser/parse-manager-reply.js";
import { type GbnfExpression, maxLength, toRegExp } from "./gbnf.js";
import {
  OPERATION_GRAMMAR_DEFAULTS,
  type OperationGrammarOptions,
  operationGrammarExpression,
  operationGrammarGbnf,
  operationGrammarMaxChars,
  operationGrammarTokenBudget,
} from "./operation-grammar.js";

/** A random text the expression matches: every choice and repetition count drawn uniformly. */
function sample(expression: GbnfExpression, random: RandomSource): string {
  switch (expression.kind) {
    case "literal":
      return expression.text;
    case "chars":
      return String.fromCharCode(expression.codes[random.int(expression.codes.length)]!);
    case "sequence":
      return expression.items.map((item) => sample(item, random)).join("");
    case "choice":
      return sample(expression.options[random.int(expression.options.length)]!, random);
    case "repeat": {
      const count = expression.min + random.int(expression.max - expression.min + 1);
      return Array.from({ length: count }, () => sample(expression.item, random)).join("");
    }
    case "rule":
      return sample(expression.body, random);
  }
}

/** The longest text the expression matches (characters drawn at random). */
function longest(expression: GbnfExpression, random: RandomSource): string {
  switch (expression.kind) {
    case "choice": {
      const best = expression.options.reduce((a, b) => (maxLength(b) > maxLength(a) ? b : a));
      return longest(best, random);
    }
    case "repeat":
      return Array.from({ length: expression.max }, () => longest(expression.item, random)).join("");
    case "sequence":
      return expression.items.map((item) => longest(item, random)).join("");
    case "rule":
      return longest(expression.body, random);
    default:
      return sample(expression, random);
  }
}

const SMALL: OperationGrammarOptions = { maxOperations: 3, maxContentChars: 12, maxIdChars: 6 };

describe("the operation grammar", () => {
  it.each(["flat", "memalpha"] as const)(
    "%s: every reply it allows parses into valid operations, without repairs",
    (toolSet) => {
      const expression = operationGrammarExpression({ ...SMALL, toolSet });
      const random = createSeededRandom(`grammar-${toolSet}`);
      const kinds = new Set<string>();
      for (let draw = 0; draw < 2000; draw++) {
        const reply = sample(expression, random);
        const parsed = parseManagerReply({ text: reply }, { toolSet });
        expect(
          parsed.parseOutcomes.every((outcome) => outcome.status === "parsed"),
          reply,
        ).toBe(true);
        expect(parsed.operations.length).toBeGreaterThanOrEqual(1);
        expect(parsed.operations.length).toBeLessThanOrEqual(3);
        for (const operation of parsed.operations) {
          expect(memoryOperationValidator.validate(operation).ok).toBe(true);
          kinds.add(`${operation.type}:${"memoryType" in operation ? operation.memoryType : ""}`);
        }
        expect(JSON.parse(reply)).toBeTypeOf("object");
      }
      expect([...kinds].sort()).toEqual(
        toolSet === "flat"
          ? ["DELETE:", "INSERT:", "SKIP:", "UPDATE:"]
          : [
              "DELETE:core",
              "DELETE:episodic",
              "DELETE:semantic",
              "INSERT:episodic",
              "INSERT:semantic",
              "UPDATE:core",
              "UPDATE:episodic",
              "UPDATE:semantic",
            ],
      );
    },
  );

  it("never names a semantic or episodic item `core` (the core memory's id), but allows its prefixes and extensions", () => {
    const pattern = toRegExp(operationGrammarExpression({ ...SMALL, toolSet: "memalpha" }));
    const reply = (id: string) => `{"operations":[{"type":"DELETE","memory_type":"semantic_memory","id":"${id}"}]}`;
    expect(pattern.test(reply("core"))).toBe(false);
    for (const id of ["c", "co", "cor", "cores", "Core", "corx", "m1", "core.2"])
      expect(pattern.test(reply(id)), id).toBe(true);
    const flat = toRegExp(operationGrammarExpression({ ...SMALL, toolSet: "flat" }));
    expect(flat.test('{"operations":[{"type":"DELETE","id":"core"}]}')).toBe(true);
  });

  it("refuses blank or non-ASCII content, bad ids, empty lists and lists over the limit", () => {
    const pattern = toRegExp(operationGrammarExpression({ ...SMALL, toolSet: "flat" }));
    const insert = (content: string) => `{"type":"INSERT","content":"${content}"}`;
    expect(pattern.test(`{"operations":[${insert("Ada")}]}`)).toBe(true);
    for (const content of ["", " ", " Ada", "Ad\\a", 'Ad\\"a', "Adä", "a".repeat(13)])
      expect(pattern.test(`{"operations":[${insert(content)}]}`), content).toBe(false);
    for (const id of ["", "-m1", "m 1", "m1234567"])
      expect(pattern.test(`{"operations":[{"type":"DELETE","id":"${id}"}]}`), id).toBe(false);
    expect(pattern.test('{"operations":[]}')).toBe(false);
    expect(pattern.test(`{"operations":[${Array(4).fill('{"type":"SKIP"}').join(",")}]}`)).toBe(false);
    expect(pattern.test('{"operations": [{"type":"SKIP"}]}')).toBe(false);
  });

  it("bounds the reply: the longest allowed reply has exactly maxChars characters, and the token budget adds the end token", () => {
    for (const toolSet of ["flat", "memalpha"] as const) {
      const options = { ...SMALL, toolSet };
      const reply = longest(operationGrammarExpression(options), createSeededRandom("longest"));
      expect(toRegExp(operationGrammarExpression(options)).test(reply)).toBe(true);
      expect(reply.length).toBe(operationGrammarMaxChars(options));
      expect(operationGrammarTokenBudget(options)).toBe(reply.length + 1);
      expect(
        parseManagerReply({ text: reply }, { toolSet }).parseOutcomes.every((outcome) => outcome.status === "parsed"),
      ).toBe(true);
    }
  });

  it("has a closed-form budget: 17 + N·(39 + I + C) flat, 17 + N·(71 + I + C) memalpha", () => {
    const { maxOperations: n, maxIdChars: i, maxContentChars: c } = OPERATION_GRAMMAR_DEFAULTS;
    expect(operationGrammarTokenBudget()).toBe(17 + n * (39 + i + c));
    expect(operationGrammarTokenBudget()).toBe(2505);
    expect(operationGrammarTokenBudget({ toolSet: "memalpha" })).toBe(17 + n * (71 + i + c));
    expect(operationGrammarTokenBudget({ maxOperations: 2, maxIdChars: 8, maxContentChars: 24 })).toBe(
      17 + 2 * (39 + 8 + 24),
    );
  });

  it("renders GBNF with bounded repetitions", () => {
    const gbnf = operationGrammarGbnf({ maxOperations: 4, maxContentChars: 100, maxIdChars: 10 });
    expect(gbnf).toMatch(/^root ::= "\{\\"operations\\":\[" operation \("," operation\)\{0,3\} "\]\}"$/m);
    expect(gbnf).toContain("{0,99}");
    expect(gbnf).toContain("{0,9}");
    expect(gbnf).toMatch(/^operation ::= insert \| update \| delete \| skip$/m);
    expect(operationGrammarGbnf({ toolSet: "memalpha" })).not.toMatch(/SKIP/);
  });

  it("refuses bad options with a ModelConfigError naming the option", () => {
    for (const [options, path] of [
      [{ maxOperations: 0 }, ["operationGrammar", "maxOperations"]],
      [{ maxContentChars: 1.5 }, ["operationGrammar", "maxContentChars"]],
      [{ maxIdChars: 129 }, ["operationGrammar", "maxIdChars"]],
      [{ toolSet: "typed" }, ["operationGrammar", "toolSet"]],
    ] as const) {
      expect(() => operationGrammarGbnf(options as OperationGrammarOptions)).toThrow(
        expect.objectContaining({ code: "model_config", path }),
      );
    }
  });
});
