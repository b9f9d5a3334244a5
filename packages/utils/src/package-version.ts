import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The version of the package named `packageName`, from the first package.json of that name above
 * `fromUrl` (a module's `import.meta.url`: src/ in the repository, dist/ when installed), so a command
 * line's `--version` and a server's handshake report the version a user actually runs. `"unknown"`
 * when no such package.json is found.
 */
export function packageVersionOf(packageName: string, fromUrl: string): string {
  let folder = dirname(fileURLToPath(fromUrl));
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(folder, "package.json"), "utf8")) as {
        name?: unknown;
        version?: unknown;
      };
      if (manifest.name === packageName && typeof manifest.version === "string") return manifest.version;
    } catch {
      // No package.json here: look further up.
    }
    const parent = dirname(folder);
    if (parent === folder) return "unknown";
    folder = parent;
  }
}
