// Every setting as data: where each source spells it and how its value is parsed.
// Sources, later wins: defaults < YAML file < env < CLI flags. Within one source
// the first spelling listed wins (the product guide's name before upstream's alias).
import {
  booleanValue,
  databaseUrl,
  durationMs,
  durationSeconds,
  httpUrl,
  nonEmptyString,
  oneOf,
  pathValue,
  portNumber,
  secretString,
  wholeNumber,
  type Parser,
} from "./parsers.ts";

export interface Setting<T> {
  /** Dotted YAML keys, e.g. "jobs.poll_interval". */
  yaml?: readonly string[];
  /** Environment variable names. */
  env?: readonly string[];
  /** Long CLI flag, e.g. "--port". */
  flag?: string;
  parse: Parser<T>;
  /** Never echo the value in an error. */
  sensitive?: boolean;
}

function setting<T>(spec: Setting<T>): Setting<T> {
  return spec;
}

export const logLevels = ["debug", "info", "warn", "error", "silent"] as const;
export const workerModes = ["embedded", "standalone", "disabled"] as const;

export const serverSettings = {
  host: setting({
    yaml: ["server.host"],
    env: ["FLUXBASE_HOST"],
    flag: "--host",
    parse: nonEmptyString,
  }),
  port: setting({
    yaml: ["server.port"],
    env: ["FLUXBASE_PORT"],
    flag: "--port",
    parse: portNumber,
  }),
  dataDir: setting({ env: ["FLUXBASE_DATA_DIR"], flag: "--data-dir", parse: pathValue }),
  databaseUrl: setting({
    env: ["DATABASE_URL", "FLUXBASE_DATABASE_URL"],
    flag: "--database-url",
    parse: databaseUrl,
    sensitive: true,
  }),
  jwtSecret: setting({
    env: ["FLUXBASE_JWT_SECRET", "FLUXBASE_AUTH_JWT_SECRET"],
    parse: secretString(32),
    sensitive: true,
  }),
  anonKey: setting({ env: ["FLUXBASE_ANON_KEY"], parse: secretString(1), sensitive: true }),
  serviceKey: setting({
    env: ["FLUXBASE_SERVICE_KEY", "FLUXBASE_SERVICE_ROLE_KEY"],
    parse: secretString(1),
    sensitive: true,
  }),
  encryptionKey: setting({
    env: ["FLUXBASE_ENCRYPTION_KEY"],
    parse: secretString(1),
    sensitive: true,
  }),
  publicUrl: setting({ env: ["FLUXBASE_PUBLIC_URL"], parse: httpUrl }),
  serverUrl: setting({ env: ["FLUXBASE_SERVER_URL"], flag: "--server-url", parse: httpUrl }),
  logLevel: setting({ env: ["FLUXBASE_LOG_LEVEL"], flag: "--log-level", parse: oneOf(logLevels) }),
};

export const jobsSettings = {
  enabled: setting({ yaml: ["jobs.enabled"], env: ["FLUXBASE_JOBS_ENABLED"], parse: booleanValue }),
  jobsDir: setting({
    yaml: ["jobs.jobs_dir"],
    env: ["FLUXBASE_JOBS_DIR", "FLUXBASE_JOBS_JOBS_DIR"],
    flag: "--jobs-dir",
    parse: pathValue,
  }),
  autoLoadOnBoot: setting({
    yaml: ["jobs.auto_load_on_boot"],
    env: ["FLUXBASE_JOBS_AUTO_LOAD_ON_BOOT"],
    parse: booleanValue,
  }),
  watch: setting({ yaml: ["jobs.watch"], env: ["FLUXBASE_JOBS_WATCH"], parse: booleanValue }),
  workerMode: setting({
    yaml: ["jobs.worker_mode"],
    env: ["FLUXBASE_JOBS_WORKER_MODE"],
    parse: oneOf(workerModes),
  }),
  embeddedWorkerCount: setting({
    yaml: ["jobs.embedded_worker_count"],
    env: ["FLUXBASE_JOBS_EMBEDDED_WORKER_COUNT"],
    parse: wholeNumber(0),
  }),
  maxConcurrentPerWorker: setting({
    yaml: ["jobs.max_concurrent_per_worker"],
    env: ["FLUXBASE_JOBS_MAX_CONCURRENT_PER_WORKER"],
    parse: wholeNumber(1),
  }),
  maxConcurrentPerNamespace: setting({
    yaml: ["jobs.max_concurrent_per_namespace"],
    env: ["FLUXBASE_JOBS_MAX_CONCURRENT_PER_NAMESPACE"],
    parse: wholeNumber(1),
  }),
  pollIntervalMs: setting({
    yaml: ["jobs.poll_interval"],
    env: ["FLUXBASE_JOBS_POLL_INTERVAL"],
    parse: durationMs(10),
  }),
  workerHeartbeatIntervalMs: setting({
    yaml: ["jobs.worker_heartbeat_interval"],
    env: ["FLUXBASE_JOBS_WORKER_HEARTBEAT_INTERVAL"],
    parse: durationMs(100),
  }),
  workerTimeoutMs: setting({
    yaml: ["jobs.worker_timeout"],
    env: ["FLUXBASE_JOBS_WORKER_TIMEOUT"],
    parse: durationMs(100),
  }),
  defaultProgressTimeoutSeconds: setting({
    yaml: ["jobs.default_progress_timeout"],
    env: ["FLUXBASE_JOBS_DEFAULT_PROGRESS_TIMEOUT"],
    parse: durationSeconds(1),
  }),
  defaultTimeoutSeconds: setting({
    yaml: ["jobs.default_timeout", "jobs.default_max_duration"],
    env: ["FLUXBASE_JOBS_DEFAULT_TIMEOUT", "FLUXBASE_JOBS_DEFAULT_MAX_DURATION"],
    parse: durationSeconds(1),
  }),
  defaultMaxRetries: setting({
    yaml: ["jobs.default_max_retries"],
    env: ["FLUXBASE_JOBS_DEFAULT_MAX_RETRIES"],
    parse: wholeNumber(0),
  }),
  gracefulShutdownTimeoutMs: setting({
    yaml: ["jobs.graceful_shutdown_timeout"],
    env: ["FLUXBASE_JOBS_GRACEFUL_SHUTDOWN_TIMEOUT"],
    parse: durationMs(0),
  }),
  // Our own knobs (not in the guide or upstream); the names follow the same scheme.
  cancelGraceMs: setting({
    yaml: ["jobs.cancel_grace_period"],
    env: ["FLUXBASE_JOBS_CANCEL_GRACE_PERIOD"],
    parse: durationMs(0),
  }),
  maxPayloadBytes: setting({
    yaml: ["jobs.max_payload_bytes"],
    env: ["FLUXBASE_JOBS_MAX_PAYLOAD_BYTES"],
    parse: wholeNumber(1),
  }),
  retryBackoffBaseMs: setting({
    yaml: ["jobs.retry_backoff_base"],
    env: ["FLUXBASE_JOBS_RETRY_BACKOFF_BASE"],
    parse: durationMs(0),
  }),
  retryBackoffMaxMs: setting({
    yaml: ["jobs.retry_backoff_max"],
    env: ["FLUXBASE_JOBS_RETRY_BACKOFF_MAX"],
    parse: durationMs(0),
  }),
};

/**
 * Upstream `jobs.*` keys that have no effect here; a real Fluxbase config file
 * may contain them, so they are accepted and ignored rather than rejected.
 */
export const ignoredJobsKeys: readonly string[] = [
  "max_max_duration",
  "sync_allowed_ip_ranges",
  "jobs_logs_retention_days",
];

export type AnySetting = Setting<unknown>;

export function allSettings(): AnySetting[] {
  return [...Object.values(serverSettings), ...Object.values(jobsSettings)] as AnySetting[];
}

/** Flags accepted after the command word: the settings' flags plus --config. */
export function knownFlags(): string[] {
  const flags = allSettings().flatMap((s) => (s.flag ? [s.flag] : []));
  return [...flags, "--config"];
}
