// The resolved, validated configuration. Built once by resolveConfig and passed down.

export interface JobsConfig {
  enabled: boolean;
  jobsDir: string;
  autoLoadOnBoot: boolean;
  /** Reload the jobs folder on change (serve mode with autoLoadOnBoot); default true. */
  watch?: boolean;
  workerMode: "embedded" | "standalone" | "disabled";
  embeddedWorkerCount: number;
  maxConcurrentPerWorker: number;
  maxConcurrentPerNamespace: number;
  pollIntervalMs: number;
  workerHeartbeatIntervalMs: number;
  workerTimeoutMs: number;
  defaultProgressTimeoutSeconds: number;
  defaultTimeoutSeconds: number;
  defaultMaxRetries: number;
  gracefulShutdownTimeoutMs: number;
  /** Grace between a cooperative cancel and the kill. */
  cancelGraceMs: number;
  /** Largest accepted submit payload, in bytes (413 above). */
  maxPayloadBytes: number;
  /** Exponential retry backoff: base delay and cap. */
  retryBackoffBaseMs: number;
  retryBackoffMaxMs: number;
}

export interface ServerConfig {
  host: string;
  port: number;
  /** Where everything lives: postgres/, keys.json, runtime cache. */
  dataDir: string;
  /** External PostgreSQL; when absent an embedded one is started in dataDir. */
  databaseUrl?: string;
  /** Explicit secrets; when absent they are generated on first start and kept in dataDir. */
  jwtSecret?: string;
  anonKey?: string;
  serviceKey?: string;
  /** The secret store's AES-256 key (base64 or hex); when absent, <dataDir>/secrets.key. */
  encryptionKey?: string;
  /** Public base URL given to jobs as FLUXBASE_URL; defaults to http://host:port. */
  publicUrl?: string;
  /**
   * Worker mode: the API server's URL for the jobs' clients; when absent, the URL the most
   * recently seen server recorded in the database.
   */
  serverUrl?: string;
  jobs: JobsConfig;
  /** FLUXBASE_* variables of the server environment (jobs receive the non-secret ones). */
  jobEnv: Record<string, string>;
  logLevel: "debug" | "info" | "warn" | "error" | "silent";
}
