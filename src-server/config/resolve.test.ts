import path from "node:path";
import { describe, it, expect } from "vitest";
import { defaultServerConfig, resolveConfig } from "./resolve.ts";
import { configError, useTempCwd } from "../../test/helpers/config-fixtures.ts";

const tmp = useTempCwd();
const write = tmp.write;

describe("resolveConfig defaults", () => {
  it("gives the documented defaults with no sources", () => {
    const config = resolveConfig({ cwd: tmp.cwd(), env: {} });
    expect(config).toEqual(defaultServerConfig(tmp.cwd()));
    expect(config).toMatchObject({
      host: "127.0.0.1",
      port: 8080,
      dataDir: path.join(tmp.cwd(), ".fluxbase"),
      logLevel: "info",
      jobEnv: {},
    });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.jobs).toEqual({
      enabled: true,
      jobsDir: path.join(tmp.cwd(), "jobs"),
      autoLoadOnBoot: true,
      workerMode: "embedded",
      embeddedWorkerCount: 4,
      maxConcurrentPerWorker: 5,
      maxConcurrentPerNamespace: 20,
      pollIntervalMs: 1000,
      workerHeartbeatIntervalMs: 10_000,
      workerTimeoutMs: 30_000,
      defaultProgressTimeoutSeconds: 300,
      defaultTimeoutSeconds: 300,
      defaultMaxRetries: 3,
      gracefulShutdownTimeoutMs: 30_000,
      cancelGraceMs: 1000,
      maxPayloadBytes: 1048576,
      retryBackoffBaseMs: 1000,
      retryBackoffMaxMs: 300_000,
    });
  });
});

describe("resolveConfig YAML file", () => {
  const guideYaml = [
    "server:",
    "  port: 9000",
    "  host: 0.0.0.0",
    "  read_timeout: 30s # upstream key, ignored",
    "database:",
    "  host: localhost # other upstream sections are ignored",
    "jobs:",
    "  enabled: true",
    '  worker_mode: "embedded"',
    "  embedded_worker_count: 8",
    "  max_concurrent_per_worker: 10",
    "  max_concurrent_per_namespace: 50",
    '  poll_interval: "2s"',
    '  worker_heartbeat_interval: "10s"',
    '  worker_timeout: "30s"',
    '  default_progress_timeout: "600s"',
    '  default_max_duration: "5m"',
    "  default_max_retries: 1",
    "  graceful_shutdown_timeout: 45s",
    "  jobs_dir: ./my-jobs",
    "  auto_load_on_boot: false",
    "  max_max_duration: 1h # upstream key without effect",
  ].join("\n");

  it("reads fluxbase.yaml from the working directory", () => {
    write("fluxbase.yaml", guideYaml);
    const config = resolveConfig({ cwd: tmp.cwd(), env: {} });
    expect(config.port).toBe(9000);
    expect(config.host).toBe("0.0.0.0");
    expect(config.jobs).toMatchObject({
      enabled: true,
      workerMode: "embedded",
      embeddedWorkerCount: 8,
      maxConcurrentPerWorker: 10,
      maxConcurrentPerNamespace: 50,
      pollIntervalMs: 2000,
      defaultProgressTimeoutSeconds: 600,
      defaultTimeoutSeconds: 300,
      defaultMaxRetries: 1,
      gracefulShutdownTimeoutMs: 45_000,
      jobsDir: path.join(tmp.cwd(), "my-jobs"),
      autoLoadOnBoot: false,
    });
  });

  it("reads fluxbase.yml, prefers default_timeout over its alias, accepts an empty file", () => {
    write("fluxbase.yml", "jobs:\n  default_timeout: 60\n  default_max_duration: 5m\n");
    expect(resolveConfig({ cwd: tmp.cwd(), env: {} }).jobs.defaultTimeoutSeconds).toBe(60);
    write("fluxbase.yaml", "");
    expect(resolveConfig({ cwd: tmp.cwd(), env: {} }).jobs.defaultTimeoutSeconds).toBe(300);
  });

  it("uses --config, the configFile option and FLUXBASE_CONFIG, in that order", () => {
    write("a.yaml", "server:\n  port: 1001\n");
    write("b.yaml", "server:\n  port: 1002\n");
    write("conf/c.yaml", "server:\n  port: 1003\n");
    write("fluxbase.yaml", "server:\n  port: 1004\n");
    const env = { FLUXBASE_CONFIG: "conf/c.yaml" };
    expect(
      resolveConfig({ cwd: tmp.cwd(), env, argv: ["--config", "a.yaml"], configFile: "b.yaml" })
        .port,
    ).toBe(1001);
    expect(resolveConfig({ cwd: tmp.cwd(), env, configFile: "b.yaml" }).port).toBe(1002);
    expect(resolveConfig({ cwd: tmp.cwd(), env }).port).toBe(1003);
    expect(resolveConfig({ cwd: tmp.cwd(), env: {} }).port).toBe(1004);
  });

  it("rejects a missing explicit file, bad YAML, bad shapes and unknown jobs keys", () => {
    expect(
      configError(() => resolveConfig({ cwd: tmp.cwd(), env: {}, argv: ["--config=nope.yaml"] }))
        .message,
    ).toMatch(/--config: cannot read config file .*nope\.yaml: file not found/);
    write("fluxbase.yaml", "jobs: [1, 2");
    expect(configError(() => resolveConfig({ cwd: tmp.cwd(), env: {} })).message).toMatch(
      /^fluxbase\.yaml: invalid YAML/,
    );
    write("fluxbase.yaml", "- a\n- b\n");
    expect(configError(() => resolveConfig({ cwd: tmp.cwd(), env: {} })).message).toMatch(
      /top level must be a mapping/,
    );
    write("fluxbase.yaml", "jobs: 5\n");
    expect(configError(() => resolveConfig({ cwd: tmp.cwd(), env: {} })).message).toBe(
      "fluxbase.yaml: jobs must be a mapping",
    );
    write("fluxbase.yaml", "jobs:\n  worker_count: 3\n");
    expect(configError(() => resolveConfig({ cwd: tmp.cwd(), env: {} })).message).toBe(
      "fluxbase.yaml: unknown key jobs.worker_count",
    );
  });

  it("names the file and key of an invalid value", () => {
    write("fluxbase.yaml", "jobs:\n  embedded_worker_count: many\n");
    expect(configError(() => resolveConfig({ cwd: tmp.cwd(), env: {} })).message).toBe(
      'fluxbase.yaml: jobs.embedded_worker_count must be a whole number >= 0, got "many"',
    );
    write("fluxbase.yaml", "jobs:\n  poll_interval: soon\n");
    expect(configError(() => resolveConfig({ cwd: tmp.cwd(), env: {} })).message).toMatch(
      /^fluxbase\.yaml: jobs\.poll_interval must be a duration/,
    );
  });
});

describe("resolveConfig CLI flags", () => {
  it("win over env and YAML, in both spellings", () => {
    write(
      "fluxbase.yaml",
      "server:\n  port: 9000\n  host: 0.0.0.0\njobs:\n  jobs_dir: yaml-jobs\n",
    );
    const config = resolveConfig({
      cwd: tmp.cwd(),
      env: { FLUXBASE_PORT: "9100", FLUXBASE_DATA_DIR: "env-data", FLUXBASE_LOG_LEVEL: "warn" },
      argv: [
        "--port",
        "9200",
        "--host=localhost",
        "--data-dir",
        "cli-data",
        "--jobs-dir=cli-jobs",
        "--database-url",
        "postgresql://localhost/x",
        "--log-level=error",
      ],
    });
    expect(config).toMatchObject({
      port: 9200,
      host: "localhost",
      dataDir: path.join(tmp.cwd(), "cli-data"),
      databaseUrl: "postgresql://localhost/x",
      logLevel: "error",
    });
    expect(config.jobs.jobsDir).toBe(path.join(tmp.cwd(), "cli-jobs"));
  });

  it("keeps the last of a repeated flag", () => {
    expect(resolveConfig({ cwd: tmp.cwd(), env: {}, argv: ["--port=1", "--port=2"] }).port).toBe(2);
  });

  it.each([
    [["--verbose"], /^unknown option --verbose \(known: --host, --port/],
    [["--port"], /^--port needs a value$/],
    [["--port", "--host", "x"], /^--port needs a value$/],
    [["--host="], /^--host needs a value$/],
    [["serve"], /^unexpected argument "serve"$/],
    [["-p", "80"], /^unexpected argument "-p"$/],
    [["--port", "http"], /^--port must be a port number 0\.\.65535, got "http"$/],
  ])("rejects %j", (argv, message) => {
    expect(configError(() => resolveConfig({ cwd: tmp.cwd(), env: {}, argv })).message).toMatch(
      message,
    );
  });
});
