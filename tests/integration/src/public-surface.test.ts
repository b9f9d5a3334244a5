// The reviewed public surfaces: every published entry point has a committed API report
// (`packages/<folder>/api/<entry>.api.md`, written by `npm run api:report`; `tools/api-report.mjs
// --check` fails CI when a built surface drifts from it). These tests read the committed reports and
// hold the surfaces to the house rules: no zod in a public declaration, every export has a user outside
// its package or a mention in its README, and each shared helper is exported by its owner alone.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..", "..", "..");

interface PublishedPackage {
  readonly name: string;
  readonly folder: string;
  readonly entries: readonly { readonly subpath: string; readonly report: string }[];
}

function publishedPackages(): PublishedPackage[] {
  const patterns: string[] = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).workspaces;
  return patterns.flatMap((pattern) => {
    const base = join(root, pattern.replace(/\/\*$/, ""));
    return readdirSync(base, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(base, entry.name, "package.json")))
      .map((entry) => ({
        folder: join(base, entry.name),
        manifest: JSON.parse(readFileSync(join(base, entry.name, "package.json"), "utf8")),
      }))
      .filter(({ manifest }) => manifest.private !== true)
      .map(({ folder, manifest }) => ({
        name: manifest.name as string,
        folder,
        entries: Object.keys(manifest.exports as Record<string, unknown>)
          .filter((subpath) => !subpath.endsWith(".json"))
          .map((subpath) => ({
            subpath,
            report: join(folder, "api", `${subpath === "." ? "index" : subpath.slice(2).replaceAll("/", "-")}.api.md`),
          })),
      }));
  });
}

/** The names an API Extractor report declares as exported. */
export function exportedNames(report: string): string[] {
  const names = new Set<string>();
  for (const match of report.matchAll(
    /^export (?:declare )?(?:abstract )?(?:function|interface|type|const|let|class|enum|namespace) ([A-Za-z_$][\w$]*)/gm,
  )) {
    names.add(match[1]!);
  }
  return [...names];
}

/** Every identifier-like word of the tracked text files outside `folder`, and which file has it. */
function wordsOutside(folder: string, files: readonly string[]): Set<string> {
  const words = new Set<string>();
  for (const file of files) {
    if (file.startsWith(folder + sep)) continue;
    for (const match of readFileSync(file, "utf8").matchAll(/[A-Za-z_$][\w$]*/g)) words.add(match[0]);
  }
  return words;
}

function codeFiles(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    if (["node_modules", "dist", "api", ".test-results", "reports", ".readme-examples"].includes(entry.name)) return [];
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return codeFiles(path);
    return /\.(ts|mts|mjs|js)$/.test(entry.name) ? [path] : [];
  });
}

const packages = publishedPackages();

describe("public surfaces", () => {
  it("every published entry point has a committed API report", () => {
    const missing = packages.flatMap((pkg) =>
      pkg.entries.filter((entry) => !existsSync(entry.report)).map((entry) => relative(root, entry.report)),
    );
    expect(missing, "run `npm run build && npm run api:report` and commit the reports").toEqual([]);
  });

  it("no public declaration mentions zod (validators are public, their schemas are internal)", () => {
    const offences = packages.flatMap((pkg) =>
      pkg.entries
        .filter(
          (entry) => existsSync(entry.report) && /from 'zod'|\bz\.Zod|\$Zod/.test(readFileSync(entry.report, "utf8")),
        )
        .map((entry) => relative(root, entry.report)),
    );
    expect(offences).toEqual([]);
  });

  it("every export has a user outside its package or a mention in its README", () => {
    // Users: code anywhere in the repository outside the package (other packages' sources and tests,
    // the integration tests, the tools). A README mention counts, because users read it first.
    const files = [
      ...codeFiles(join(root, "packages")),
      ...codeFiles(join(root, "tests")),
      ...codeFiles(join(root, "tools")),
    ];
    const unused: string[] = [];
    for (const pkg of packages) {
      const outside = wordsOutside(pkg.folder, files);
      const readme = existsSync(join(pkg.folder, "README.md"))
        ? readFileSync(join(pkg.folder, "README.md"), "utf8")
        : "";
      for (const entry of pkg.entries.filter((candidate) => existsSync(candidate.report))) {
        for (const name of exportedNames(readFileSync(entry.report, "utf8"))) {
          if (outside.has(name) || new RegExp(`\\b${name.replace(/\$/g, "\\$")}\\b`).test(readme)) continue;
          unused.push(`${pkg.name}${entry.subpath === "." ? "" : entry.subpath.slice(1)}: ${name}`);
        }
      }
    }
    expect(unused, "export only what users call: remove the export, or document it in the package README").toEqual([]);
  });

  it("each shared helper of docs/architecture.md is exported by its owner, @finemem/utils, and by no other package", () => {
    const text = readFileSync(join(root, "docs", "architecture.md"), "utf8");
    const section = text.slice(text.indexOf("## Shared runtime helpers and their owners"));
    const rows = section
      .slice(0, section.indexOf("\n## ", 3))
      .split("\n")
      .filter((line) => line.startsWith("| ") && !line.startsWith("| Helper") && !line.startsWith("| ---"));
    const names = (cell: string) => [...cell.matchAll(/`([A-Za-z_$][\w$]*)`/g)].map((match) => match[1]!);
    // A row owned by utils names its helpers in both cells; a shared row (an interface in spec, its
    // implementation in utils) names utils' part in the owner cell.
    const helpers = rows.flatMap((row) => {
      const [, helper = "", owner = ""] = row.split("|");
      if (owner.trim().startsWith("`@finemem/utils`")) return [...names(helper), ...names(owner)];
      return owner.includes("`@finemem/utils`") ? names(owner) : [];
    });
    expect(helpers.length, "the table names the helpers it assigns to @finemem/utils").toBeGreaterThan(8);
    const exporters = new Map<string, string[]>();
    for (const pkg of packages) {
      for (const entry of pkg.entries.filter((candidate) => existsSync(candidate.report))) {
        for (const name of exportedNames(readFileSync(entry.report, "utf8")))
          exporters.set(name, [...(exporters.get(name) ?? []), pkg.name]);
      }
    }
    for (const helper of helpers) expect(exporters.get(helper), helper).toEqual(["@finemem/utils"]);
  });

  it("the report parser finds every kind of declaration (checked on a hand-written report)", () => {
    const report = [
      "export function attributeEpisode(options: AttributeEpisodeOptions): Promise<EpisodeAttribution>;",
      "export interface Attribution {",
      "    readonly beta: number;",
      "}",
      'export type Code = "a" | "b";',
      "export const DEFAULT_BETA: 0.5;",
      "export class AttributionError extends FineMemError {",
      "export abstract class Base {",
      "export namespace Inner {",
      "// export function commented(): void;",
    ].join("\n");
    expect(exportedNames(report)).toEqual([
      "attributeEpisode",
      "Attribution",
      "Code",
      "DEFAULT_BETA",
      "AttributionError",
      "Base",
      "Inner",
    ]);
  });
});
