// The repository's structural rules, checked against the files a person reads: the README's package
// table and docs/architecture.md are the oracle for what the workspace should contain and how its
// dependencies may point.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..", "..", "..");

interface Workspace {
  readonly name: string;
  readonly folder: string;
  readonly manifest: {
    name: string;
    private?: boolean;
    exports?: Record<string, unknown>;
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
    optionalDependencies?: Record<string, string>;
    peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  };
}

function workspaces(): Workspace[] {
  const patterns: string[] = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).workspaces;
  return patterns.flatMap((pattern) => {
    const base = join(root, pattern.replace(/\/\*$/, ""));
    return readdirSync(base, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(base, entry.name, "package.json")))
      .map((entry) => {
        const folder = join(base, entry.name);
        const manifest = JSON.parse(readFileSync(join(folder, "package.json"), "utf8"));
        return { name: manifest.name as string, folder, manifest };
      });
  });
}

/** The rows of the first Markdown table after `heading`. */
function tableAfter(file: string, heading: string): string[][] {
  const lines = readFileSync(join(root, file), "utf8").split("\n");
  const start = lines.findIndex((line) => line.trim() === heading);
  expect(start, `${file} has a "${heading}" section`).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  let inTable = false;
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith("#")) break;
    if (line.trim().startsWith("|")) {
      inTable = true;
      rows.push(
        line
          .trim()
          .slice(1, -1)
          .split("|")
          .map((cell) => cell.trim()),
      );
    } else if (inTable) break;
  }
  return rows.slice(2);
}

const packageName = (cell: string) => /`((?:@finemem\/)?[a-z0-9-]+)`/.exec(cell)?.[1] ?? cell;
const internalDependencies = (workspace: Workspace, names: ReadonlySet<string>) => {
  const {
    dependencies = {},
    devDependencies = {},
    peerDependencies = {},
    optionalDependencies = {},
  } = workspace.manifest;
  return [
    ...new Set([
      ...Object.keys(dependencies),
      ...Object.keys(devDependencies),
      ...Object.keys(peerDependencies),
      ...Object.keys(optionalDependencies),
    ]),
  ].filter((name) => names.has(name));
};

describe("workspace structure", () => {
  const all = workspaces();
  const names = new Set(all.map((workspace) => workspace.name));

  it("the README's package table lists exactly the workspace's packages", () => {
    const listed = tableAfter("README.md", "## Packages").map((row) => packageName(row[0]!));
    expect([...listed].sort()).toEqual([...names].sort());
  });

  it("docs/architecture.md lists exactly the workspace's packages, and whether each is published", () => {
    const rows = tableAfter("docs/architecture.md", "## Packages");
    expect(rows.map((row) => packageName(row[0]!)).sort()).toEqual([...names].sort());
    for (const row of rows) {
      const workspace = all.find((candidate) => candidate.name === packageName(row[0]!))!;
      expect(row[2]!.startsWith("yes"), `${workspace.name}'s Published column`).toBe(
        workspace.manifest.private !== true,
      );
    }
  });

  it("dependencies point down the documented layers, so there is no cycle", () => {
    const layers = new Map(
      tableAfter("docs/architecture.md", "## Packages").map((row) => [packageName(row[0]!), Number(row[1])]),
    );
    for (const workspace of all) {
      for (const dependency of internalDependencies(workspace, names)) {
        expect(layers.get(dependency)!, `${workspace.name} → ${dependency}`).toBeLessThan(layers.get(workspace.name)!);
      }
    }
    // An independent check that needs no layers: depth-first search for a back edge.
    const state = new Map<string, "open" | "done">();
    const visit = (name: string, trail: string[]) => {
      if (state.get(name) === "done") return;
      expect(state.get(name), `cycle: ${[...trail, name].join(" → ")}`).not.toBe("open");
      state.set(name, "open");
      const workspace = all.find((candidate) => candidate.name === name)!;
      for (const dependency of internalDependencies(workspace, names)) visit(dependency, [...trail, name]);
      state.set(name, "done");
    };
    for (const name of names) visit(name, []);
  });

  it("@finemem/spec depends on no workspace package, and every other package depends on it", () => {
    const spec = all.find((workspace) => workspace.name === "@finemem/spec")!;
    expect(internalDependencies(spec, names)).toEqual([]);
    for (const workspace of all.filter((candidate) => candidate.name !== "@finemem/spec")) {
      const { dependencies = {}, peerDependencies = {} } = workspace.manifest;
      expect(Object.keys({ ...dependencies, ...peerDependencies }), workspace.name).toContain("@finemem/spec");
    }
  });

  it("@finemem/utils, the owner of every shared runtime helper, depends on @finemem/spec alone at run time", () => {
    // So that any package can take a helper from it without pulling in a domain package.
    const utils = all.find((workspace) => workspace.name === "@finemem/utils")!;
    const { dependencies = {}, peerDependencies = {}, optionalDependencies = {} } = utils.manifest;
    expect(
      Object.keys({ ...dependencies, ...peerDependencies, ...optionalDependencies }).filter((name) => names.has(name)),
    ).toEqual(["@finemem/spec"]);
  });

  it("published packages never dev-depend on published siblings (cross-package tests live in a private workspace)", () => {
    const published = new Set(
      all.filter((workspace) => !workspace.manifest.private).map((workspace) => workspace.name),
    );
    for (const workspace of all.filter((candidate) => published.has(candidate.name))) {
      const siblings = Object.keys(workspace.manifest.devDependencies ?? {}).filter((name) => published.has(name));
      expect(siblings, workspace.name).toEqual([]);
      const runtime = Object.keys({ ...workspace.manifest.dependencies, ...workspace.manifest.peerDependencies });
      expect(
        runtime.filter((name) => names.has(name) && !published.has(name)),
        `${workspace.name} needs a private package at run time`,
      ).toEqual([]);
    }
  });

  it("@finemem/agent needs only the store and the policies: no benchmarks, rewards, YAML or CLI, even transitively", () => {
    const agent = all.find((workspace) => workspace.name === "@finemem/agent")!;
    const runtime = (workspace: Workspace) =>
      Object.keys({ ...workspace.manifest.dependencies, ...workspace.manifest.peerDependencies });
    expect(Object.keys(agent.manifest.dependencies ?? {}).sort()).toEqual([
      "@finemem/memory",
      "@finemem/policy",
      "@finemem/spec",
      "@finemem/utils",
    ]);
    // createMemory's default store, loaded only when it opens one (as @finemem/memory/pglite does).
    expect(agent.manifest.peerDependencies).toEqual({ "@electric-sql/pglite": "^0.5.16" });
    expect(agent.manifest.peerDependenciesMeta).toEqual({ "@electric-sql/pglite": { optional: true } });
    const installed = new Set<string>();
    const queue = [agent.name];
    while (queue.length > 0) {
      const workspace = all.find((candidate) => candidate.name === queue.pop());
      for (const dependency of workspace === undefined ? [] : runtime(workspace)) {
        if (installed.has(dependency)) continue;
        installed.add(dependency);
        queue.push(dependency);
      }
    }
    for (const forbidden of ["@finemem/benchmarks", "@finemem/step-reward", "@finemem/evidence", "finemem", "yaml"]) {
      expect(installed.has(forbidden), `@finemem/agent pulls in ${forbidden}`).toBe(false);
    }
  });

  it("no source imports another package's internals", () => {
    const exportsOf = new Map(
      all.map((workspace) => [workspace.name, Object.keys(workspace.manifest.exports ?? { ".": null })]),
    );
    const offences: string[] = [];
    for (const workspace of all) {
      for (const file of sourceFiles(join(workspace.folder, "src"))) {
        const text = readFileSync(file, "utf8");
        for (const match of text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)["']([^"']+)["']/g)) {
          const specifier = match[1]!;
          const where = relative(root, file);
          if (specifier.startsWith(".")) {
            const target = resolve(dirname(file), specifier);
            const inside = target.startsWith(workspace.folder + sep);
            const tooling = target.startsWith(join(root, "tools") + sep);
            if (!inside && !tooling) offences.push(`${where}: ${specifier} leaves its package`);
            continue;
          }
          const owner = [...names].find((name) => specifier === name || specifier.startsWith(`${name}/`));
          if (owner === undefined) continue;
          const subpath = specifier === owner ? "." : `./${specifier.slice(owner.length + 1)}`;
          if (!exportsOf.get(owner)!.includes(subpath))
            offences.push(`${where}: ${specifier} is not an export of ${owner}`);
        }
      }
    }
    expect(offences).toEqual([]);
  });
});

describe("contributor documents match the workspace", () => {
  const rootScripts: Record<string, string> = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts;

  for (const file of ["README.md", "CONTRIBUTING.md", "docs/architecture.md", "docs/method.md"]) {
    it(`${file}: every \`npm run\` script exists and every repository path it names exists`, () => {
      const text = readFileSync(join(root, file), "utf8");
      const scripts = [...text.matchAll(/npm run ([a-z][\w:.-]*)/g)].map((match) => match[1]!);
      expect(
        scripts.filter((script) => rootScripts[script] === undefined),
        "scripts the root package.json lacks",
      ).toEqual([]);
      const paths = [
        ...text.matchAll(/(?:`|\]\()((?:packages|tests|tools|docs|\.ci|\.changeset)\/[\w./-]*[\w/])(?:`|\)|#)/g),
      ].map((match) => match[1]!);
      expect(
        paths.filter((path) => !path.includes("*") && !path.includes("<") && !existsSync(join(root, path))),
        "paths that do not exist",
      ).toEqual([]);
    });
  }

  it("the READMEs say how to install transformers.js offline (onnxruntime-node's postinstall needs a network)", () => {
    // A newcomer offline saw `npm install @huggingface/transformers` fail in onnxruntime-node's postinstall.
    for (const file of ["README.md", "packages/policy/README.md"]) {
      expect(readFileSync(join(root, file), "utf8"), file).toContain("ONNXRUNTIME_NODE_INSTALL=skip npm install");
    }
  });

  it("CONTRIBUTING.md's package recipe names files every published package has", () => {
    for (const workspace of workspaces().filter((candidate) => candidate.manifest.private !== true)) {
      for (const file of [
        "LICENSE",
        "README.md",
        "tsup.config.ts",
        "vitest.config.ts",
        "tsconfig.json",
        "src/readme.test.ts",
      ]) {
        expect(existsSync(join(workspace.folder, file)), `${workspace.name}: ${file}`).toBe(true);
      }
      const manifest = workspace.manifest as Workspace["manifest"] & {
        repository?: { directory?: string };
        homepage?: string;
        bugs?: unknown;
        license?: string;
        scripts?: Record<string, string>;
      };
      expect(manifest.repository?.directory, `${workspace.name}: repository.directory`).toBe(
        relative(root, workspace.folder),
      );
      expect(manifest.homepage, `${workspace.name}: homepage`).toBeDefined();
      expect(manifest.bugs, `${workspace.name}: bugs`).toBeDefined();
      expect(manifest.license, `${workspace.name}: license`).toBe("MIT");
      for (const script of ["api-report", "build", "check-exports", "test", "typecheck"]) {
        expect(manifest.scripts?.[script], `${workspace.name}: the ${script} script`).toBeDefined();
      }
    }
  });
});

function sourceFiles(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|js|mjs)$/.test(entry.name) ? [path] : [];
  });
}
