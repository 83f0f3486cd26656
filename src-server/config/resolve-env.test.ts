import path from "node:path";
import { describe, it, expect } from "vitest";
import { resolveConfig } from "./resolve.ts";
import { configError, useTempCwd } from "../../test/helpers/config-fixtures.ts";

const tmp = useTempCwd();
const write = tmp.write;

describe("resolveConfig environment", () => {
  it("reads the guide's variable names", () => {
    const config = resolveConfig({
      cwd: tmp.cwd(),
      env: {
        FLUXBASE_JOBS_ENABLED: "false",
        FLUXBASE_JOBS_DIR: "./elsewhere",
        FLUXBASE_JOBS_AUTO_LOAD_ON_BOOT: "no",
        FLUXBASE_JOBS_EMBEDDED_WORKER_COUNT: "2",
        FLUXBASE_JOBS_MAX_CONCURRENT_PER_WORKER: "3",
        FLUXBASE_JOBS_MAX_CONCURRENT_PER_NAMESPACE: "7",
        FLUXBASE_JOBS_POLL_INTERVAL: "250ms",
        FLUXBASE_JOBS_WORKER_HEARTBEAT_INTERVAL: "2s",
        FLUXBASE_JOBS_WORKER_TIMEOUT: "1m",
        FLUXBASE_JOBS_DEFAULT_PROGRESS_TIMEOUT: "120",
        FLUXBASE_JOBS_DEFAULT_TIMEOUT: "600",
        FLUXBASE_JOBS_DEFAULT_MAX_RETRIES: "0",
        FLUXBASE_JOBS_WORKER_MODE: "disabled",
        FLUXBASE_JOBS_GRACEFUL_SHUTDOWN_TIMEOUT: "5m",
        FLUXBASE_PORT: "0",
        FLUXBASE_HOST: "::1",
        FLUXBASE_DATA_DIR: "/var/fluxbase",
        DATABASE_URL: "postgres://u:p@localhost:5432/db",
        FLUXBASE_JWT_SECRET: "x".repeat(32),
        FLUXBASE_ANON_KEY: "anon",
        FLUXBASE_SERVICE_KEY: "service",
        FLUXBASE_PUBLIC_URL: "http://localhost:9999/",
        FLUXBASE_LOG_LEVEL: "DEBUG",
        FLUXBASE_EXTERNAL_API_KEY: "ext",
      },
    });
    expect(config).toMatchObject({
      port: 0,
      host: "::1",
      dataDir: "/var/fluxbase",
      databaseUrl: "postgres://u:p@localhost:5432/db",
      jwtSecret: "x".repeat(32),
      anonKey: "anon",
      serviceKey: "service",
      publicUrl: "http://localhost:9999",
      logLevel: "debug",
    });
    expect(config.jobs).toMatchObject({
      enabled: false,
      jobsDir: path.join(tmp.cwd(), "elsewhere"),
      autoLoadOnBoot: false,
      embeddedWorkerCount: 2,
      maxConcurrentPerWorker: 3,
      maxConcurrentPerNamespace: 7,
      pollIntervalMs: 250,
      workerHeartbeatIntervalMs: 2000,
      workerTimeoutMs: 60_000,
      defaultProgressTimeoutSeconds: 120,
      defaultTimeoutSeconds: 600,
      defaultMaxRetries: 0,
      workerMode: "disabled",
      gracefulShutdownTimeoutMs: 300_000,
    });
    expect(config.jobEnv).toMatchObject({
      FLUXBASE_EXTERNAL_API_KEY: "ext",
      FLUXBASE_PORT: "0",
    });
    for (const secret of [
      "FLUXBASE_JWT_SECRET",
      "FLUXBASE_ANON_KEY",
      "FLUXBASE_SERVICE_KEY",
      "DATABASE_URL",
    ]) {
      expect(config.jobEnv).not.toHaveProperty(secret);
    }
  });

  it("accepts upstream's spellings as aliases, the guide's name winning", () => {
    const env = {
      FLUXBASE_JOBS_JOBS_DIR: "upstream-jobs",
      FLUXBASE_JOBS_DEFAULT_MAX_DURATION: "5m",
      FLUXBASE_AUTH_JWT_SECRET: "y".repeat(40),
    };
    const config = resolveConfig({ cwd: tmp.cwd(), env });
    expect(config.jobs.jobsDir).toBe(path.join(tmp.cwd(), "upstream-jobs"));
    expect(config.jobs.defaultTimeoutSeconds).toBe(300);
    expect(config.jwtSecret).toBe("y".repeat(40));
    const both = resolveConfig({
      cwd: tmp.cwd(),
      env: { ...env, FLUXBASE_JOBS_DIR: "guide-jobs", FLUXBASE_JOBS_DEFAULT_TIMEOUT: "30" },
    });
    expect(both.jobs.jobsDir).toBe(path.join(tmp.cwd(), "guide-jobs"));
    expect(both.jobs.defaultTimeoutSeconds).toBe(30);
  });

  it("overrides the YAML file and treats empty variables as unset", () => {
    write("fluxbase.yaml", "server:\n  port: 9000\njobs:\n  embedded_worker_count: 8\n");
    const config = resolveConfig({
      cwd: tmp.cwd(),
      env: { FLUXBASE_PORT: "9100", FLUXBASE_JOBS_EMBEDDED_WORKER_COUNT: " " },
    });
    expect(config.port).toBe(9100);
    expect(config.jobs.embeddedWorkerCount).toBe(8);
  });

  it("accepts every boolean spelling", () => {
    for (const [text, value] of [
      ["true", true],
      ["1", true],
      ["YES", true],
      ["False", false],
      ["0", false],
      ["no", false],
    ] as const) {
      expect(
        resolveConfig({ cwd: tmp.cwd(), env: { FLUXBASE_JOBS_ENABLED: text } }).jobs.enabled,
      ).toBe(value);
    }
  });

  it.each([
    [
      "FLUXBASE_JOBS_EMBEDDED_WORKER_COUNT",
      "abc",
      'FLUXBASE_JOBS_EMBEDDED_WORKER_COUNT must be a whole number >= 0, got "abc"',
    ],
    [
      "FLUXBASE_JOBS_EMBEDDED_WORKER_COUNT",
      "1.5",
      'FLUXBASE_JOBS_EMBEDDED_WORKER_COUNT must be a whole number >= 0, got "1.5"',
    ],
    [
      "FLUXBASE_JOBS_MAX_CONCURRENT_PER_WORKER",
      "0",
      'FLUXBASE_JOBS_MAX_CONCURRENT_PER_WORKER must be a whole number >= 1, got "0"',
    ],
    [
      "FLUXBASE_JOBS_ENABLED",
      "maybe",
      'FLUXBASE_JOBS_ENABLED must be true or false (also 1/0, yes/no), got "maybe"',
    ],
    ["FLUXBASE_PORT", "70000", 'FLUXBASE_PORT must be a port number 0..65535, got "70000"'],
    ["FLUXBASE_PORT", "-1", 'FLUXBASE_PORT must be a port number 0..65535, got "-1"'],
    [
      "FLUXBASE_JOBS_WORKER_MODE",
      "cluster",
      'FLUXBASE_JOBS_WORKER_MODE must be one of embedded, standalone, disabled, got "cluster"',
    ],
    [
      "FLUXBASE_LOG_LEVEL",
      "loud",
      'FLUXBASE_LOG_LEVEL must be one of debug, info, warn, error, silent, got "loud"',
    ],
    [
      "FLUXBASE_JOBS_DEFAULT_TIMEOUT",
      "1500ms",
      "FLUXBASE_JOBS_DEFAULT_TIMEOUT must be a whole number of seconds >= 1",
    ],
    [
      "FLUXBASE_JOBS_DEFAULT_PROGRESS_TIMEOUT",
      "0",
      "FLUXBASE_JOBS_DEFAULT_PROGRESS_TIMEOUT must be a whole number of seconds >= 1",
    ],
    ["FLUXBASE_JOBS_POLL_INTERVAL", "fast", "FLUXBASE_JOBS_POLL_INTERVAL must be a duration"],
    ["FLUXBASE_PUBLIC_URL", "ftp://x", 'FLUXBASE_PUBLIC_URL must be an http(s) URL, got "ftp://x"'],
  ])("rejects %s=%s", (name, value, message) => {
    expect(
      configError(() => resolveConfig({ cwd: tmp.cwd(), env: { [name]: value } })).message,
    ).toContain(message);
  });

  it("never echoes a secret in an error", () => {
    const short = configError(() =>
      resolveConfig({ cwd: tmp.cwd(), env: { FLUXBASE_JWT_SECRET: "hunter2" } }),
    );
    expect(short.message).toBe("FLUXBASE_JWT_SECRET must be at least 32 characters long");
    const url = configError(() =>
      resolveConfig({ cwd: tmp.cwd(), env: { DATABASE_URL: "mysql://u:pw@h/db" } }),
    );
    expect(url.message).toBe("DATABASE_URL must be a postgres:// or postgresql:// URL");
  });

  it("checks that heartbeats come before the worker timeout and the backoff cap is above its base", () => {
    expect(
      configError(() =>
        resolveConfig({ cwd: tmp.cwd(), env: { FLUXBASE_JOBS_WORKER_HEARTBEAT_INTERVAL: "30s" } }),
      ).message,
    ).toBe("jobs.worker_heartbeat_interval (30s) must be shorter than jobs.worker_timeout (30s)");
    expect(
      configError(() =>
        resolveConfig({ cwd: tmp.cwd(), env: { FLUXBASE_JOBS_RETRY_BACKOFF_MAX: "500ms" } }),
      ).message,
    ).toBe("jobs.retry_backoff_max (500ms) must not be below jobs.retry_backoff_base (1s)");
  });
});
