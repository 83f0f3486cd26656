// Builds the `deno run` command line and the environments of a sandbox: pure
// functions of the job's permissions, so that processes with equal command lines
// are interchangeable (that command line keys the warm processes).
import type { JobPermissions, JobRunSpec } from "../worker/runtime.ts";

export interface SandboxDirs {
  /** Holds the two below; denied to job code like the server's data dir. */
  rootDir: string;
  denoDir: string;
  homeDir: string;
}

export interface DenoArgsInput {
  permissions: JobPermissions;
  serverUrl: string;
  /** Variables the entry sets with Deno.env.set; the allow-list when allow_env is off. */
  envNames: readonly string[];
  /** Never readable or writable by a job, whatever its permissions (no commas). */
  deniedPaths: readonly string[];
  /** With allow_net: destinations denied all the same (see net-policy.ts). */
  deniedNet?: readonly string[];
  entryPath: string;
}

export const DEFAULT_PERMISSIONS: JobPermissions = {
  allowNet: true,
  allowEnv: true,
  allowRead: false,
  allowWrite: false,
  memoryLimitMb: 256,
};

/** The default set's command line does not depend on the job's variables (allow_env is on). */
export function isDefaultPermissions(permissions: JobPermissions): boolean {
  const d = DEFAULT_PERMISSIONS;
  return (
    permissions.allowNet === d.allowNet &&
    permissions.allowEnv === d.allowEnv &&
    permissions.allowRead === d.allowRead &&
    permissions.allowWrite === d.allowWrite &&
    permissions.memoryLimitMb === d.memoryLimitMb &&
    (permissions.allowNetHosts ?? []).length === 0
  );
}

/** Below this a sandbox could not even start: an idle Deno holds ~15 MB of its own. */
const MIN_MEMORY_MB = 32;

/** `host:port` of the local API, the one destination allowed when allow_net is off. */
export function apiHostPort(serverUrl: string): string {
  const url = new URL(serverUrl);
  const port = url.port || (url.protocol === "https:" || url.protocol === "wss:" ? "443" : "80");
  return `${url.hostname}:${port}`;
}

export function memoryLimit(permissions: JobPermissions): number {
  const mb = Math.floor(permissions.memoryLimitMb);
  return Number.isFinite(mb) && mb > 0
    ? Math.max(MIN_MEMORY_MB, mb)
    : DEFAULT_PERMISSIONS.memoryLimitMb;
}

/**
 * Never --allow-run, --allow-ffi or --allow-sys. Without allow_net the job reaches
 * only the local API, and --cached-only stops module loading from fetching (npm:
 * and remote imports would otherwise still reach the network). The job's own code
 * needs no read permission: Deno imports it. The denied paths (the data dir, the
 * sandbox's code and caches) stay denied with allow_read / allow_write on.
 */
export function buildDenoArgs(input: DenoArgsInput): string[] {
  const { permissions } = input;
  const args = ["run", "--no-prompt", "--no-config", "--quiet"];
  args.push(`--v8-flags=--max-old-space-size=${memoryLimit(permissions)}`);
  const named = permissions.allowNetHosts ?? [];
  if (permissions.allowNet) {
    args.push("--allow-net");
    if (input.deniedNet?.length) args.push(`--deny-net=${input.deniedNet.join(",")}`);
  } else {
    const allowed = [apiHostPort(input.serverUrl), ...named];
    args.push(`--allow-net=${[...new Set(allowed)].join(",")}`, "--cached-only");
  }
  if (permissions.allowEnv) args.push("--allow-env");
  else args.push(`--allow-env=${[...new Set(input.envNames)].sort().join(",")}`);
  if (permissions.allowRead) args.push("--allow-read");
  if (permissions.allowWrite) args.push("--allow-write");
  if (input.deniedPaths.length > 0) {
    const denied = [...new Set(input.deniedPaths)].join(",");
    args.push(`--deny-read=${denied}`, `--deny-write=${denied}`);
  }
  args.push(input.entryPath);
  return args;
}

/** Taken from the server's environment as is: paths, TLS trust, DNS and proxy settings. */
const HOST_ENV_FOR_DENO = [
  "PATH",
  "TZ",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  "CURL_CA_BUNDLE",
  "DENO_CERT",
  "RESOLV_CONF",
  "LOCALDOMAIN",
  "RES_OPTIONS",
  "HOSTALIASES",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
  "http_proxy",
  "https_proxy",
  "no_proxy",
  "SystemRoot",
  "SYSTEMROOT",
];

/**
 * The environment a sandbox is spawned with, built from scratch: never the
 * server's own variables (database URL, JWT secret, keys). Job variables are
 * applied later by the entry (a warm process is spawned before its job is known).
 */
export function buildSpawnEnv(
  dirs: SandboxDirs,
  hostEnv: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of HOST_ENV_FOR_DENO) {
    const value = hostEnv[name];
    if (value !== undefined && value !== "") env[name] = value;
  }
  env.PATH ??= "/usr/local/bin:/usr/bin:/bin";
  env.HOME = dirs.homeDir;
  env.DENO_DIR = dirs.denoDir;
  env.DENO_TLS_CA_STORE = hostEnv.DENO_TLS_CA_STORE || "mozilla,system";
  env.DENO_NO_UPDATE_CHECK = "1";
  env.DENO_NO_PACKAGE_JSON = "1";
  env.NO_COLOR = "1";
  Object.assign(env, SANDBOX_MALLOC_ENV);
  return env;
}

/**
 * glibc's allocator in each sandbox: one arena for all of Deno's threads. By default glibc
 * gives each thread that allocates an arena of its own, each keeping its freed memory for
 * reuse; in a process that runs one job at a time that is memory held for nothing. Measured
 * with `bench/deno-rss.ts` (docs/architecture.md, "Sandbox memory"): a pre-started process
 * 39.0-39.7 MB RSS instead of 40.3-40.9, one after 150 jobs 46.1-46.7 instead of 47.8-48.3,
 * with no measurable CPU, neither for no-op jobs nor for an allocation-heavy one. Read once,
 * as Deno starts; other C libraries ignore it.
 */
export const SANDBOX_MALLOC_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: "1" };

const JOB_VARIABLE = /^FLUXBASE_[A-Za-z0-9_]+$/;

/** The job's FLUXBASE_* variables: the caller's (re-checked) then the job's own. */
export function buildJobEnv(spec: JobRunSpec): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(spec.env)) {
    if (JOB_VARIABLE.test(name)) env[name] = String(value);
  }
  Object.assign(env, {
    FLUXBASE_URL: spec.serverUrl,
    FLUXBASE_JOB_ID: spec.jobId,
    FLUXBASE_JOB_NAME: spec.jobName,
    FLUXBASE_JOB_NAMESPACE: spec.namespace,
    FLUXBASE_JOB_CANCELLED: "false",
    FLUXBASE_JOB_TOKEN: spec.userToken,
    FLUXBASE_SERVICE_TOKEN: spec.serviceToken,
  });
  return env;
}
