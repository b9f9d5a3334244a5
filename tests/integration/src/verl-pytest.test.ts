// integrations/verl's own pytest suite, one vitest test per pytest case, so that the Python tests count
// in CI's closing line like every other test. pytest runs once (with a JUnit report) before the cases
// are declared; each case then reports its own outcome, with pytest's failure text.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { checkService, probePython, pythonPath } from "@finemem/testing";
import { describe, expect, it } from "vitest";

const python = await checkService("python", () => probePython(["pytest"]));
const PACKAGE = resolve(import.meta.dirname, "../../../integrations/verl");

interface PytestCase {
  readonly name: string;
  readonly outcome: "passed" | "failed" | "skipped";
  readonly detail: string;
}

/** The cases of pytest's JUnit XML (the attributes and child elements pytest writes). */
function junitCases(xml: string): PytestCase[] {
  const decodeEntities = (text: string) =>
    text
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&amp;/g, "&");
  return [...xml.matchAll(/<testcase\s+([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g)].map((match) => {
    const attributes = Object.fromEntries(
      [...match[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((attribute) => [attribute[1]!, decodeEntities(attribute[2]!)]),
    );
    const body = match[3] ?? "";
    const outcome = /<(failure|error)\b/.test(body) ? "failed" : /<skipped\b/.test(body) ? "skipped" : "passed";
    return {
      name: `${attributes.classname}::${attributes.name}`,
      outcome,
      detail: decodeEntities(body.replace(/<[^>]+>/g, "")).trim(),
    };
  });
}

function runPytest(): PytestCase[] {
  const folder = mkdtempSync(join(tmpdir(), "finemem-pytest-"));
  try {
    const report = join(folder, "junit.xml");
    const run = spawnSync(pythonPath(), ["-m", "pytest", "-q", "-p", "no:cacheprovider", `--junitxml=${report}`], {
      cwd: PACKAGE,
      encoding: "utf8",
      timeout: 120_000,
    });
    let xml = "";
    try {
      xml = readFileSync(report, "utf8");
    } catch {
      // No report: pytest could not start; the one case below says why.
    }
    const cases = junitCases(xml);
    if (cases.length === 0)
      return [{ name: "pytest collection", outcome: "failed", detail: `${run.stdout}\n${run.stderr}`.trim() }];
    return cases;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

const cases = python.available ? runPytest() : [];

describe.skipIf(!python.available)("integrations/verl (pytest)", () => {
  it("collects its tests", () => {
    expect(cases.length).toBeGreaterThan(0);
  });
  it.each(cases.map((entry) => [entry.name, entry] as const))("%s", (_name, entry) => {
    expect(entry.outcome, entry.detail).not.toBe("failed");
  });
});
