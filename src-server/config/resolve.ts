// resolveConfig: the one place configuration is read and validated.
// Sources, later wins: defaults < YAML file < environment < CLI flags.
// Invalid input throws AppError("CONFIG_INVALID") naming the source and key.
import path from "node:path";
import { AppError } from "../errors.ts";
import { formatDurationMs } from "./duration.ts";
import { jobEnvFrom } from "./job-env.ts";
import { allSettings, jobsSettings, knownFlags, serverSettings, type Setting } from "./settings.ts";
import { chooseConfigFile, parseArgv, readYamlFile, type YamlValues } from "./sources.ts";
import type { JobsConfig, ServerConfig } from "./types.ts";

export interface ResolveConfigOptions {
  /** Arguments after the command word (`serve`, `worker`, ...). Default []. */
  argv?: readonly string[];
  /** Default process.env. */
  env?: Record<string, string | undefined>;
  cwd: string;
  /** A config file chosen by the caller; --config still wins over it. */
  configFile?: string;
}

export function defaultJobsConfig(cwd: string): JobsConfig {
  return {
    enabled: true,
    jobsDir: path.resolve(cwd, "jobs"),
    autoLoadOnBoot: true,
    workerMode: "embedded",
    embeddedWorkerCount: 4,
    maxConcurrentPerWorker: 5,
    maxConcurrentPerNamespace: 20,
    pollIntervalMs: 1_000,
    workerHeartbeatIntervalMs: 10_000,
    workerTimeoutMs: 30_000,
    defaultProgressTimeoutSeconds: 300,
    defaultTimeoutSeconds: 300,
    defaultMaxRetries: 3,
    gracefulShutdownTimeoutMs: 30_000,
    // A cancelled job that ignores checkCancellation() is killed this long after the request.
    cancelGraceMs: 1_000,
    maxPayloadBytes: 1024 * 1024,
    retryBackoffBaseMs: 1_000,
    retryBackoffMaxMs: 300_000,
  };
}

export function defaultServerConfig(cwd: string): ServerConfig {
  return {
    host: "127.0.0.1",
    port: 8080,
    dataDir: path.resolve(cwd, ".fluxbase"),
    jobs: defaultJobsConfig(cwd),
    jobEnv: {},
    logLevel: "info",
  };
}

interface Sources {
  flags: Map<string, string>;
  env: Record<string, string | undefined>;
  yaml: YamlValues | null;
  cwd: string;
}

interface RawValue {
  value: unknown;
  origin: string;
}

/** The winning raw value of one setting: flag, then env, then YAML. */
function findRaw(setting: Setting<unknown>, sources: Sources): RawValue | undefined {
  const flagValue = setting.flag ? sources.flags.get(setting.flag) : undefined;
  if (setting.flag && flagValue !== undefined) return { value: flagValue, origin: setting.flag };
  for (const name of setting.env ?? []) {
    const value = sources.env[name];
    // An empty variable (`FLUXBASE_PORT=`) counts as unset.
    if (value !== undefined && value.trim() !== "") return { value, origin: name };
  }
  for (const key of setting.yaml ?? []) {
    if (sources.yaml?.values.has(key)) {
      return { value: sources.yaml.values.get(key), origin: `${sources.yaml.label}: ${key}` };
    }
  }
  return undefined;
}

function readSetting<T>(setting: Setting<T>, sources: Sources): T | undefined {
  const raw = findRaw(setting as Setting<unknown>, sources);
  if (!raw) return undefined;
  const parsed = setting.parse(raw.value, { cwd: sources.cwd });
  if (parsed.ok) return parsed.value;
  const got = setting.sensitive ? "" : `, got ${JSON.stringify(raw.value)}`;
  throw new AppError("CONFIG_INVALID", `${raw.origin} must be ${parsed.expected}${got}`);
}

type SettingTable<C> = { [K in keyof C]?: Setting<C[K]> };

/** Overlay every setting found in the sources on top of the defaults. */
function overlay<C extends object>(defaults: C, table: SettingTable<C>, sources: Sources): C {
  const result = { ...defaults };
  for (const key of Object.keys(table) as (keyof C)[]) {
    const setting = table[key];
    const value = setting ? readSetting(setting, sources) : undefined;
    if (value !== undefined) result[key] = value;
  }
  return result;
}

function checkConsistency(jobs: JobsConfig): void {
  if (jobs.workerHeartbeatIntervalMs >= jobs.workerTimeoutMs) {
    throw new AppError(
      "CONFIG_INVALID",
      `jobs.worker_heartbeat_interval (${formatDurationMs(jobs.workerHeartbeatIntervalMs)}) must be ` +
        `shorter than jobs.worker_timeout (${formatDurationMs(jobs.workerTimeoutMs)})`,
    );
  }
  if (jobs.retryBackoffMaxMs < jobs.retryBackoffBaseMs) {
    throw new AppError(
      "CONFIG_INVALID",
      `jobs.retry_backoff_max (${formatDurationMs(jobs.retryBackoffMaxMs)}) must not be ` +
        `below jobs.retry_backoff_base (${formatDurationMs(jobs.retryBackoffBaseMs)})`,
    );
  }
}

export function resolveConfig(options: ResolveConfigOptions): ServerConfig {
  const cwd = path.resolve(options.cwd);
  const env = options.env ?? process.env;
  const flags = parseArgv(options.argv ?? [], knownFlags());
  const choice = chooseConfigFile({ flags, configFile: options.configFile, env, cwd });
  const yamlKeys = new Set(allSettings().flatMap((s) => s.yaml ?? []));
  const yaml = choice ? readYamlFile(choice, yamlKeys, cwd) : null;
  const sources: Sources = { flags, env, yaml, cwd };

  const defaults = defaultServerConfig(cwd);
  const { jobs: defaultJobs, ...serverDefaults } = defaults;
  const server = overlay(serverDefaults, serverSettings, sources);
  const jobs = overlay(defaultJobs, jobsSettings, sources);
  checkConsistency(jobs);
  return { ...server, jobs, jobEnv: jobEnvFrom(env) };
}
