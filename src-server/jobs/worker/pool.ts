// The worker pool of one process: `embeddedWorkerCount` registered workers, each running
// up to `maxConcurrentPerWorker` jobs. It is the composition of three parts: the claim
// loop (claim-loop.ts: when and how much a worker claims), the completion writer
// (completion-writer.ts: how a finished job's completion is written, riding the next
// claim) and worker health (worker-health.ts: heartbeat, reaper, progress watchdog,
// cancel / terminate). Here: registering the workers, recovering a previous run's, the
// listener that wakes them, the timers, and stopping.
import { randomBytes } from "node:crypto";
import os from "node:os";
import type { JobsConfig } from "../../config/types.ts";
import type { Db } from "../../db/connections.ts";
import { retryWhileDisconnected } from "../../db/connection-error.ts";
import { recoverOrphanedJobs, releaseJobs, type AttemptKey } from "../../db/queries/queue.ts";
import { CONTROL_CHANNEL, parseJobControl, WAKE_CHANNEL } from "../../db/queries/job-control.ts";
import * as workersSql from "../../db/queries/workers.ts";
import { coerceError } from "../../errors.ts";
import type { Logger } from "../../logger.ts";
import { createWorkerHealth } from "./worker-health.ts";
import { currentProcessIdentity, workerMetadata } from "./process-identity.ts";
import { createClaimLoop } from "./claim-loop.ts";
import { createCompletionWriter } from "./completion-writer.ts";
import { executeAttempt, type ExecuteContext } from "./execute.ts";
import { createFunctionCache } from "../functions/function-cache.ts";
import { createProgressWriter } from "./progress-writer.ts";
import { listen, type NotificationListener } from "../../db/listener.ts";
import type { JobRuntime } from "./runtime.ts";
import type { LocalWake } from "../local-wake.ts";
import {
  previousRunEnded,
  processIsAlive,
  readWorkerState,
  workerStatePath,
  writeWorkerState,
} from "./worker-state.ts";

export interface WorkerPoolOptions {
  db: Db;
  runtime: JobRuntime;
  config: JobsConfig;
  jwtSecret: string;
  serverUrl(): string;
  jobEnv: Record<string, string>;
  /** Where jobs' secrets come from (the secret store); none when absent. */
  secrets?: ExecuteContext["secrets"];
  /**
   * This instance's data dir: its worker ids are kept there, so that after a crash the
   * next start stops them and recovers their jobs at once. None: left to the worker timeout.
   */
  stateDir?: string;
  /** Debug runs (debug/registry.ts): a held job's progress timeout stands still. */
  debug?: ExecuteContext["debug"];
  /** Submits of this process wake these workers directly (local-wake.ts); none: by NOTIFY. */
  localWake?: LocalWake;
  logger: Logger;
}

export interface WorkerPool {
  start(): Promise<void>;
  /** Stops claiming, waits for running jobs (up to the graceful timeout), then stops. */
  stop(): Promise<void>;
  workerIds(): string[];
  runningCount(): number;
}

export function createWorkerPool(options: WorkerPoolOptions): WorkerPool {
  const { db, config, logger } = options;
  const timers: NodeJS.Timeout[] = [];
  let listener: NotificationListener | undefined;
  let closeLocalWake: (() => void) | undefined;
  let stopping = false;
  /** Past the graceful timeout of stop(): outcomes still waiting for the database are given up. */
  let abandoned = false;
  const onRetry = (err: unknown) =>
    logger.warn("database unreachable; keeping a job outcome to write it later", {
      error: coerceError(err).message,
    });
  const persist = <T>(write: () => Promise<T>) =>
    retryWhileDisconnected(write, { giveUp: () => abandoned, onRetry });
  // The completion writer and the claim loop know each other: a completion joins its
  // worker's next claim, and the claim carries the completions waiting for it.
  const completions = createCompletionWriter({
    db,
    joinClaim: (waiting) => claims.joinClaim(waiting),
    giveUp: () => abandoned,
    onRetry,
  });
  const ctx: ExecuteContext = {
    db,
    runtime: options.runtime,
    config,
    functions: createFunctionCache(db),
    completions,
    progress: createProgressWriter({ db }),
    jwtSecret: options.jwtSecret,
    serverUrl: options.serverUrl,
    jobEnv: options.jobEnv,
    secrets: options.secrets,
    persist,
    logger,
    debug: options.debug,
  };
  const claims = createClaimLoop({
    db,
    config,
    completions,
    run: (row, job) => executeAttempt(ctx, row, job),
    logger,
  });

  /**
   * Stops the workers a previous run of this instance left behind (its state file), and
   * those of any process on this machine that is gone (the file missing, damaged, or
   * written over by another process sharing the data dir), and hands on their jobs.
   */
  const recoverPreviousRun = async (file: string | undefined) => {
    const state = file === undefined ? undefined : await readWorkerState(file);
    const previous =
      state &&
      previousRunEnded(state, {
        hostname: os.hostname(),
        pid: process.pid,
        isAlive: processIsAlive,
      })
        ? state.workerIds
        : [];
    if (previous.length) await workersSql.setWorkerStatus(db, previous, "stopped");
    const ended = await health.stopEndedProcesses();
    if (previous.length + ended.length === 0) return;
    const recovered = await recoverOrphanedJobs(
      db,
      "The server running this job stopped without finishing it",
    );
    logger.info("stopped the workers of the previous run", {
      workers: new Set([...previous, ...ended]).size,
      jobs: recovered.length,
    });
  };

  const local = { identity: currentProcessIdentity(), pid: process.pid, isAlive: processIsAlive };
  const registerOne = (name: string) =>
    workersSql.registerWorker(db, {
      name,
      hostname: os.hostname(),
      maxConcurrentJobs: config.maxConcurrentPerWorker,
      metadata: workerMetadata(local.identity, process.pid),
    });

  const health = createWorkerHealth({
    db,
    config,
    logger,
    workers: () => claims.workers(),
    running: claims.running,
    stopping: () => stopping,
    register: async (name) => (await registerOne(name)).id,
    local,
  });

  const onControl = (payload: string) => {
    const msg = parseJobControl(payload);
    if (msg) health.control(msg);
  };

  const every = (ms: number, fn: () => Promise<void> | void, label: string) => {
    const t = setInterval(() => {
      Promise.resolve(fn()).catch((err) => {
        if (!stopping) logger.warn(`${label} failed`, { error: coerceError(err).message });
      });
    }, ms);
    timers.push(t);
    return t;
  };
  /** Beats on through the drain: a drain may outlast the worker timeout. */
  let heartbeatTimer: NodeJS.Timeout | undefined;

  return {
    async start() {
      const count = config.workerMode === "embedded" ? config.embeddedWorkerCount : 0;
      const stateFile =
        options.stateDir === undefined ? undefined : workerStatePath(options.stateDir);
      await recoverPreviousRun(stateFile);
      for (let i = 0; i < count; i++) {
        const name = `worker-${randomBytes(4).toString("hex")}@${os.hostname()}`;
        const row = await registerOne(name);
        claims.addWorker(row.id, name);
      }
      if (stateFile) {
        await writeWorkerState(stateFile, {
          hostname: os.hostname(),
          pid: process.pid,
          workerIds: claims.workers().map((w) => w.id),
        });
      }
      // Only a pool with workers listens for this process's submits (and knows their echoes).
      const local =
        count > 0
          ? options.localWake?.subscribe({
              wake: claims.wakeOneNow,
              hurry: claims.hurry,
              claimBehind: claims.claimBehind,
            })
          : undefined;
      closeLocalWake = () => local?.close();
      listener = await listen({
        db,
        channels: [WAKE_CHANNEL, CONTROL_CHANNEL],
        logger,
        onNotification: (channel, payload, sender) => {
          if (channel !== WAKE_CHANNEL) return onControl(payload);
          // The echo of a submit of this process: its workers were woken when it committed.
          if (!local?.echo(sender)) claims.wakeOne();
        },
        onConnect: () => {
          local?.reset();
          claims.wakeAll();
        },
      });
      every(config.pollIntervalMs, claims.wakeAll, "poll");
      heartbeatTimer = every(config.workerHeartbeatIntervalMs, health.heartbeat, "heartbeat");
      every(Math.max(500, Math.min(config.workerTimeoutMs / 2, 5000)), health.reap, "reaper");
      every(1000, () => health.watchProgress(), "progress watchdog");
      await health.reap().catch(() => undefined);
    },

    async stop() {
      if (stopping) return;
      stopping = true;
      closeLocalWake?.();
      claims.stop();
      for (const t of timers) if (t !== heartbeatTimer) clearInterval(t);
      const ids = claims.workers().map((w) => w.id);
      await workersSql.setWorkerStatus(db, ids, "draining").catch(() => undefined);
      const deadline = new Promise<void>((r) =>
        setTimeout(r, config.gracefulShutdownTimeoutMs).unref(),
      );
      await Promise.race([claims.settled(), deadline]);
      // Past the grace period, jobs still running are interrupted and handed back to the
      // queue for the next start, the attempt not counted. Attempts that have ended and
      // wait only for their outcome to be written keep it.
      abandoned = true;
      const interrupted: AttemptKey[] = [];
      for (const job of claims.running.values()) {
        if (job.ended || job.stopReason) continue;
        job.stopReason = "interrupted";
        job.handle?.kill("Interrupted by server shutdown");
        interrupted.push(job.key);
      }
      await releaseJobs(
        db,
        interrupted,
        "Interrupted by server shutdown; the job will run again",
      ).catch((err) =>
        logger.warn("could not hand interrupted jobs back", {
          jobs: interrupted.length,
          error: coerceError(err).message,
        }),
      );
      await claims.settled();
      clearInterval(heartbeatTimer);
      await listener?.close();
      await workersSql.setWorkerStatus(db, ids, "stopped").catch(() => undefined);
    },

    workerIds: () => claims.workers().map((w) => w.id),
    runningCount: () => claims.running.size,
  };
}
