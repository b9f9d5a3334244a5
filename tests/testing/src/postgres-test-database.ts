// Test support: one PostgreSQL database per test file, created on the server CI starts and dropped
// afterwards (@finemem/memory's stores and finemem's serve episodes). The server is found through
// FINEMEM_POSTGRES_URL (an admin connection); when it does not answer, tests skip with the reason, and
// fail when FINEMEM_REQUIRE names postgres.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { checkService } from "./service-gate.ts";

export const POSTGRES_ADMIN_URL =
  process.env.FINEMEM_POSTGRES_URL ?? "postgresql://root@/postgres?host=/var/run/postgresql";

export interface TestDatabase {
  /** The database's URL, for pools of its own (another "process"). */
  readonly url: string;
  readonly pool: pg.Pool;
  drop(): Promise<void>;
}

/** Whether the server answers; the reason when it does not. */
export async function postgresAvailability() {
  return checkService("postgres", async () => {
    const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query("SELECT 1");
      return null;
    } catch (error) {
      return `no PostgreSQL at ${POSTGRES_ADMIN_URL} (${(error as Error).message}); set FINEMEM_POSTGRES_URL`;
    } finally {
      await client.end().catch(() => undefined);
    }
  });
}

/** Creates a fresh database for one test file. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `finemem_${label}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  // The admin URL with its database swapped (a socket URL has no host, which URL() refuses).
  const [base = "", query] = POSTGRES_ADMIN_URL.split("?", 2);
  const databaseUrl = `${base.replace(/\/[^/]*$/, `/${name}`)}${query === undefined ? "" : `?${query}`}`;
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  // pool.end() resolves before its connections have closed; DROP … WITH (FORCE) then terminates them,
  // an error the pool would otherwise raise as an uncaught 'error' event.
  pool.on("error", () => undefined);
  return {
    url: databaseUrl,
    pool,
    async drop() {
      await pool.end();
      const cleanup = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}
