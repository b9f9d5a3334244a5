// `finemem serve`'s episodes in PostgreSQL, so several server processes behind a load balancer share
// them: any process can serve any request of any episode. Journal entries are stored as the JSON text
// they were given (a `text` column, not `jsonb`, which would reorder keys and refuse "\u0000"), so what
// comes back is exactly what went in: the engine compares replayed results with `JSON.stringify`.
// `pg` is an optional peer dependency, loaded on first use.
import { createHash } from "node:crypto";
import { FineMemError, type FineMemErrorOptions } from "@finemem/spec";
import { importOptionalPeer } from "@finemem/utils";
import type { RecordedQuestion, RecordedStep } from "../episode/episode-checkpoint.js";
import type { EpisodeRecord, EpisodeRepository, IdempotencyRecord } from "./episode-repository.js";

/** The module `pg`, as this repository loads it. */
export type PgModule = typeof import("pg");

/** What the repository needs of a `pg.Pool` (a `pg.Pool` is one). */
export interface PgPoolLike {
  query(text: string, values?: unknown[]): Promise<{ readonly rows: unknown[]; readonly rowCount: number | null }>;
  connect(): Promise<PgPoolClientLike>;
  end(): Promise<void>;
  /** `pg.Pool`'s options: `max` sizes how many episode locks the repository holds at once. */
  readonly options?: { readonly max?: number | undefined };
}

/** What the repository needs of a `pg.PoolClient`. */
export interface PgPoolClientLike {
  query(text: string, values?: unknown[]): Promise<{ readonly rows: unknown[]; readonly rowCount: number | null }>;
  /** With an error (or `true`), the pool destroys the connection instead of reusing it. */
  release(destroy?: Error | boolean): void;
  on(event: "error", listener: (error: Error) => void): unknown;
  off(event: "error", listener: (error: Error) => void): unknown;
}

export interface PostgresEpisodeRepositoryOptions {
  /** e.g. `postgresql://user@host/db`, or `postgresql:///db?host=/var/run/postgresql` for a local socket. */
  readonly connectionString?: string;
  /** A pool you manage: `close()` leaves it open. Its `max` must be at least 2 (a lock holds one connection). */
  readonly pool?: PgPoolLike;
  /** The PostgreSQL schema holding the tables (created when missing). Default `finemem_serve`. */
  readonly schema?: string;
  /** Connections in the pool the repository creates (default 10; at least 2). */
  readonly maxConnections?: number;
  /**
   * Episode locks held at once by this process, each on a connection of its own; the pool's other
   * connections serve the repository calls the lock holders make, so they never wait on a connection a
   * lock holds. Default: half the pool (at least 1); at most the pool's size minus one.
   */
  readonly maxLocks?: number;
}

/**
 * The repository could not be opened. Codes:
 * - `missing_dependency`: `pg` (an optional peer dependency) is not installed; the message gives the install command;
 * - `load_failed`: `pg` is installed but failed to load;
 * - `newer_format`: the schema holds a layout newer than this version of finemem knows (`found`, `supported`);
 * - `invalid_option`: a schema name that is not a plain identifier, a pool too small to hold a lock and query.
 */
export class EpisodeRepositoryError extends FineMemError {
  declare readonly code: "missing_dependency" | "load_failed" | "newer_format" | "invalid_option";
  /** For `newer_format`: the layout version found in the database. */
  readonly found: number | undefined;
  /** For `newer_format`: the newest layout version this finemem knows. */
  readonly supported: number | undefined;
  constructor(
    code: EpisodeRepositoryError["code"],
    message: string,
    options: FineMemErrorOptions & { readonly found?: number; readonly supported?: number } = {},
  ) {
    super(code, message, options);
    this.found = options.found;
    this.supported = options.supported;
  }
}

/** The layout version this code writes; each step of {@link MIGRATIONS} moves a schema up one version. */
export const EPISODE_SCHEMA_VERSION = 1;

/** `MIGRATIONS[v]` takes a schema from version `v` to `v + 1` (`s` is the quoted schema name). */
const MIGRATIONS: readonly ((s: string) => readonly string[])[] = [
  (s) => [
    `CREATE TABLE ${s}.episodes (
       episode_id text PRIMARY KEY,
       record text NOT NULL,
       created_at timestamptz NOT NULL DEFAULT now()
     )`,
    `CREATE TABLE ${s}.steps (
       episode_id text NOT NULL REFERENCES ${s}.episodes ON DELETE CASCADE,
       step integer NOT NULL,
       body text NOT NULL,
       PRIMARY KEY (episode_id, step)
     )`,
    `CREATE TABLE ${s}.questions (
       episode_id text NOT NULL REFERENCES ${s}.episodes ON DELETE CASCADE,
       question_id text NOT NULL,
       position bigint GENERATED ALWAYS AS IDENTITY,
       body text NOT NULL,
       PRIMARY KEY (episode_id, question_id)
     )`,
    `CREATE TABLE ${s}.idempotency_keys (
       episode_id text NOT NULL REFERENCES ${s}.episodes ON DELETE CASCADE,
       key text NOT NULL,
       request_hash text NOT NULL,
       step integer NOT NULL,
       PRIMARY KEY (episode_id, key)
     )`,
  ],
];

const PACKAGE = "pg";
const ENTRY = "finemem (finemem serve with a PostgreSQL repository)";

/** Loads `pg` on first use; a missing install is an {@link EpisodeRepositoryError}. `load` is the import, replaceable in tests. */
export function loadPg(load: () => Promise<PgModule> = () => import("pg")): Promise<PgModule> {
  return importOptionalPeer(
    PACKAGE,
    ENTRY,
    load,
    (failure) => new EpisodeRepositoryError(failure.code, failure.message, { cause: failure.cause }),
  );
}

/** The 64-bit advisory-lock key of a name (signed, as PostgreSQL's bigint). */
function lockKey(name: string): string {
  return createHash("sha256").update(name).digest().readBigInt64BE(0).toString();
}

/** A counting semaphore: how many episode locks this process holds at once. */
function createSemaphore(size: number) {
  let free = size;
  const waiting: (() => void)[] = [];
  return {
    async acquire(): Promise<void> {
      if (free > 0) {
        free -= 1;
        return;
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
    },
    release(): void {
      const next = waiting.shift();
      if (next === undefined) free += 1;
      else next();
    },
  };
}

/**
 * Opens the episode repository in `schema` on a PostgreSQL server, creating (or migrating) its tables.
 * `withEpisodeLock` holds a session advisory lock on a 64-bit hash of the schema and episode id, on a
 * connection of its own, so holders in other processes are excluded too; the server releases it if the
 * process dies. Locks are not reentrant: `work` must not take the same episode's lock again.
 */
export async function createPostgresEpisodeRepository(
  options: PostgresEpisodeRepositoryOptions = {},
): Promise<EpisodeRepository> {
  const schemaName = options.schema ?? "finemem_serve";
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schemaName))
    throw new EpisodeRepositoryError(
      "invalid_option",
      `schema ${JSON.stringify(schemaName)} is not a plain identifier (letters, digits, _; at most 63)`,
      { path: ["schema"] },
    );
  const s = `"${schemaName}"`;

  const owns = options.pool === undefined;
  let pool: PgPoolLike;
  if (options.pool !== undefined) pool = options.pool;
  else {
    const pg = await loadPg();
    const Pool = (pg as PgModule & { default?: PgModule }).default?.Pool ?? pg.Pool;
    const created = new Pool({
      ...(options.connectionString === undefined ? {} : { connectionString: options.connectionString }),
      max: options.maxConnections ?? 10,
    });
    // An idle connection the server drops would otherwise be an unhandled 'error' event; the next query reports it.
    created.on("error", () => undefined);
    pool = created as unknown as PgPoolLike;
  }
  const poolSize = pool.options?.max ?? options.maxConnections ?? 10;
  const maxLocks = options.maxLocks ?? Math.max(1, Math.floor(poolSize / 2));
  if (poolSize < 2 || maxLocks < 1 || maxLocks > poolSize - 1) {
    if (owns) await pool.end();
    throw new EpisodeRepositoryError(
      "invalid_option",
      `a pool of ${poolSize} connections cannot hold ${maxLocks} episode locks and still serve queries: give the pool at least ${maxLocks + 1} connections (maxConnections) or lower maxLocks`,
      { path: [options.maxLocks === undefined ? "maxConnections" : "maxLocks"] },
    );
  }

  const transaction = async <T>(work: (client: PgPoolClientLike) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      const result = await work(client);
      await client.query("COMMIT");
      client.release();
      return result;
    } catch (error) {
      const broken = await client.query("ROLLBACK").then(
        () => undefined,
        (rollback: unknown) => (rollback instanceof Error ? rollback : new Error(String(rollback))),
      );
      client.release(broken ?? false);
      throw error;
    }
  };

  try {
    await transaction(async (client) => {
      // Processes starting together create the schema one at a time.
      await client.query("SELECT pg_advisory_xact_lock($1::bigint)", [lockKey(`finemem-serve-migrate:${schemaName}`)]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${s}.schema_version (
           singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
           version integer NOT NULL
         )`,
      );
      const { rows } = await client.query(`SELECT version FROM ${s}.schema_version`);
      const found = (rows[0] as { version: number } | undefined)?.version ?? 0;
      if (found > EPISODE_SCHEMA_VERSION)
        throw new EpisodeRepositoryError(
          "newer_format",
          `schema ${schemaName} holds episode tables of layout version ${found}, newer than version ${EPISODE_SCHEMA_VERSION} this finemem knows: upgrade finemem, or use another schema`,
          { path: ["schema"], found, supported: EPISODE_SCHEMA_VERSION },
        );
      for (let version = found; version < EPISODE_SCHEMA_VERSION; version += 1)
        for (const statement of MIGRATIONS[version]!(s)) await client.query(statement);
      if (found < EPISODE_SCHEMA_VERSION)
        await client.query(
          `INSERT INTO ${s}.schema_version (singleton, version) VALUES (true, $1)
           ON CONFLICT (singleton) DO UPDATE SET version = excluded.version`,
          [EPISODE_SCHEMA_VERSION],
        );
    });
  } catch (error) {
    if (owns) await pool.end().catch(() => undefined);
    throw error;
  }

  const lockSlots = createSemaphore(maxLocks);
  /** Holders in this process queue here first, so waiters on one episode take no connection. */
  const queues = new Map<string, Promise<unknown>>();
  const active = new Set<Promise<unknown>>();
  let closed = false;

  const holdLock = async <T>(episodeId: string, work: () => Promise<T>): Promise<T> => {
    const key = lockKey(`finemem-serve:${schemaName}:${episodeId}`);
    await lockSlots.acquire();
    try {
      const client = await pool.connect();
      let broken: Error | undefined;
      // The connection may drop while `work` runs (then the server has released the lock): keep the error from crashing the process.
      const onError = (error: Error) => {
        broken ??= error;
      };
      client.on("error", onError);
      try {
        await client.query("SELECT pg_advisory_lock($1::bigint)", [key]);
      } catch (error) {
        client.off("error", onError);
        client.release(error instanceof Error ? error : true);
        throw error;
      }
      try {
        return await work();
      } finally {
        try {
          await client.query("SELECT pg_advisory_unlock($1::bigint)", [key]);
        } catch (error) {
          broken ??= error instanceof Error ? error : new Error(String(error));
        }
        client.off("error", onError);
        // A connection that may still hold the lock is closed, never pooled.
        client.release(broken ?? false);
      }
    } finally {
      lockSlots.release();
    }
  };

  const parse = <T>(rows: unknown[]): T[] => rows.map((row) => JSON.parse((row as { body: string }).body) as T);

  return {
    async create(record, steps = []) {
      const unique = [...new Map(steps.map((step) => [step.step, step])).values()];
      await transaction(async (client) => {
        await client.query(`DELETE FROM ${s}.episodes WHERE episode_id = $1`, [record.episodeId]);
        await client.query(`INSERT INTO ${s}.episodes (episode_id, record) VALUES ($1, $2)`, [
          record.episodeId,
          JSON.stringify(record),
        ]);
        if (unique.length > 0)
          await client.query(
            `INSERT INTO ${s}.steps (episode_id, step, body)
             SELECT $1, step, body FROM unnest($2::integer[], $3::text[]) AS given(step, body)`,
            [record.episodeId, unique.map((step) => step.step), unique.map((step) => JSON.stringify(step))],
          );
      });
    },

    async get(episodeId) {
      const { rows } = await pool.query(`SELECT record AS body FROM ${s}.episodes WHERE episode_id = $1`, [episodeId]);
      return parse<EpisodeRecord>(rows)[0];
    },

    async steps(episodeId) {
      const { rows } = await pool.query(`SELECT body FROM ${s}.steps WHERE episode_id = $1 ORDER BY step`, [episodeId]);
      return parse<RecordedStep>(rows);
    },

    async questions(episodeId) {
      const { rows } = await pool.query(`SELECT body FROM ${s}.questions WHERE episode_id = $1 ORDER BY position`, [
        episodeId,
      ]);
      return parse<RecordedQuestion>(rows);
    },

    async recordStep(episodeId, step, idempotency) {
      await transaction(async (client) => {
        // Holds the episode against a concurrent delete until the step and its key are written.
        const exists = await client.query(`SELECT 1 FROM ${s}.episodes WHERE episode_id = $1 FOR KEY SHARE`, [
          episodeId,
        ]);
        if (exists.rowCount === 0) return;
        await client.query(
          `INSERT INTO ${s}.steps (episode_id, step, body) VALUES ($1, $2, $3)
           ON CONFLICT (episode_id, step) DO UPDATE SET body = excluded.body`,
          [episodeId, step.step, JSON.stringify(step)],
        );
        if (idempotency !== undefined)
          await client.query(
            `INSERT INTO ${s}.idempotency_keys (episode_id, key, request_hash, step) VALUES ($1, $2, $3, $4)
             ON CONFLICT (episode_id, key) DO UPDATE SET request_hash = excluded.request_hash, step = excluded.step`,
            [episodeId, idempotency.key, idempotency.requestHash, idempotency.step],
          );
      });
    },

    async recordQuestion(episodeId, question) {
      try {
        await pool.query(
          `INSERT INTO ${s}.questions (episode_id, question_id, body)
           SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM ${s}.episodes WHERE episode_id = $1)
           ON CONFLICT (episode_id, question_id) DO UPDATE SET body = excluded.body`,
          [episodeId, question.questionId, JSON.stringify(question)],
        );
      } catch (error) {
        // The episode was deleted meanwhile: as for an unknown episode, nothing is recorded.
        if ((error as { code?: unknown }).code !== "23503") throw error;
      }
    },

    async idempotency(episodeId, key) {
      const { rows } = await pool.query(
        `SELECT key, request_hash, step FROM ${s}.idempotency_keys WHERE episode_id = $1 AND key = $2`,
        [episodeId, key],
      );
      const row = rows[0] as { key: string; request_hash: string; step: number } | undefined;
      return row === undefined
        ? undefined
        : ({ key: row.key, requestHash: row.request_hash, step: row.step } satisfies IdempotencyRecord);
    },

    async delete(episodeId) {
      const { rowCount } = await pool.query(`DELETE FROM ${s}.episodes WHERE episode_id = $1`, [episodeId]);
      return (rowCount ?? 0) > 0;
    },

    async withEpisodeLock(episodeId, work) {
      const before = queues.get(episodeId) ?? Promise.resolve();
      const run = before.then(() => holdLock(episodeId, work));
      const settled = run.then(
        () => undefined,
        () => undefined,
      );
      queues.set(episodeId, settled);
      active.add(settled);
      try {
        return await run;
      } finally {
        active.delete(settled);
        if (queues.get(episodeId) === settled) queues.delete(episodeId);
      }
    },

    async close() {
      // Lock holders finish first (their work still uses the pool).
      while (active.size > 0) await Promise.all(active);
      if (closed) return;
      closed = true;
      if (owns) await pool.end();
    },
  };
}
