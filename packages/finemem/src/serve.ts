/**
 * finemem/serve: Fine-Mem episodes over HTTP for a client that owns the manager model (verl's rollout
 * workers, with integrations/verl): the engine, the Hono app with its OpenAPI document, the server with
 * graceful shutdown, and where episodes live (this process's memory, or PostgreSQL shared by many
 * processes). `finemem serve` runs the same from the configuration.
 */
export {
  createEpisodeEngine,
  type EpisodeEngine,
  type EpisodeEngineOptions,
  type EpisodeFinalized,
  type EpisodeStarted,
  type StepApplied,
  type StepPrompt,
} from "./serve/episode-engine.js";
export {
  createInMemoryEpisodeRepository,
  type EpisodeRecord,
  type EpisodeRepository,
  type EpisodeSettings,
  type IdempotencyRecord,
} from "./serve/episode-repository.js";
export {
  createPostgresEpisodeRepository,
  EPISODE_SCHEMA_VERSION,
  EpisodeRepositoryError,
  type PgPoolClientLike,
  type PgPoolLike,
  type PostgresEpisodeRepositoryOptions,
} from "./serve/postgres-episode-repository.js";
export { createServeApp, type ServeApp, type ServeAppOptions } from "./serve/serve-app.js";
export { SERVE_ERROR_STATUS, ServeError, type ServeErrorCode } from "./serve/serve-error.js";
export { type RunningServer, type StartServerOptions, startServer } from "./serve/start-server.js";
