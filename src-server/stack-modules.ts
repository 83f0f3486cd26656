// What startLocalStack needs once its database is up: main.ts imports this module while
// PostgreSQL starts, so loading the HTTP server, routes, worker pool and sandbox code (most
// of a start's CPU) overlaps the database's own start instead of coming before it.
export { createCallerResolver } from "./auth/caller.ts";
export { createLiveCheck } from "./auth/live-check.ts";
export { loadOrCreateKeys } from "./auth/keys.ts";
export { createUserService } from "./auth/users.ts";
export { migrate } from "./db/migrate.ts";
export { createDbLiveness } from "./db/liveness.ts";
export { createDb } from "./db/connections.ts";
export { addDataRoutes } from "./data/index.ts";
export { addAdminJobRoutes } from "./http/routes/admin-jobs.ts";
export { addAdminScheduleRoutes } from "./http/routes/admin-schedules.ts";
export { addAuthRoutes } from "./http/routes/auth.ts";
export { addHealthRoutes } from "./http/routes/health.ts";
export { addJobFileRoutes } from "./http/routes/job-files.ts";
export { addJobRoutes } from "./http/routes/jobs.ts";
export { addReplayRoutes } from "./http/routes/replay.ts";
export { createJobEffects } from "./ledger/job-effects.ts";
export { addUiRoutes } from "./http/routes/ui-config.ts";
export { createUiLogin } from "./auth/ui-login.ts";
export { createRouter } from "./http/router.ts";
export { createHttpServer } from "./http/server.ts";
export { routeSchemas } from "./http/schemas/index.ts";
export { createRealtimeHub } from "./realtime/index.ts";
export { createAppTables } from "./realtime/app-tables.ts";
export { addAdminRealtimeRoutes } from "./http/routes/admin-realtime.ts";
export { createUiFallback } from "./http/ui-missing.ts";
export { loadJobsDir } from "./jobs/functions/loader.ts";
export { createJobsWatcher } from "./jobs/functions/watcher.ts";
export { createJobInserter } from "./jobs/api/insert-batcher.ts";
export { createWorkerPool } from "./jobs/worker/pool.ts";
export { createLocalWake } from "./jobs/local-wake.ts";
export { createPipelinedConnection } from "./db/pipelined-connection.ts";
export { createScheduler } from "./jobs/scheduler/index.ts";
export { createDenoRuntime } from "./jobs/sandbox/index.ts";
export { createDebugRegistry } from "./debug/registry.ts";
export { addDebugRoutes } from "./debug/routes.ts";
export { createServerRegistration } from "./instances/registry.ts";
export { requireWorkerSecrets, resolveWorkerTarget } from "./instances/worker-target.ts";
export {
  addFunctionSecretRoutes,
  addSecretRoutes,
  createFunctionSecretStore,
  createSecretStore,
  loadOrCreateEncryptionKey,
} from "./secrets/index.ts";
export { addStorage } from "./storage/index.ts";
