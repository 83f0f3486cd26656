// Runs one claimed attempt of a job through the JobRuntime and records the outcome.
// A failing job is data (attempts, last error, next run), never an exception that
// reaches the pool's loop.
import type { JsonObject } from "../../../src-sdk/types.ts";
import type { JobsConfig } from "../../config/types.ts";
import { isConnectionError } from "../../db/connection-error.ts";
import type { Db } from "../../db/connections.ts";
import type { JobDebugHooks } from "../../debug/registry.ts";
import type { FunctionRow } from "../../db/queries/functions.ts";
import type { ClaimedJobRow } from "../../db/queries/claim.ts";
import { logUsage } from "../../db/queries/logs.ts";
import { failJob, updateProgress, type AttemptKey } from "../../db/queries/queue.ts";
import { coerceError } from "../../errors.ts";
import type { Logger } from "../../logger.ts";
import { secretEnv } from "../../secrets/rules.ts";
import { retryDelayMs } from "./backoff.ts";
import type { CompletionWriter } from "./completion-writer.ts";
import type { FunctionCache } from "../functions/function-cache.ts";
import { codeOfVersion } from "./kept-code.ts";
import { signJobTokens } from "./job-tokens.ts";
import { createLogBuffer } from "./log-buffer.ts";
import { createProgressCoalescer } from "./progress-coalescer.ts";
import type {
  JobOutcome,
  JobRunHandle,
  JobRuntime,
  JobRunSpec,
  ProgressReport,
} from "./runtime.ts";

export interface ExecuteContext {
  db: Db;
  runtime: JobRuntime;
  config: JobsConfig;
  functions: FunctionCache;
  completions: Pick<CompletionWriter, "complete">;
  jwtSecret: string;
  serverUrl(): string;
  jobEnv: Record<string, string>;
  /**
   * The secrets a job of a user (or of nobody) in a namespace may read; none when absent.
   * `functions` are the function secrets as FLUXBASE_SECRET_<NAME> variables.
   */
  secrets?: {
    forJob(
      userId: string | null,
      namespace: string,
      /** The secrets generation the claim saw: secrets read at it or later may be reused. */
      options?: { generation?: string },
    ): Promise<JobRunSpec["secrets"] & { functions?: Record<string, string> }>;
  };
  /** Runs a write of an outcome, retrying it while the database is unreachable. */
  persist<T>(write: () => Promise<T>): Promise<T>;
  logger: Logger;
  /** Writes progress of concurrent jobs together (progress-writer.ts); default one UPDATE each. */
  progress?: { write(key: AttemptKey, progress: unknown): Promise<boolean> };
  /** Debug runs of this server (debug/registry.ts); none: no job is ever debugged. */
  debug?: JobDebugHooks;
}

/**
 * A job this process is running: one attempt of it (`key`), with what the pool needs for
 * cancel, terminate and the watchdogs.
 */
export interface RunningJob {
  key: AttemptKey;
  jobName: string;
  startedAt: number;
  lastProgressAt: number;
  progressTimeoutMs: number;
  handle?: JobRunHandle;
  /**
   * Set when the row was cancelled/terminated or taken over, or handed back at shutdown:
   * the attempt writes nothing more.
   */
  stopReason?: "cancelled" | "superseded" | "interrupted";
  /** The job's code has finished; only its outcome remains to be written. */
  ended?: boolean;
  /** Set when the pool kills the attempt itself (timeout, progress timeout, shutdown). */
  killReason?: { message: string; retry: boolean };
  /** Held by a debugger: its timeout and progress timeout wait (worker-health.ts hold). */
  held?: boolean;
}

/** How long a debug run's tokens last beyond its timeout (it may sit paused for a while). */
const DEBUG_TOKEN_SECONDS = 8 * 3600;

function fatal(ctx: ExecuteContext, key: AttemptKey, error: string) {
  return ctx.persist(() => failJob(ctx.db, key, { error, retryDelayMs: null }));
}

async function buildSpec(
  ctx: ExecuteContext,
  row: ClaimedJobRow,
  fn: FunctionRow,
  key: AttemptKey,
  /** A debug run may be held paused: its tokens outlive the timeout by this much more. */
  heldSeconds = 0,
): Promise<JobRunSpec> {
  // Only the submitting user's secrets, the system's and the namespace's (compatibility §4.6).
  const secrets = (await ctx.secrets?.forJob(row.created_by, row.namespace, {
    generation: row.secrets_generation,
  })) ?? {
    user: {},
    system: {},
  };
  const user = row.created_by
    ? {
        id: row.created_by,
        email: row.user_email ?? undefined,
        role: row.user_role ?? "authenticated",
      }
    : null;
  const timeout = row.max_duration_seconds ?? fn.timeout_seconds;
  // Signed when a runtime first asks (the sandbox does; an in-process runtime never does).
  let tokens: ReturnType<typeof signJobTokens> | undefined;
  const signed = () =>
    (tokens ??= signJobTokens({
      secret: ctx.jwtSecret,
      attempt: key,
      user,
      ttlSeconds: timeout + 60 + heldSeconds,
    }));
  return {
    jobId: row.id,
    jobName: row.job_name,
    namespace: row.namespace,
    functionId: fn.id,
    functionVersion: fn.version,
    code: fn.code ?? "",
    payload: (row.payload ?? {}) as JsonObject,
    retryCount: row.retry_count,
    user,
    permissions: {
      allowNet: fn.allow_net,
      allowNetHosts: fn.allow_net_hosts ?? [],
      allowEnv: fn.allow_env,
      allowRead: fn.allow_read,
      allowWrite: fn.allow_write,
      memoryLimitMb: fn.memory_limit_mb,
    },
    // Upstream's variable names for the same secrets, after (and over) the passthrough ones.
    env: { ...ctx.jobEnv, ...secretEnv(secrets) },
    serverUrl: ctx.serverUrl(),
    get userToken() {
      return signed().userToken;
    },
    get serviceToken() {
      return signed().serviceToken;
    },
    secrets,
  };
}

export async function executeAttempt(
  ctx: ExecuteContext,
  row: ClaimedJobRow,
  attempt: RunningJob,
): Promise<void> {
  const key = attempt.key;
  const fn = row.function_id
    ? await codeOfVersion(
        ctx.db,
        await ctx.functions.get(row.function_id, row.function_version),
        row.function_version,
      )
    : undefined;
  if (!fn) return void (await fatal(ctx, key, `Job function not found: ${row.job_name}`));
  if (!fn.enabled) return void (await fatal(ctx, key, "Job function is disabled"));
  if (!fn.code) {
    return void (await fatal(
      ctx,
      key,
      `Job function has no code${fn.bundle_error ? `: ${fn.bundle_error}` : ""}`,
    ));
  }

  // A retry's log continues the job's: the caps count what earlier attempts stored.
  const used =
    row.retry_count > 0 && !fn.disable_execution_logs
      ? await logUsage(ctx.db, row.id).catch(() => undefined)
      : undefined;
  const logs = fn.disable_execution_logs
    ? undefined
    : createLogBuffer({
        db: ctx.db,
        jobId: row.id,
        used,
        persist: ctx.persist,
        onError: (e) => ctx.logger.warn("log write failed", { error: e.message }),
      });
  const progress = createProgressCoalescer<ProgressReport>({
    intervalMs: 250,
    write: (p) => (ctx.progress ? ctx.progress.write(key, p) : updateProgress(ctx.db, key, p)),
  });
  const timeoutSeconds = row.max_duration_seconds ?? fn.timeout_seconds;
  let timer: NodeJS.Timeout | undefined;
  let outcome: JobOutcome;
  const debug = ctx.debug?.wants(row.id) ? ctx.debug : undefined;
  try {
    const spec = await buildSpec(ctx, row, fn, key, debug ? DEBUG_TOKEN_SECONDS : 0);
    if (debug)
      spec.inspector = {
        onListening: (url) => debug.started(row.id, url),
        stopAtEntry: !debug.external(row.id),
      };
    const handle = ctx.runtime.start(spec, {
      onProgress(p) {
        attempt.lastProgressAt = Date.now();
        progress.report(p);
      },
      onLog(level, message) {
        logs?.add(level, message);
      },
    });
    attempt.handle = handle;
    // A debug run is held while its debugger has it paused (debug/registry.ts): `held`
    // reads the session, so the progress watchdog (worker-health.ts) and the timeout below
    // see one answer.
    if (debug)
      Object.defineProperty(attempt, "held", {
        get: () => debug.held(row.id),
        set: () => undefined,
        configurable: true,
      });
    const expire = () => {
      // While held its clock stands still; it starts again when the debugger lets go.
      if (attempt.held) {
        timer = setTimeout(expire, timeoutSeconds * 1000);
        return;
      }
      attempt.killReason = { message: `Job timed out after ${timeoutSeconds}s`, retry: true };
      handle.kill(attempt.killReason.message);
    };
    timer = setTimeout(expire, timeoutSeconds * 1000);
    outcome = await handle.done;
    attempt.ended = !attempt.stopReason;
  } catch (err) {
    outcome = { ok: false, error: coerceError(err).message, reason: "crashed" };
  } finally {
    if (timer) clearTimeout(timer);
    debug?.finished(row.id);
  }
  const finalProgress = await progress.finish();
  await recordOutcome(ctx, attempt, outcome, finalProgress, logs);
  await logs?.close();
}

async function recordOutcome(
  ctx: ExecuteContext,
  attempt: RunningJob,
  outcome: JobOutcome,
  finalProgress: ProgressReport | undefined,
  logs: ReturnType<typeof createLogBuffer> | undefined,
): Promise<void> {
  if (attempt.stopReason) {
    const notes = {
      cancelled: "Job cancelled",
      superseded: "Attempt abandoned: the job was taken over",
      interrupted: "Interrupted by server shutdown; the job goes back to the queue",
    };
    logs?.note("warn", notes[attempt.stopReason]);
    return;
  }
  const key = attempt.key;
  if (outcome.ok) {
    // The lines are in the table before the row says completed: whoever sees the job done
    // reads its whole log (realtime, the UI, the SDK's getLogs).
    await logs?.flush();
    try {
      await ctx.completions.complete(key, outcome.result, finalProgress);
    } catch (err) {
      // A lost database was retried until the pool gave up (stopping): nothing to add.
      if (isConnectionError(err)) throw err;
      await unrecordable(ctx, key, "result", err, logs);
    }
    return;
  }
  const error = attempt.killReason?.message ?? outcome.error;
  const retry = attempt.killReason ? attempt.killReason.retry : true;
  const delay = retry
    ? retryDelayMs(key.retryCount + 1, {
        baseMs: ctx.config.retryBackoffBaseMs,
        maxMs: ctx.config.retryBackoffMaxMs,
      })
    : null;
  logs?.note("error", `Attempt ${key.retryCount + 1} failed: ${error}`);
  // The lines are in the table before the row says failed: realtime reads them as `logs`.
  await logs?.flush();
  let status: Awaited<ReturnType<typeof failJob>>;
  try {
    status = await ctx.persist(() =>
      failJob(ctx.db, key, { error, retryDelayMs: delay, progress: finalProgress }),
    );
  } catch (err) {
    if (isConnectionError(err)) throw err;
    return unrecordable(ctx, key, "error", err, logs);
  }
  if (status === "pending" && delay !== null) {
    logs?.note("warn", `Retrying in ${(delay / 1000).toFixed(1)}s`);
  }
}

/**
 * The database refused the outcome for what it holds (connection errors were retried
 * already): the job fails for good, with an error saying why, rather than stay running.
 */
async function unrecordable(
  ctx: ExecuteContext,
  key: AttemptKey,
  what: "result" | "error",
  err: unknown,
  logs: ReturnType<typeof createLogBuffer> | undefined,
): Promise<void> {
  const error = `The job's ${what} could not be recorded: ${coerceError(err).message}`;
  ctx.logger.warn("job outcome could not be recorded", { job: key.id, error });
  logs?.note("error", error);
  await logs?.flush();
  await ctx.persist(() => failJob(ctx.db, key, { error, retryDelayMs: null }));
}
