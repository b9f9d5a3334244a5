import { existsSync } from "node:fs";
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
