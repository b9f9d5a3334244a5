// The reviewed public surface of every published package: one API Extractor report per entry point
// (`packages/<folder>/api/<entry>.api.md`), generated from the built `.d.ts` files.
//
//   node tools/api-report.mjs            rewrite the reports of every package (after the build)
//   node tools/api-report.mjs --check    fail when a built surface differs from its committed report
//   node tools/api-report.mjs --check --package spec,memory
//
// A surface that changes without its report fails CI: the diff of the report is what a reviewer reads
// to see an export added, removed or retyped. The same pass refuses a public declaration that mentions
// zod (validators are public, their schemas are not: zod's types must not become our API).

import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { Extractor, ExtractorConfig } from "@microsoft/api-extractor";

const root = resolve(import.meta.dirname, "..");

/** Published workspace packages, from the root manifest's workspace patterns. */
export function publishedPackages() {
  const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  return manifest.workspaces.flatMap((pattern) => {
    const base = join(root, pattern.replace(/\/\*$/, ""));
    return readdirSync(base, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(base, entry.name, "package.json")))
      .map((entry) => {
        const folder = join(base, entry.name);
        return { folder, manifest: JSON.parse(readFileSync(join(folder, "package.json"), "utf8")) };
      })
      .filter((workspace) => workspace.manifest.private !== true);
  });
}

/** Each entry point of a package: its subpath, the built declaration file, and the report's name. */
export function entryPoints(workspace) {
  return Object.entries(workspace.manifest.exports ?? {})
    .filter(([subpath]) => !subpath.endsWith(".json"))
    .map(([subpath, target]) => {
      const types = typeof target === "string" ? target : target.types;
      const entry = subpath === "." ? "index" : subpath.slice(2).replaceAll("/", "-");
      return {
        subpath,
        declarations: join(workspace.folder, types),
        report: join(workspace.folder, "api", `${entry}.api.md`),
      };
    });
}

/** The declaration files an entry's `.d.ts` reaches through relative imports (tsup's shared chunks). */
function reachableDeclarations(file, seen = new Set()) {
  if (seen.has(file) || !existsSync(file)) return seen;
  seen.add(file);
  const text = readFileSync(file, "utf8");
  for (const match of text.matchAll(/from\s+["'](\.{1,2}\/[^"']+)["']/g)) {
    const target = resolve(dirname(file), match[1].replace(/\.js$/, ".d.ts"));
    reachableDeclarations(target.endsWith(".d.ts") ? target : `${target}.d.ts`, seen);
  }
  return seen;
}

/** Lines of built declarations that import or name zod. */
export function zodMentions(declarationFile) {
  const hits = [];
  for (const file of reachableDeclarations(declarationFile)) {
    const lines = readFileSync(file, "utf8").split("\n");
    const found = lines.flatMap((line, index) =>
      /["']zod(\/[^"']*)?["']|\bz\.(core\.)?\$?Zod/.test(line) ? [index + 1] : [],
    );
    if (found.length > 0)
      hits.push(
        `${relative(root, file)} (${found.length} lines, first at line ${found[0]}: ${lines[found[0] - 1].trim()})`,
      );
  }
  return hits;
}

function runExtractor(workspace, entry, check, scratch) {
  mkdirSync(dirname(entry.report), { recursive: true });
  const config = ExtractorConfig.prepare({
    configObject: {
      projectFolder: workspace.folder,
      mainEntryPointFilePath: entry.declarations,
      // LF like every other file of the repository (.editorconfig); API Extractor defaults to CRLF.
      newlineKind: "lf",
      compiler: {
        overrideTsconfig: {
          compilerOptions: {
            lib: ["ES2023", "DOM"],
            types: ["node"],
            skipLibCheck: true,
            module: "esnext",
            moduleResolution: "bundler",
            target: "es2022",
            strict: true,
          },
        },
      },
      apiReport: {
        enabled: true,
        reportFolder: dirname(entry.report),
        reportTempFolder: scratch,
        reportFileName: entry.report.slice(dirname(entry.report).length + 1),
      },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: {
        compilerMessageReporting: { default: { logLevel: "warning" } },
        // Release tags are not how this project marks stability (semver and changesets are); a type a
        // public signature uses without exporting it stays visible in the report, as a review note.
        extractorMessageReporting: {
          default: { logLevel: "none", addToApiReportFile: true },
          "ae-missing-release-tag": { logLevel: "none", addToApiReportFile: false },
          "ae-unresolved-link": { logLevel: "none", addToApiReportFile: false },
          // Undocumented members are marked "(undocumented)" in the report itself; the footer's copy
          // names built-file line numbers, which would churn with every unrelated change.
          "ae-undocumented": { logLevel: "none", addToApiReportFile: false },
        },
        tsdocMessageReporting: { default: { logLevel: "none", addToApiReportFile: false } },
      },
    },
    configObjectFullPath: undefined,
    packageJsonFullPath: join(workspace.folder, "package.json"),
  });
  const messages = [];
  const result = Extractor.invoke(config, {
    localBuild: !check,
    messageCallback: (message) => {
      // The report's own change notices are summarised below; keep real problems.
      if (
        [
          "console-api-report-changed",
          "console-api-report-created",
          "console-api-report-copied",
          "console-api-report-not-copied",
        ].includes(message.messageId)
      ) {
        message.handled = true;
        return;
      }
      if (message.logLevel === "error" || message.logLevel === "warning")
        messages.push(message.formatMessageWithoutLocation?.() ?? message.text);
      message.handled = true;
    },
  });
  return { changed: result.apiReportChanged, succeeded: result.succeeded, messages };
}

function main() {
  const { values } = parseArgs({
    options: { check: { type: "boolean", default: false }, package: { type: "string" } },
  });
  const only = values.package === undefined ? undefined : new Set(values.package.split(","));
  const scratch = mkdtempSync(join(tmpdir(), "finemem-api-"));
  const problems = [];
  let reports = 0;
  try {
    for (const workspace of publishedPackages()) {
      const folderName = workspace.folder.slice(dirname(workspace.folder).length + 1);
      if (only !== undefined && !only.has(folderName) && !only.has(workspace.manifest.name)) continue;
      for (const entry of entryPoints(workspace)) {
        const label =
          entry.subpath === "." ? workspace.manifest.name : `${workspace.manifest.name}/${entry.subpath.slice(2)}`;
        if (!existsSync(entry.declarations)) {
          problems.push(
            `${label}: ${relative(root, entry.declarations)} is missing: run the build first (npm run build)`,
          );
          continue;
        }
        for (const hit of zodMentions(entry.declarations))
          problems.push(`${label}: a public declaration mentions zod: ${hit}`);
        const outcome = runExtractor(workspace, entry, values.check, scratch);
        reports++;
        for (const message of outcome.messages) problems.push(`${label}: ${message}`);
        if (values.check && outcome.changed) {
          problems.push(
            `${label}: the public surface differs from ${relative(root, entry.report)}: run \`npm run api:report\` after the build, review the diff and commit it`,
          );
        } else if (!values.check && outcome.changed) {
          console.log(`updated ${relative(root, entry.report)}`);
        }
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  for (const problem of problems) console.error(problem);
  console.log(`${reports} API reports ${values.check ? "checked" : "written"}, ${problems.length} problem(s)`);
  if (problems.length > 0) process.exitCode = 1;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename)) main();
