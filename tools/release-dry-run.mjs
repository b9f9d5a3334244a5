// The release, rehearsed: on a scratch branch in a throwaway worktree, `changeset version` consumes the
// pending changesets (new versions, changelogs, internal dependency ranges), then `npm publish
// --dry-run` runs for every published package with the built `dist/` of this checkout. Nothing is
// pushed or published, and the checkout it runs from is left as it was. Run after the build.
//
//   node tools/release-dry-run.mjs
//
// It fails when `changeset version` fails, when a package would publish without its README, LICENSE
// or built entry points, or when a package's new version leaves a sibling's dependency range behind,
// so that the first real release is `npx changeset version && npx changeset publish`.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const env = {
  ...process.env,
  npm_config_fund: "false",
  npm_config_audit: "false",
  npm_config_update_notifier: "false",
};
const git = (args, cwd = root) => execFileSync("git", args, { cwd, env, encoding: "utf8" }).trim();

function workspaceFolders(base) {
  const manifest = JSON.parse(readFileSync(join(base, "package.json"), "utf8"));
  return manifest.workspaces.flatMap((pattern) => {
    const parent = join(base, pattern.replace(/\/\*$/, ""));
    return readdirSync(parent, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(parent, entry.name, "package.json")))
      .map((entry) => join(parent, entry.name));
  });
}

const scratch = mkdtempSync(join(tmpdir(), "finemem-release-"));
const worktree = join(scratch, "repo");
const branch = `release-dry-run-${process.pid}`;
const problems = [];
let worktreeAdded = false;

try {
  // Committed state only: the rehearsal is of what would be released from HEAD.
  git(["worktree", "add", "--quiet", "-b", branch, worktree, "HEAD"]);
  worktreeAdded = true;
  symlinkSync(join(root, "node_modules"), join(worktree, "node_modules"), "dir");
  const pending = readdirSync(join(worktree, ".changeset")).filter(
    (file) => file.endsWith(".md") && file !== "README.md",
  );
  console.log(`${pending.length} pending changeset(s)`);
  execFileSync(process.execPath, [join(root, "node_modules", "@changesets", "cli", "bin.js"), "version"], {
    cwd: worktree,
    env,
    stdio: "inherit",
  });

  const folders = workspaceFolders(worktree);
  const manifests = new Map(
    folders.map((folder) => [folder, JSON.parse(readFileSync(join(folder, "package.json"), "utf8"))]),
  );
  const versions = new Map([...manifests.values()].map((manifest) => [manifest.name, manifest.version]));
  for (const [folder, manifest] of manifests) {
    if (manifest.private === true) continue;
    const label = `${manifest.name}@${manifest.version}`;
    for (const field of ["dependencies", "peerDependencies"]) {
      for (const [dependency, range] of Object.entries(manifest[field] ?? {})) {
        if (versions.has(dependency) && !range.replace(/^[\^~]/, "").startsWith(versions.get(dependency))) {
          problems.push(
            `${label}: ${field}.${dependency} is ${range}, but the release versions ${dependency} ${versions.get(dependency)}`,
          );
        }
      }
    }
    const built = join(root, relative(worktree, folder), "dist");
    if (!existsSync(built)) {
      problems.push(`${label}: ${relative(root, built)} is missing: run the build first (npm run build)`);
      continue;
    }
    cpSync(built, join(folder, "dist"), { recursive: true });
    const output = execFileSync("npm", ["publish", "--dry-run", "--json", "--tag", "dry-run"], {
      cwd: folder,
      env,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    // npm 11 keys the report by package name; older versions printed the bare report.
    const parsed = JSON.parse(output.slice(output.indexOf("{")));
    const report = parsed[manifest.name] ?? parsed;
    const files = new Set(report.files.map((file) => file.path));
    for (const required of ["package.json", "README.md", "LICENSE"])
      if (!files.has(required)) problems.push(`${label}: the tarball lacks ${required}`);
    for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
      const paths = typeof target === "string" ? [target] : Object.values(target);
      for (const path of paths)
        if (!files.has(path.replace(/^\.\//, "")))
          problems.push(`${label}: exports["${subpath}"] points at ${path}, which the tarball lacks`);
    }
    console.log(`${label}: would publish ${report.files.length} files, ${report.size} bytes packed`);
  }
} catch (error) {
  problems.push(`the rehearsal stopped: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  if (worktreeAdded) {
    git(["worktree", "remove", "--force", worktree]);
    git(["branch", "-D", branch]);
  }
  rmSync(scratch, { recursive: true, force: true });
}

for (const problem of problems) console.error(problem);
if (problems.length > 0) {
  console.error(`release dry run: ${problems.length} problem(s)`);
  process.exitCode = 1;
} else {
  console.log("release dry run: every published package would publish");
}
