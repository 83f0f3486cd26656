// The Deno sandbox: a JobRuntime that runs jobs in Deno processes, with the
// function's permissions and nothing of the server's environment. A process that
// finished a job cleanly may run further jobs, one at a time, but only of the same
// function version, permission set and user (see reuse.ts), in the module the first
// of them imported. The first job of a key gets a pre-started process or a new one.
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { JobRunCallbacks, JobRunSpec, JobRuntime } from "../worker/runtime.ts";
import {
  buildDenoArgs,
  buildJobEnv,
  buildSpawnEnv,
  DEFAULT_PERMISSIONS,
  isDefaultPermissions,
} from "./args.ts";
import { startProcessRun, type SandboxRunHandle } from "./process-run.ts";
import { resolveDenoPath } from "./deno-binary.ts";
import { sandboxDirs } from "./dirs.ts";
import { deferredHandle } from "./deferred-handle.ts";
import type { HostResolverOptions } from "./named-hosts.ts";
import { createNetPlanner } from "./net-planner.ts";
import { createNoncePool } from "./nonce-pool.ts";
import { withInspector } from "./inspector.ts";
import { createPreparedCodeCache, debugJobCode, type PreparedCode } from "./prepared-code.ts";
import { protectedPaths } from "./protected-paths.ts";
import { reachableSandboxCode } from "./code-copy.ts";
import { runtimeBundle } from "./runtime-bundle.ts";
import { defaultSandboxUser, type SandboxUser } from "./sandbox-user.ts";
import { SandboxProcess } from "./process.ts";
import { IdleProcesses, reuseKey } from "./reuse.ts";
import { WarmProcesses, type LaunchPlan } from "./warm-processes.ts";

export type { SandboxRunHandle } from "./process-run.ts";

export interface SandboxLogger {
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface DenoRuntimeOptions {
  /** Where job code, Deno's module cache and the sandbox home live. */
  cacheDir: string;
  /** The deno executable; default: the one of the `deno` npm package. */
  denoPath?: string;
  /** Pre-started processes for the default permission set (default 1; 0 disables). */
  warmProcessCount?: number;
  /**
   * How long after a job takes a pre-started process its replacement starts (default
   * 200 ms): not beside the job's first run.
   */
  warmRefillDelayMs?: number;
  /** The sandbox entry (src-runtime/main.ts), for packaged builds. */
  entryPath?: string;
  /**
   * Never readable or writable by any job, whatever its permissions: the server's data
   * dir (keys, secrets key, database credentials and cluster, stored objects).
   */
  protectedPaths?: readonly string[];
  /**
   * The user jobs run as. Default: the server's own user, or `nobody` when the server
   * is root (jobs never run as root); null forces the server's own user.
   */
  sandboxUser?: SandboxUser | null;
  /**
   * Addresses on this machine or its networks every job may reach (`host`, `host:port`),
   * on top of those a function names itself; everything else local stays denied.
   */
  allowedHosts?: readonly string[];
  /**
   * When jobs run as another user (a server running as root, on Linux): hold the private
   * IPv6 ranges Deno cannot deny with the system's policy-routing rules (default true).
   */
  osEgressRules?: boolean;
  /** How host names in allow lists are looked up (tests); default the system resolver. */
  hostResolver?: HostResolverOptions;
  /**
   * How long one reading of this machine's addresses is used for jobs' deny lists (default
   * 1000 ms): an address the machine gains is denied to jobs starting this much later.
   */
  machineAddressTtlMs?: number;
  /** The API URL jobs get, when known up front: the default set is then pre-started at once. */
  serverUrl?: string;
  /** Variables read for the passthrough list (PATH, TLS, proxies); default process.env. */
  hostEnv?: Readonly<Record<string, string | undefined>>;
  /** How long a process may take, after its result, to exit or go idle (default 2000 ms). */
  exitGraceMs?: number;
  /** Run further jobs of the same function and user in a process (default true). */
  reuse?: boolean;
  /**
   * Jobs one process may run before it is retired (default 500): starting a Deno costs
   * ~50-100 ms of CPU, which a process that runs few jobs pays again and again.
   */
  maxJobsPerProcess?: number;
  /** How long a reusable process may wait for its next job (default 10 000 ms). */
  idleMs?: number;
  /** Reusable processes kept waiting at most, over all keys (default 32). */
  maxIdleProcesses?: number;
  logger?: SandboxLogger;
}

export interface DenoRuntime extends JobRuntime {
  start(spec: JobRunSpec, callbacks: JobRunCallbacks): SandboxRunHandle;
}

const DEFAULT_ENTRY = fileURLToPath(new URL("../../../src-runtime/main.ts", import.meta.url));

function failedHandle(error: string): SandboxRunHandle {
  return {
    warm: false,
    reused: false,
    done: Promise.resolve({ ok: false, reason: "crashed", error }),
    requestCancel() {},
    kill() {},
  };
}

/** Both settled, or undefined when neither is pending (the job then starts at once). */
function waitFor(
  a: Promise<unknown> | undefined,
  b: Promise<unknown> | undefined,
): Promise<unknown> | undefined {
  if (!a || !b) return a ?? b;
  return Promise.all([a, b]);
}

export function createDenoRuntime(options: DenoRuntimeOptions): DenoRuntime {
  const user = options.sandboxUser === undefined ? defaultSandboxUser() : options.sandboxUser;
  const dirs = sandboxDirs({ cacheDir: options.cacheDir, user: user ?? undefined });
  const code = {
    denoPath: options.denoPath ?? resolveDenoPath(),
    entryPath: path.resolve(options.entryPath ?? DEFAULT_ENTRY),
  };
  const { denoPath, entryPath } = user ? reachableSandboxCode({ ...code, user }) : code;
  // Deno loads the entry as one JavaScript file once esbuild has made it (runtime-bundle.ts).
  const bundle = runtimeBundle({ entryPath, dir: path.join(dirs.rootDir, "runtime") });
  const deniedPaths = protectedPaths([
    dirs.rootDir,
    options.cacheDir,
    ...(options.protectedPaths ?? []),
  ]);
  const spawnEnv = buildSpawnEnv(dirs, options.hostEnv ?? process.env);
  const live = new Set<SandboxProcess>();
  const reuse = options.reuse ?? true;
  const maxJobs = Math.max(1, Math.floor(options.maxJobsPerProcess ?? 500));
  const idle = new IdleProcesses({
    idleMs: options.idleMs ?? 10_000,
    maxIdle: options.maxIdleProcesses ?? 32,
  });
  let closed = false;
  const preparedCode = createPreparedCodeCache();
  const nonces = createNoncePool();

  // Names in allow lists are looked up, and the system's rules changed, before a job's
  // command line is built (net.prepare); see net-planner.ts.
  const net = createNetPlanner({
    allowedHosts: options.allowedHosts,
    sandboxUid: user?.uid,
    osEgressRules: options.osEgressRules,
    hostResolver: options.hostResolver,
    machineTtlMs: options.machineAddressTtlMs,
    logger: options.logger,
  });
  const planFor = (spec: Pick<JobRunSpec, "permissions" | "serverUrl">, envNames: string[]) => {
    const deniedNet = spec.permissions.allowNet ? net.deniedNet(spec) : [];
    const args = buildDenoArgs({
      ...spec,
      envNames,
      deniedPaths,
      deniedNet,
      entryPath: bundle.entryPath(),
    });
    return { key: args.join("\u0000"), args } satisfies LaunchPlan;
  };
  const spawnProcess = (plan: LaunchPlan) => {
    const child = new SandboxProcess({
      denoPath,
      args: plan.args,
      env: spawnEnv,
      cwd: dirs.homeDir,
      key: plan.key,
      user: user ?? undefined,
    });
    live.add(child);
    void child.exited.then(() => live.delete(child));
    return child;
  };
  // With allow_net and allow_env on, the command line depends on the server URL (the
  // one private address allowed) but not on the variables.
  const defaultPlanFor = (serverUrl: string) =>
    planFor({ permissions: DEFAULT_PERMISSIONS, serverUrl }, []);
  const warmRefillDelayMs = options.warmRefillDelayMs ?? 200;
  const warmProcesses = new WarmProcesses({
    size: options.warmProcessCount ?? 1,
    // Until the server URL is known (the first job), no default set is pre-started.
    defaultPlan: options.serverUrl ? defaultPlanFor(options.serverUrl) : { key: "", args: [] },
    spawn: spawnProcess,
  });
  if (options.serverUrl) {
    const serverUrl = options.serverUrl;
    const preparing = waitFor(
      net.prepare({ permissions: DEFAULT_PERMISSIONS, serverUrl }),
      bundle.pending(),
    );
    if (!preparing) warmProcesses.replenish(defaultPlanFor(serverUrl));
    else {
      // On failure nothing is pre-started; the first job prepares again.
      void preparing.then(
        () => {
          if (closed) return;
          warmProcesses.setDefault(defaultPlanFor(serverUrl));
          warmProcesses.replenish(defaultPlanFor(serverUrl));
        },
        () => undefined,
      );
    }
  }

  const runtime: DenoRuntime = {
    start(spec, callbacks) {
      if (closed) return failedHandle("the sandbox runtime is closed");
      let env: Record<string, string>, plan: LaunchPlan;
      try {
        env = buildJobEnv(spec);
        plan = planFor(spec, Object.keys(env));
        // The default set's plan is worked out once when the job has those permissions.
        const isDefault = isDefaultPermissions(spec.permissions);
        warmProcesses.setDefault(isDefault ? plan : defaultPlanFor(spec.serverUrl));
      } catch (error) {
        return failedHandle(`cannot start the sandbox: ${(error as Error).message}`);
      }
      // A debug run gets a process of its own, never pre-started nor kept for later, and
      // code whose source map names the lines of the job's files (debugJobCode).
      if (spec.inspector) plan = { key: "", args: withInspector(plan.args) };
      const debug = spec.inspector !== undefined;
      const code: PreparedCode = debug
        ? debugJobCode(spec.code)
        : preparedCode.prepare(spec.functionId, spec.code);
      const key = reuseKey(plan.key, spec, code.id);
      const reusedProcess = reuse && !debug ? idle.take(key) : undefined;
      const warmProcess = reusedProcess || debug ? undefined : warmProcesses.take(plan);
      const sandbox = reusedProcess ?? warmProcess ?? spawnProcess(plan);
      // Its replacement starts once this run is over, or warmRefillDelayMs in: a starting
      // Deno takes a core for ~100 ms at the same low priority as this job's process, and
      // beside it a first run took twice as long (docs/architecture.md, "A job's first run
      // in a process").
      const refills = !reusedProcess && !debug;
      if (refills) warmProcesses.replenish(plan, { delayMs: warmRefillDelayMs });
      sandbox.jobsStarted += 1;
      const run = startProcessRun({
        nonce: nonces.next(),
        process: sandbox,
        warm: warmProcess !== undefined,
        reused: reusedProcess !== undefined,
        keepAlive: reuse && !debug && sandbox.jobsStarted < maxJobs,
        onReusable: (process) => idle.release(key, process),
        spec,
        callbacks,
        env,
        code,
        exitGraceMs: options.exitGraceMs ?? 2000,
        onCallbackError: (error) =>
          options.logger?.warn("sandbox callback failed", {
            jobId: spec.jobId,
            error: String(error),
          }),
      });
      if (refills) void run.done.then(() => warmProcesses.hurry(plan.key));
      return run;
    },
    async close() {
      closed = true;
      await Promise.all([warmProcesses.close(), idle.close()]);
      const running = [...live];
      for (const child of running) child.kill();
      await Promise.all(running.map((child) => child.exited));
    },
  };

  return {
    start(spec, callbacks) {
      if (closed) return failedHandle("the sandbox runtime is closed");
      let preparing: Promise<unknown> | undefined;
      try {
        preparing = waitFor(net.prepare(spec), bundle.pending());
      } catch (error) {
        return failedHandle(`cannot start the sandbox: ${(error as Error).message}`);
      }
      // A new function version's JavaScript is made off the main thread (prepared-code.ts).
      const coding = spec.inspector ? undefined : preparedCode.ready(spec.functionId, spec.code);
      if (!preparing && !coding) return runtime.start(spec, callbacks);
      return deferredHandle(
        Promise.all([preparing, coding]).then(() => runtime.start(spec, callbacks)),
      );
    },
    async close() {
      await runtime.close();
      await net.close();
    },
  };
}
