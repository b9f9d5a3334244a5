import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { FineMemError } from "@finemem/spec";

/** A service some tests need; CI names the ones it provides in `FINEMEM_REQUIRE`. */
export type ServiceName = "postgres" | "webgpu" | "chromium" | "python" | "shared" | (string & {});

/** Whether a service's tests can run, and why not. */
export type Availability = { readonly available: true } | { readonly available: false; readonly reason: string };

/** A required service is missing: the tests that need it fail rather than skip. */
export class ServiceRequiredError extends FineMemError {
  readonly service: string;
  constructor(service: string, reason: string) {
    super("service_required", `FINEMEM_REQUIRE names "${service}" but it is unavailable: ${reason}`);
    this.service = service;
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** The services listed in `FINEMEM_REQUIRE` (comma separated, e.g. `postgres,shared`). */
export function requiredServices(env: Env = process.env): ReadonlySet<string> {
  return new Set(
    (env.FINEMEM_REQUIRE ?? "")
      .split(",")
      .map((name) => name.trim())
      .filter((name) => name.length > 0),
  );
}

/**
 * Runs `probe` (which returns `null` when the service is usable, or the reason it is not) and
 * decides: available → run; unavailable and not required → skip, printing the reason; unavailable and
 * required → throw {@link ServiceRequiredError}, failing the test file.
 */
export async function checkService(
  name: ServiceName,
  probe: () => string | null | Promise<string | null>,
  options: { env?: Env; log?: (line: string) => void } = {},
): Promise<Availability> {
  let reason: string | null;
  try {
    reason = await probe();
  } catch (error) {
    reason = error instanceof Error ? error.message : String(error);
  }
  if (reason === null) return { available: true };
  if (requiredServices(options.env).has(name)) throw new ServiceRequiredError(name, reason);
  (options.log ?? ((line: string) => console.warn(line)))(`[finemem] skipping tests that need ${name}: ${reason}`);
  return { available: false, reason };
}

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/** The project's shared folder: `FINEMEM_SHARED_DIR`, else `../shared` beside the repository. */
export function sharedDir(env: Env = process.env): string {
  return env.FINEMEM_SHARED_DIR ? resolve(env.FINEMEM_SHARED_DIR) : join(repositoryRoot, "..", "shared");
}

/** A probe for {@link checkService}: `null` when `relativePath` exists under the shared folder. */
export function probeSharedFile(relativePath: string, env: Env = process.env): string | null {
  const path = join(sharedDir(env), relativePath);
  return existsSync(path) ? null : `${path} does not exist`;
}

/**
 * A probe for {@link checkService}("webgpu"): `null` when a Vulkan loader and at least one Vulkan
 * driver (ICD) are installed, which is what Dawn (inside onnxruntime-node's WebGPU provider) needs on a
 * machine without a GPU: Mesa's lavapipe, from `mesa-vulkan-drivers` (Mesa ≥ 25).
 */
export function probeVulkanDriver(): string | null {
  const loaders = [
    "/usr/lib/x86_64-linux-gnu/libvulkan.so.1",
    "/usr/lib/aarch64-linux-gnu/libvulkan.so.1",
    "/usr/lib/libvulkan.so.1",
    "/usr/lib64/libvulkan.so.1",
  ];
  if (!loaders.some((path) => existsSync(path))) return "no Vulkan loader (apt-get install libvulkan1)";
  const icdFolders = ["/usr/share/vulkan/icd.d", "/etc/vulkan/icd.d"];
  const drivers = icdFolders.flatMap((folder) =>
    existsSync(folder) ? readdirSync(folder).filter((name) => name.endsWith(".json")) : [],
  );
  return drivers.length > 0 ? null : "no Vulkan driver (apt-get install mesa-vulkan-drivers, Mesa ≥ 25 for lavapipe)";
}

/** Where {@link probeChromium} looks unless `FINEMEM_CHROMIUM_PATH` names another executable: Debian's `chromium` package. */
export const DEFAULT_CHROMIUM_PATH = "/usr/bin/chromium";

/** The Chromium executable the browser tests launch: `FINEMEM_CHROMIUM_PATH`, else {@link DEFAULT_CHROMIUM_PATH}. */
export function chromiumPath(env: Env = process.env): string {
  return env.FINEMEM_CHROMIUM_PATH ? env.FINEMEM_CHROMIUM_PATH : DEFAULT_CHROMIUM_PATH;
}

/**
 * A probe for {@link checkService}("chromium"): `null` when an executable file exists at
 * {@link chromiumPath}. The browser tests drive it with playwright-core, which downloads no browser,
 * so CI installs Debian's `chromium` package (.ci/run) rather than Playwright's builds.
 */
export function probeChromium(env: Env = process.env): string | null {
  const path = chromiumPath(env);
  try {
    if (!statSync(path).isFile()) return `${path} is not a file`;
    accessSync(path, constants.X_OK);
    return null;
  } catch {
    return `no Chromium executable at ${path} (apt-get install chromium, or set FINEMEM_CHROMIUM_PATH)`;
  }
}

/** The Python interpreter the tests that check against Python run: `FINEMEM_PYTHON`, else `python3` on the PATH. */
export function pythonPath(env: Env = process.env): string {
  return env.FINEMEM_PYTHON ? env.FINEMEM_PYTHON : "python3";
}

/**
 * A probe for {@link checkService}("python"): `null` when {@link pythonPath} runs and imports every
 * module of `modules` (e.g. `["numpy"]`); otherwise what failed. CI's image has python3 with numpy.
 */
export function probePython(modules: readonly string[] = [], env: Env = process.env): string | null {
  const python = pythonPath(env);
  const program = ["import sys", ...modules.map((name) => `import ${name}`)].join("; ");
  const result = spawnSync(python, ["-c", program], {
    encoding: "utf8",
    timeout: 30_000,
  });
  if (result.error !== undefined) {
    return `${python} cannot be run (${result.error.message}): install Python 3, or set FINEMEM_PYTHON`;
  }
  if (result.status !== 0) {
    const last = result.stderr.trim().split("\n").at(-1) ?? "";
    return `${python} could not import ${modules.join(", ")} (${last}): pip install ${modules.join(" ")}`;
  }
  return null;
}
