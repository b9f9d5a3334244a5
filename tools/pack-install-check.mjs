// Packs every published workspace package, installs each tarball into an empty project (with the
// tarballs of the workspace packages it depends on, and its other dependencies from the registry),
// imports every entry point it exports, runs the README examples of the packages listed below, and
// prints each installed size. Then, in one newcomer project with every tarball (and every optional
// peer) installed together, typechecks an import of every entry point under `strict` without
// skipLibCheck, and runs the installed `finemem` command line as a newcomer would, checking its
// messages and exit codes. Run after the build.
import { execFileSync, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import ts from "typescript";
import { readReadmeExamples } from "./readme-examples.mjs";

/**
 * Packages whose README examples also run in the scratch install, on the package's tarball and its
 * dependencies alone (before any optional peer is added), and must print their documented output
 * there as they do in the package's readme test. List a package here only when its examples need no
 * service, model, optional peer, dev dependency or file of the repository.
 */
const README_EXAMPLES_FROM_TARBALL = new Set(["@finemem/agent", "@finemem/kernels"]);

/**
 * The main job of each command line a package installs, as a user's first `npx <bin>` runs it: the
 * arguments, and what its output must show. A package with a bin not listed here fails the check.
 */
const BIN_MAIN_JOBS = {
  finemem: { args: ["eval", "--quiet"], shows: /average over/, what: "the results table" },
  "finemem-mcp": { args: ["--help"], shows: /finemem-mcp/, what: "its usage" },
};

/** The console.log of tools/readme-examples.mjs (strings as they are, other values as JSON), so outputs compare the same. */
const CONSOLE_LOG_AS_IN_README_TESTS =
  'console.log = (...values) => process.stdout.write(values.map((value) => (typeof value === "string" ? value : JSON.stringify(value))).join(" ") + "\\n");\n';

const root = resolve(import.meta.dirname, "..");
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

const workspaces = manifest.workspaces.flatMap((pattern) => {
  const base = join(root, pattern.replace(/\/\*$/, ""));
  return readdirSync(base, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(base, entry.name, "package.json")))
    .map((entry) => ({
      folder: join(base, entry.name),
      manifest: JSON.parse(readFileSync(join(base, entry.name, "package.json"), "utf8")),
    }));
});
const published = workspaces.filter((workspace) => workspace.manifest.private !== true);
const byName = new Map(published.map((workspace) => [workspace.manifest.name, workspace]));

const work = mkdtempSync(join(tmpdir(), "finemem-pack-"));
const tarballs = new Map();
const npmEnv = {
  ...process.env,
  ONNXRUNTIME_NODE_INSTALL: "skip",
  NODE_LLAMA_CPP_SKIP_DOWNLOAD: "true",
  npm_config_fund: "false",
  npm_config_audit: "false",
};
const failures = [];
const rows = [];
const newcomerChecks = [];

try {
  for (const workspace of published) {
    if (!existsSync(join(workspace.folder, "dist")))
      throw new Error(`${workspace.manifest.name} is not built (no dist/): run the build first`);
    const output = execFileSync("npm", ["pack", "--json", "--pack-destination", work], {
      cwd: workspace.folder,
      env: npmEnv,
      encoding: "utf8",
    });
    const [packed] = JSON.parse(output);
    tarballs.set(workspace.manifest.name, {
      file: join(work, packed.filename),
      packedSize: packed.size,
      unpackedSize: packed.unpackedSize,
    });
  }

  for (const workspace of published) {
    const name = workspace.manifest.name;
    const project = join(work, `install-${name.replace(/[@/]/g, "_")}`);
    mkdirSync(project);
    // The package, plus the tarball of every workspace package it needs (transitively), so the
    // check never reaches for an unpublished sibling on the registry.
    const needed = new Set([name]);
    const queue = [name];
    while (queue.length > 0) {
      const current = byName.get(queue.pop());
      const { dependencies = {}, peerDependencies = {} } = current.manifest;
      for (const dependency of Object.keys({ ...dependencies, ...peerDependencies })) {
        if (byName.has(dependency) && !needed.has(dependency)) {
          needed.add(dependency);
          queue.push(dependency);
        }
      }
    }
    const dependencies = Object.fromEntries(
      [...needed].map((dependency) => [dependency, `file:${tarballs.get(dependency).file}`]),
    );
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({ name: "pack-check", private: true, type: "module", dependencies }, null, 2),
    );
    const entries = Object.keys(workspace.manifest.exports ?? { ".": null })
      .filter((subpath) => !subpath.endsWith(".json"))
      .map((subpath) => (subpath === "." ? name : `${name}/${subpath.slice(2)}`));
    const importScript = (list) => {
      const imports = list
        .map(
          (entry, index) =>
            `const m${index} = await import(${JSON.stringify(entry)});\nif (Object.keys(m${index}).length === 0) throw new Error(${JSON.stringify(`${entry} exports nothing`)});`,
        )
        .join("\n");
      return `${imports}\nconsole.log("imported ${list.join(", ")}");\n`;
    };
    // Optional peers (database drivers, model runtimes) are what a user adds for one entry point:
    // the main entry must import without them, and every entry must import once they are added.
    const { peerDependencies = {}, peerDependenciesMeta = {}, devDependencies = {} } = workspace.manifest;
    const optionalPeers = Object.keys(peerDependencies).filter(
      (peer) => peerDependenciesMeta[peer]?.optional === true && !byName.has(peer),
    );
    try {
      execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], {
        cwd: project,
        env: npmEnv,
        stdio: ["ignore", "pipe", "pipe"],
      });
      writeFileSync(join(project, "check-main.mjs"), importScript([name]));
      let imported = execFileSync(process.execPath, ["check-main.mjs"], { cwd: project, encoding: "utf8" }).trim();
      const installed = folderSize(join(project, "node_modules", ...name.split("/")));
      const total = folderSize(join(project, "node_modules"));
      const readmeExamples = README_EXAMPLES_FROM_TARBALL.has(name)
        ? `; ${runReadmeExamples(workspace.folder, project)}`
        : "";
      if (optionalPeers.length > 0) {
        const peers = optionalPeers.map((peer) => `${peer}@${devDependencies[peer] ?? peerDependencies[peer]}`);
        execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", ...peers], {
          cwd: project,
          env: npmEnv,
          stdio: ["ignore", "pipe", "pipe"],
        });
      }
      writeFileSync(join(project, "check.mjs"), importScript(entries));
      imported =
        execFileSync(process.execPath, ["check.mjs"], { cwd: project, encoding: "utf8" }).trim() + readmeExamples;
      if (optionalPeers.length > 0) imported += `; optional peers: ${optionalPeers.join(", ")}`;
      // A package with a command line: the installed bin runs its main job, as `npx <bin>` would for a user.
      for (const bin of Object.keys(workspace.manifest.bin ?? {})) {
        const job = BIN_MAIN_JOBS[bin];
        if (job === undefined)
          throw new Error(`${bin} has no main job in BIN_MAIN_JOBS (tools/pack-install-check.mjs)`);
        const output = execFileSync(join(project, "node_modules", ".bin", bin), job.args, {
          cwd: project,
          encoding: "utf8",
          stdio: ["ignore", "pipe", "pipe"],
        });
        if (!job.shows.test(output)) throw new Error(`${bin} ${job.args.join(" ")} printed no ${job.what}:\n${output}`);
        imported += `; ran ${bin} ${job.args.join(" ")}`;
      }
      rows.push({ name, packed: tarballs.get(name).packedSize, installed, total, imported });
    } catch (error) {
      failures.push(`${name}: ${error.stderr?.toString() || error.message}`);
    }
  }

  try {
    newcomerProject();
  } catch (error) {
    failures.push(`newcomer project: ${error.stderr?.toString() || error.message}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
console.log("package | tarball | installed package | installed with dependencies");
for (const row of rows)
  console.log(`${row.name} | ${kib(row.packed)} | ${kib(row.installed)} | ${kib(row.total)}   (${row.imported})`);
for (const check of newcomerChecks) console.log(`newcomer: ${check}`);
for (const failure of failures) console.log(`FAILED ${failure}`);
console.log(`pack-and-install: ${rows.length} of ${published.length} packages installed and imported`);
process.exitCode = failures.length > 0 || rows.length !== published.length ? 1 : 0;

/**
 * One project with every tarball installed together, plus every optional peer (at the version the
 * workspace tests with), as a TypeScript user who imports everything would have it: typechecks an
 * import of every entry point (strict, skipLibCheck false, NodeNext), then runs the installed
 * `finemem` command line and checks its messages. Each check that passes is added to newcomerChecks;
 * the first that fails throws.
 */
function newcomerProject() {
  const project = join(work, "newcomer");
  mkdirSync(project);
  const dependencies = Object.fromEntries(
    published.map((workspace) => [workspace.manifest.name, `file:${tarballs.get(workspace.manifest.name).file}`]),
  );
  for (const workspace of published) {
    const { peerDependencies = {}, peerDependenciesMeta = {}, devDependencies = {} } = workspace.manifest;
    for (const peer of Object.keys(peerDependencies)) {
      if (peerDependenciesMeta[peer]?.optional === true && !byName.has(peer)) {
        dependencies[peer] ??= devDependencies[peer] ?? peerDependencies[peer];
        // A peer that ships no types of its own (pg): a TypeScript user of it installs its @types
        // package, as the workspace does (@finemem/memory/postgres's declarations import from "pg").
        const types = `@types/${peer.replace(/^@(.+)\/(.+)$/, "$1__$2")}`;
        if (devDependencies[types] !== undefined) dependencies[types] ??= devDependencies[types];
      }
    }
  }
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({ name: "newcomer-check", private: true, type: "module", dependencies }, null, 2),
  );
  let started = Date.now();
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], {
    cwd: project,
    env: npmEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const peers = Object.keys(dependencies).filter((dependency) => !byName.has(dependency));
  newcomerChecks.push(
    `installed ${published.length} tarballs together, with the optional peers ${peers.join(", ")} (${seconds(started)})`,
  );

  // Every public entry point, typechecked as a strict TypeScript project that checks the packages'
  // declarations too (skipLibCheck: false), so a declaration that needs a type nobody installs fails here.
  started = Date.now();
  const entries = published.flatMap((workspace) =>
    Object.keys(workspace.manifest.exports ?? { ".": null })
      .filter((subpath) => !subpath.endsWith(".json"))
      .map((subpath) => (subpath === "." ? workspace.manifest.name : `${workspace.manifest.name}/${subpath.slice(2)}`)),
  );
  const tsconfig = {
    compilerOptions: {
      strict: true,
      skipLibCheck: false,
      module: "NodeNext",
      moduleResolution: "NodeNext",
      target: "ES2022",
      noEmit: true,
    },
    files: ["check.ts"],
  };
  writeFileSync(join(project, "tsconfig.json"), JSON.stringify(tsconfig, null, 2));
  const checkTs = entries.flatMap((entry, index) => [
    `import type * as t${index} from ${JSON.stringify(entry)};`,
    `import * as m${index} from ${JSON.stringify(entry)};`,
  ]);
  checkTs.push(`export type Types = [${entries.map((_, index) => `typeof t${index}`).join(", ")}];`);
  checkTs.push(`export const modules = [${entries.map((_, index) => `m${index}`).join(", ")}];`);
  writeFileSync(join(project, "check.ts"), `${checkTs.join("\n")}\n`);
  const configFile = join(project, "tsconfig.json");
  const { config } = ts.readConfigFile(configFile, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, project, undefined, configFile);
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
  const diagnostics = [...parsed.errors, ...ts.getPreEmitDiagnostics(program)];
  if (diagnostics.length > 0) {
    const errors = `${diagnostics.length} type error${diagnostics.length === 1 ? "" : "s"}`;
    const host = { getCanonicalFileName: (file) => file, getCurrentDirectory: () => project, getNewLine: () => "\n" };
    const listed = ts.formatDiagnostics(diagnostics, host);
    throw new Error(`check.ts (every entry point, strict, skipLibCheck false) has ${errors}:\n${listed}`);
  }
  const declarations = program.getSourceFiles().filter((file) => file.fileName.includes("/node_modules/")).length;
  newcomerChecks.push(
    `typechecked check.ts importing all ${entries.length} entry points (strict, skipLibCheck false, NodeNext): no errors in it or in the ${declarations} files it loads from node_modules (${seconds(started)})`,
  );

  // Every README example of every package, run in this project (all tarballs and their optional peers
  // installed together, as a user who follows the READMEs has them): each must print its documented output.
  started = Date.now();
  let exampleCount = 0;
  for (const workspace of published) {
    if (readReadmeExamples(join(workspace.folder, "README.md")).length === 0) continue;
    try {
      exampleCount += Number(/^ran (\d+)/.exec(runReadmeExamples(workspace.folder, project))?.[1] ?? 0);
    } catch (error) {
      throw new Error(`${workspace.manifest.name}: ${error.stderr?.toString() || error.message}`);
    }
  }
  newcomerChecks.push(`ran the ${exampleCount} README examples of every package there (${seconds(started)})`);

  // The command line, as a newcomer meets it: its version, its help, a short run, and its answers to mistakes.
  started = Date.now();
  const finememVersion = byName.get("finemem").manifest.version;
  const bin = join(project, "node_modules", ".bin", "finemem");
  const out = join(project, "finemem-out");
  // npm_config_yes=false: npx runs the installed bin and never fetches a `finemem` from the registry
  // (`npx --no finemem --version` would not do: npx then reads --version as its own flag).
  const run = (command, args) => {
    const env = { ...npmEnv, npm_config_yes: "false" };
    const result = spawnSync(command, args, { cwd: project, env, encoding: "utf8", timeout: 120_000 });
    const shown = [command === bin ? "finemem" : command, ...args].join(" ");
    return { status: result.status, stdout: result.stdout ?? "", stderr: result.stderr ?? "", shown };
  };
  const expect = (result, ok, check, what) => {
    const passed = (ok ? result.status === 0 : result.status !== 0 && result.status !== null) && check(result);
    if (!passed) {
      const printed = `stdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
      throw new Error(
        `\`${result.shown}\` was to exit ${ok ? "0" : "non-zero"} having ${what}; it exited ${result.status}\n${printed}`,
      );
    }
    return `\`${result.shown}\` (exit ${result.status}) ${what}`;
  };
  const cli = [
    expect(
      run("npx", ["finemem", "--version"]),
      true,
      (result) => result.stdout.trim() === finememVersion,
      `printed ${finememVersion}`,
    ),
    expect(run(bin, ["--help"]), true, (result) => /^\s+eval\b/m.test(result.stdout), "listed eval"),
    expect(run(bin, ["eval", "--help"]), true, (result) => result.stdout.includes("--limit"), "mentioned --limit"),
    (() => {
      const result = run(bin, ["eval", "--limit", "1", "--quiet", "--out", out]);
      const report = /^report: (.+)$/m.exec(result.stdout)?.[1]?.trim();
      const reportExists = report !== undefined && existsSync(resolve(project, report));
      return expect(
        result,
        true,
        () => /^average over /m.test(result.stdout) && reportExists,
        `printed an "average over" line and a report: line whose file exists (${report})`,
      );
    })(),
    expect(
      run(bin, ["evl"]),
      false,
      (result) => `${result.stdout}${result.stderr}`.includes('did you mean "eval"'),
      'said did you mean "eval"',
    ),
    (() => {
      const result = run(bin, ["eval", "--limit", "0"]);
      const message = result.stderr.trim();
      return expect(
        result,
        false,
        () => message.length > 0 && !message.includes("\n") && message.includes("--limit"),
        `said in one line naming --limit: ${message}`,
      );
    })(),
  ];
  newcomerChecks.push(...cli, `ran the finemem command line 6 times (${seconds(started)})`);
}

/** @returns {string} the seconds since `started`, e.g. `4.2 s` */
function seconds(started) {
  return `${((Date.now() - started) / 1000).toFixed(1)} s`;
}

/**
 * Runs each `ts example` of the package's README in the scratch project (type-stripped to plain
 * JavaScript, so it runs on Node 20) and checks that it prints its `text output` block.
 * @returns {string} what ran, for the summary line
 */
function runReadmeExamples(folder, project) {
  const examples = readReadmeExamples(join(folder, "README.md"));
  if (examples.length === 0)
    throw new Error("README_EXAMPLES_FROM_TARBALL lists it, but its README has no `ts example`");
  for (const example of examples) {
    if (example.expectedOutput === null)
      throw new Error(`README example at line ${example.line} has no \`text output\` block`);
    const { outputText } = ts.transpileModule(example.code, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    const file = `readme-example-line-${example.line}.mjs`;
    writeFileSync(join(project, file), CONSOLE_LOG_AS_IN_README_TESTS + outputText);
    const printed = execFileSync(process.execPath, [file], {
      cwd: project,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    }).replace(/\n$/, "");
    if (printed !== example.expectedOutput) {
      throw new Error(
        `README example at line ${example.line} printed\n${printed}\ninstead of\n${example.expectedOutput}`,
      );
    }
  }
  return `ran ${examples.length} README example${examples.length === 1 ? "" : "s"}`;
}

function folderSize(path) {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.size;
  return readdirSync(path).reduce((total, entry) => total + folderSize(join(path, entry)), 0);
}
