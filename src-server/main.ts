// The composition root: resolveConfig -> startDatabase -> migrate -> keys/auth -> load jobs
// -> HTTP server -> worker pool. startLocalStack is the public entry for the CLI, the
// Electron main process and the tests.
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ServerConfig } from "./config/types.ts";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "./db/embedded.ts";
import type { JobRuntime } from "./jobs/worker/runtime.ts";
import { AppError } from "./errors.ts";
import { createLogger, type Logger } from "./logger.ts";
import { createStartTimings, type StartPhase } from "./start-timings.ts";
import type { ApiKeys } from "./auth/keys.ts";
import type { Db } from "./db/connections.ts";
import type { RouteInfo } from "./http/router.ts";
import type { HttpServer } from "./http/server.ts";
import type { LoadJobsResult } from "./jobs/functions/loader.ts";
import type { WorkerPool } from "./jobs/worker/pool.ts";
import type { LocalWake } from "./jobs/local-wake.ts";
import type { Scheduler } from "./jobs/scheduler/index.ts";

type StackModules = typeof import("./stack-modules.ts");

export interface StartLocalStackOptions {
  config: ServerConfig;
  logger?: Logger;
  /** Replaces the Deno sandbox (benchmarks of the queue path). */
  runtime?: JobRuntime;
  /** "worker": no HTTP server, only the worker pool (scale-out). */
  mode?: "serve" | "worker";
  /**
   * The built UI served at `/` (default: out/renderer of this checkout, when it has been
   * built); false serves none.
   */
  rendererDir?: string | false;
  /** A debug session nobody polls for this long lets go of its job (default 30 s). */
  debugDetachAfterMs?: number;
}

/** Where `electron-vite build` writes the renderer. */
export const defaultRendererDir = fileURLToPath(new URL("../out/renderer/", import.meta.url));

function uiFallback(
  rendererDir: string | false | undefined,
  logger: Logger,
  createUiFallback: StackModules["createUiFallback"],
) {
  const dir = rendererDir === undefined ? defaultRendererDir : rendererDir;
  if (dir === false) return undefined;
  if (existsSync(path.join(dir, "index.html"))) logger.debug(`serving the UI from ${dir}`);
  else
    logger.warn(
      `the UI is not built (no ${path.join(dir, "index.html")}): \`/\` says how to build it`,
    );
  return createUiFallback({ dir });
}

export interface LocalStack {
  /** The API base URL (empty in worker mode). */
  url: string;
  config: ServerConfig;
  keys: ApiKeys;
  db: Db;
  pool: WorkerPool;
  /**
   * Wakes this process's workers when its submits commit; a pool started apart from the
   * stack's (the benchmarks) may subscribe to it instead.
   */
  localWake: LocalWake;
  scheduler: Scheduler;
  databaseUrl: string;
  embedded: boolean;
  loaded?: LoadJobsResult;
  /** One-time code for the UI's sign-in link `<url>/#/login?code=...` (serve mode only). */
  uiLoginCode?: string;
  /** The HTTP API's routes (serve mode only; empty for a worker). */
  routes: RouteInfo[];
  /** How long each phase of this start took (also logged at debug level). */
  startPhases: StartPhase[];
  stop(): Promise<void>;
}

export async function startLocalStack(options: StartLocalStackOptions): Promise<LocalStack> {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.logLevel);
  const mode = options.mode ?? "serve";
  // Node's clock starts with the process: this is the process start and the imports.
  const loadedAfterMs = Math.round(performance.now());
  const timings = createStartTimings();
  // Loads while PostgreSQL starts (the two use different cores); awaited after it.
  const loading = import("./stack-modules.ts");
  loading.catch(() => undefined);
  const cleanups: (() => Promise<void>)[] = [];
  const cleanup = async () => {
    for (const fn of cleanups.reverse())
      await fn().catch((err: Error) => logger.warn("shutdown step failed", { error: err.message }));
    cleanups.length = 0;
  };

  if (mode === "worker" && !config.databaseUrl) {
    throw new AppError(
      "CONFIG_INVALID",
      "worker mode needs --database-url (or DATABASE_URL): the PostgreSQL the API server uses",
    );
  }
  if (mode === "worker") (await loading).requireWorkerSecrets(config);
  try {
    await mkdir(config.dataDir, { recursive: true });
    let pg: EmbeddedPostgres | undefined;
    let databaseTrouble: string | undefined;
    if (!config.databaseUrl) {
      pg = await startEmbeddedPostgres({
        dataDir: config.dataDir,
        onLog: (l) => logger.debug(`postgres: ${l}`),
        onRestart: (event) => {
          if (event.phase === "up") {
            databaseTrouble = undefined;
            logger.info("embedded PostgreSQL is back");
            return;
          }
          databaseTrouble = `embedded PostgreSQL is restarting (${event.reason})`;
          logger.warn(
            event.phase === "down"
              ? "embedded PostgreSQL died; restarting it"
              : "embedded PostgreSQL restart failed; retrying",
            { reason: event.reason },
          );
        },
      });
      cleanups.push(() => pg!.stop());
      timings.mark("postgres");
    }
    const {
      addAdminJobRoutes,
      addAdminRealtimeRoutes,
      addAdminScheduleRoutes,
      addAuthRoutes,
      addDataRoutes,
      addDebugRoutes,
      addFunctionSecretRoutes,
      addHealthRoutes,
      addJobFileRoutes,
      addJobRoutes,
      addReplayRoutes,
      addSecretRoutes,
      addStorage,
      addUiRoutes,
      createAppTables,
      createCallerResolver,
      createDb,
      createDbLiveness,
      createDebugRegistry,
      createDenoRuntime,
      createFunctionSecretStore,
      createHttpServer,
      createJobEffects,
      createJobInserter,
      createJobsWatcher,
      createLiveCheck,
      createLocalWake,
      createPipelinedConnection,
      createRealtimeHub,
      createRouter,
      createScheduler,
      createSecretStore,
      createServerRegistration,
      createUiFallback,
      createUiLogin,
      createUserService,
      createWorkerPool,
      loadJobsDir,
      loadOrCreateEncryptionKey,
      loadOrCreateKeys,
      migrate,
      resolveWorkerTarget,
      routeSchemas,
    } = await loading;
    timings.mark("modules");
    const databaseUrl = config.databaseUrl ?? pg!.connectionString;
    const db = createDb({
      connectionString: databaseUrl,
      max: 10 + config.jobs.embeddedWorkerCount * 2,
    });
    cleanups.push(() => db.end());
    // This process's submits wake its workers directly (jobs/local-wake.ts), or carry a
    // worker's claim behind their insert on a pipelined connection (insert-batcher.ts).
    const localWake = createLocalWake();
    const pipelined = createPipelinedConnection({ connectionString: databaseUrl });
    cleanups.push(() => pipelined.end());
    const applied = await migrate({ db });
    timings.mark("migrations");
    if (applied.length) logger.info(`applied migrations: ${applied.join(", ")}`);

    const keys = await loadOrCreateKeys({
      dataDir: config.dataDir,
      jwtSecret: config.jwtSecret,
      anonKey: config.anonKey,
      serviceKey: config.serviceKey,
    });
    const live = createLiveCheck({ db });
    const callers = createCallerResolver(keys, { live });
    const users = createUserService({ db, keys, onUserChanged: (id) => live.forgetUser(id) });
    const encryption = await loadOrCreateEncryptionKey({
      dataDir: config.dataDir,
      configured: config.encryptionKey,
    });
    if (encryption.source === "created") logger.info(`created the secrets key ${encryption.file}`);
    const secrets = createSecretStore({ db, key: encryption.key, logger });
    timings.mark("keys");
    // A worker checks it can build its jobs' clients before it claims anything.
    const target =
      mode === "worker"
        ? await resolveWorkerTarget({
            db,
            configuredUrl: config.serverUrl ?? config.publicUrl,
            jwtSecret: keys.jwtSecret,
            encryptionKey: encryption.key,
            refreshMs: config.jobs.workerHeartbeatIntervalMs,
            logger,
          })
        : undefined;
    if (target) cleanups.push(async () => target.stop());

    let loaded: LoadJobsResult | undefined;
    if (config.jobs.autoLoadOnBoot && mode === "serve") {
      loaded = await loadJobsDir({ db, dir: config.jobs.jobsDir, config: config.jobs, logger });
      if (config.jobs.watch !== false) {
        const watcher = createJobsWatcher({
          db,
          dir: config.jobs.jobsDir,
          config: config.jobs,
          logger,
        });
        cleanups.push(() => watcher.close());
      }
      timings.mark("jobs folder");
    }

    const runtime =
      options.runtime ??
      createDenoRuntime({
        cacheDir: path.join(config.dataDir, "runtime"),
        protectedPaths: [config.dataDir],
        logger,
      });
    cleanups.push(() => runtime.close());
    const debugRuns = createDebugRegistry({
      detachAfterMs: options.debugDetachAfterMs,
      onError: (error) => logger.warn("debugger", { error: error.message }),
    });
    cleanups.push(async () => debugRuns.close());

    let url = "";
    let http: HttpServer | undefined;
    let uiLoginCode: string | undefined;
    let routes: RouteInfo[] = [];
    if (mode === "serve") {
      const router = createRouter();
      const uiLogin = await createUiLogin({ db, users });
      uiLoginCode = uiLogin.issueCode();
      addUiRoutes({ router, keys, uiLogin });
      const liveness = await createDbLiveness({ connectionString: databaseUrl });
      cleanups.push(() => liveness.close());
      addHealthRoutes({
        router,
        liveness,
        workers: () => pool.workerIds().length,
        databaseTrouble: () => databaseTrouble,
      });
      addAuthRoutes({ router, db, callers, users });
      const effects = createJobEffects({ db, logger });
      cleanups.push(() => effects.close());
      addJobRoutes({
        router,
        db,
        config: config.jobs,
        callers,
        inserter: createJobInserter({ db, wake: localWake, pipelined }),
        receiptSecret: keys.jwtSecret,
        effects,
      });
      addReplayRoutes({ router, db, config: config.jobs, callers });
      addAdminJobRoutes({ router, db, config: config.jobs, callers });
      addAdminScheduleRoutes({ router, db, callers });
      addJobFileRoutes({ router, db, callers, jobsDir: config.jobs.jobsDir, keys });
      addDataRoutes({ router, db, callers, effects });
      addAdminRealtimeRoutes({ router, db, callers, appTables: createAppTables({ db, logger }) });
      addSecretRoutes({ router, db, callers, secrets });
      addFunctionSecretRoutes({
        router,
        db,
        callers,
        store: createFunctionSecretStore({ db, key: encryption.key, logger }),
      });
      addStorage({
        router,
        db,
        callers,
        dataDir: config.dataDir,
        jwtSecret: keys.jwtSecret,
        publicUrl: () => config.publicUrl ?? url,
        effects,
      });
      addDebugRoutes({ router, db, config: config.jobs, callers, registry: debugRuns });
      routes = router.routes();
      timings.mark("routes");
      http = createHttpServer({
        router,
        logger,
        maxBodyBytes: config.jobs.maxPayloadBytes * 2 + 64 * 1024,
        fallback: uiFallback(options.rendererDir, logger, createUiFallback),
        schemas: routeSchemas,
        requestLogLevel: config.logLevel,
      });
      const address = await http.listen(config.port, config.host);
      const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
      url = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${address.port}`;
      cleanups.push(() => http!.close());
      timings.mark("listen");
      // WebSocket /realtime on the same server; closed before it (cleanups run in reverse).
      const realtime = createRealtimeHub({ db, callers, logger });
      realtime.attach(http.server);
      cleanups.push(() => realtime.close());
      const registration = createServerRegistration({
        db,
        url: config.publicUrl ?? url,
        jwtSecret: keys.jwtSecret,
        encryptionKey: encryption.key,
        intervalMs: config.jobs.workerHeartbeatIntervalMs,
        logger,
      });
      await registration.start();
      cleanups.push(() => registration.stop());
      timings.mark("realtime and registration");
    }

    const pool = createWorkerPool({
      db,
      runtime,
      // `worker` always runs jobs; `serve` runs them only in worker_mode "embedded"
      // ("standalone": the jobs are run by `worker` processes; "disabled": by no one here).
      config: mode === "worker" ? { ...config.jobs, workerMode: "embedded" } : config.jobs,
      jwtSecret: keys.jwtSecret,
      serverUrl: target ? target.serverUrl : () => config.publicUrl ?? url,
      jobEnv: config.jobEnv,
      secrets,
      stateDir: config.dataDir,
      debug: debugRuns,
      localWake,
      logger,
    });
    await pool.start();
    timings.mark("worker pool");
    // Stopping the pool comes first on the way down (cleanups run in reverse).
    cleanups.push(() => pool.stop());
    // Serve and worker instances alike may lead; it stops before the pool (reverse order).
    const scheduler = createScheduler({ db, config: config.jobs, logger });
    await scheduler.start();
    cleanups.push(() => scheduler.stop());
    timings.mark("scheduler");
    const startPhases = timings.phases();
    logger.debug("start phases", {
      loadedAfterMs,
      startMs: timings.total(),
      phases: Object.fromEntries(startPhases.map((p) => [p.phase, p.ms])),
    });

    let stopping: Promise<void> | undefined;
    return {
      url,
      config,
      keys,
      db,
      pool,
      localWake,
      scheduler,
      databaseUrl,
      embedded: !!pg,
      loaded,
      uiLoginCode,
      routes,
      startPhases,
      stop: () => (stopping ??= cleanup()),
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
