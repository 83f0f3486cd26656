// The worker pool of one process: `embeddedWorkerCount` registered workers, each running
// up to `maxConcurrentPerWorker` jobs. Workers claim when woken by NOTIFY (at once),
// when one of their jobs finishes, and on the poll interval as a fallback. A finished
// job's completion travels with its worker's next claim: one round trip and one commit
// where there would be two.
import { randomBytes } from "node:crypto";
import os from "node:os";
import type { JobsConfig } from "../../config/types.ts";
import type { Db } from "../../db/connections.ts";
import { claimJobs, type ClaimedJobRow } from "../../db/queries/claim.ts";
import { retryWhileDisconnected } from "../../db/connection-error.ts";
import {
  recoverOrphanedJobs,
  releaseJobs,
  type AttemptKey,
  type Completion,
} from "../../db/queries/queue.ts";
import { CONTROL_CHANNEL, parseJobControl, WAKE_CHANNEL } from "../../db/queries/job-control.ts";
import * as workersSql from "../../db/queries/workers.ts";
import { coerceError } from "../../errors.ts";
import type { Logger } from "../../logger.ts";
import { createWorkerHealth } from "./worker-health.ts";
import { currentProcessIdentity, workerMetadata } from "./process-identity.ts";
import { executeAttempt, type ExecuteContext, type RunningAttempt } from "./execute.ts";
import { createCompletionBatcher, type CompletionBatcher } from "./completion-batcher.ts";
import { createFunctionCache } from "../functions/function-cache.ts";
import { createProgressWriter } from "./progress-writer.ts";
import { listen, type NotificationListener } from "../../db/listener.ts";
import type { JobRuntime } from "./runtime.ts";
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
  logger: Logger;
}

export interface WorkerPool {
  start(): Promise<void>;
  /** Stops claiming, waits for running jobs (up to the graceful timeout), then stops. */
  stop(): Promise<void>;
  workerIds(): string[];
  runningCount(): number;
  /**
   * Suspends (held) or resumes the timeout and progress timeout of a job running here, for
   * a debugger that has it paused. False when no attempt of that job runs here.
   */
  holdAttempt(jobId: string, held: boolean): boolean;
}

interface FinishedAttempt extends Completion {
  resolve(written: boolean): void;
  reject(err: unknown): void;
}

interface LocalWorker {
  id: string;
  name: string;
  /** Attempts holding a slot: a finished one gives its slot back as its completion is queued. */
  running: Map<string, RunningAttempt>;
  /** Completions waiting for this worker's next round trip. */
  finished: FinishedAttempt[];
  /** A claim (with completions) is in flight. */
  claiming: boolean;
  /** Slots were freed or work announced while a claim was in flight: claim again. */
  claimAgain: boolean;
}

export function createWorkerPool(options: WorkerPoolOptions): WorkerPool {
  const { db, config, logger } = options;
  const workers: LocalWorker[] = [];
  const running = new Map<string, RunningAttempt>();
  const timers: NodeJS.Timeout[] = [];
  const inFlight = new Set<Promise<void>>();
  let listener: NotificationListener | undefined;
  let stopping = false;
  /** Past the graceful timeout of stop(): outcomes still waiting for the database are given up. */
  let abandoned = false;
  const onRetry = (err: unknown) =>
    logger.warn("database unreachable; keeping a job outcome to write it later", {
      error: coerceError(err).message,
    });
  const persist = <T>(write: () => Promise<T>) =>
    retryWhileDisconnected(write, { giveUp: () => abandoned, onRetry });
  const fallback = createCompletionBatcher({ db, giveUp: () => abandoned, onRetry });
  /** Completions join their worker's next claim; without a live worker they go on their own. */
  const completions: CompletionBatcher = {
    complete(key: AttemptKey, result: unknown, progress: unknown) {
      const worker = workers.find((w) => w.id === key.workerId);
      if (!worker || stopping) return fallback.complete(key, result, progress);
      worker.running.delete(key.id);
      return new Promise<boolean>((resolve, reject) => {
        worker.finished.push({ key, result, progress, resolve, reject });
        void claimFor(worker);
      });
    },
  };
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

  const startAttempt = (worker: LocalWorker, row: ClaimedJobRow) => {
    const now = Date.now();
    const attempt: RunningAttempt = {
      key: { id: row.id, workerId: worker.id, retryCount: row.retry_count },
      jobName: row.job_name,
      startedAt: now,
      lastProgressAt: now,
      progressTimeoutMs:
        (row.progress_timeout_seconds ?? config.defaultProgressTimeoutSeconds) * 1000,
    };
    worker.running.set(row.id, attempt);
    running.set(row.id, attempt);
    const task = executeAttempt(ctx, row, attempt)
      .catch((err) =>
        logger.error("job attempt failed to record", {
          job: row.id,
          error: coerceError(err).message,
        }),
      )
      .finally(() => {
        // A completed job gave its slot back when its completion was queued, and that
        // completion's round trip claimed for it already.
        const heldSlot = worker.running.delete(row.id);
        running.delete(row.id);
        inFlight.delete(task);
        if (heldSlot && !stopping) void claimFor(worker);
      });
    inFlight.add(task);
  };

  /**
   * Claims for one worker's free slots and records its finished jobs, one call in flight
   * per worker: slots freed and jobs finished while a call is in flight go together in the
   * next one, so under load each call (and each commit) serves several jobs.
   */
  /** Writes a finished attempt's completion in a statement of its own (the batcher's). */
  const completeWithoutClaim = (f: FinishedAttempt) =>
    fallback.complete(f.key, f.result, f.progress).then(f.resolve, f.reject);

  const claimFor = async (worker: LocalWorker): Promise<void> => {
    if (worker.claiming) {
      worker.claimAgain = true;
      return;
    }
    do {
      worker.claimAgain = false;
      const finished = worker.finished.splice(0);
      const want = stopping ? 0 : config.maxConcurrentPerWorker - worker.running.size;
      if (want <= 0 && finished.length === 0) return;
      worker.claiming = true;
      let rows: ClaimedJobRow[] = [];
      try {
        if (want > 0) {
          const result = await claimJobs(db, {
            workerId: worker.id,
            limit: want,
            namespaceLimit: config.maxConcurrentPerNamespace,
            completions: finished,
          });
          rows = result.claimed;
          for (const f of finished) f.resolve(result.completed.has(f.key.id));
        } else {
          await Promise.all(finished.map(completeWithoutClaim));
        }
      } catch (err) {
        // The completions are not lost with the claim: they go on their own.
        for (const f of finished) void completeWithoutClaim(f);
        if (!stopping)
          logger.warn("claim failed", { worker: worker.name, error: coerceError(err).message });
      } finally {
        worker.claiming = false;
      }
      for (const row of rows) startAttempt(worker, row);
      // A full batch means there may be more: claim again, and let an idle sibling help.
      if (want > 0 && rows.length === want && !stopping) {
        worker.claimAgain = true;
        wakeOne(worker);
      }
      // Stopping, completions still queued are written (without a claim) before leaving.
    } while ((worker.claimAgain && !stopping) || worker.finished.length > 0);
  };

  /**
   * Wakes the idlest worker with room. One already claiming is asked to claim again when
   * its claim returns, so a job announced during a claim is never left to the poll.
   */
  const wakeOne = (except?: LocalWorker) => {
    const candidate = workers
      .filter((w) => w !== except && w.running.size < config.maxConcurrentPerWorker)
      .sort(
        (a, b) => Number(a.claiming) - Number(b.claiming) || a.running.size - b.running.size,
      )[0];
    if (candidate) void claimFor(candidate);
  };

  const wakeAll = () => {
    for (const w of workers) void claimFor(w);
  };

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
    workers: () => workers,
    running,
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
  };

  return {
    async start() {
      const count = config.workerMode === "embedded" ? config.embeddedWorkerCount : 0;
      const stateFile =
        options.stateDir === undefined ? undefined : workerStatePath(options.stateDir);
      await recoverPreviousRun(stateFile);
      for (let i = 0; i < count; i++) {
        const name = `worker-${randomBytes(4).toString("hex")}@${os.hostname()}`;
        const row = await registerOne(name);
        workers.push({
          id: row.id,
          name,
          running: new Map(),
          finished: [],
          claiming: false,
          claimAgain: false,
        });
      }
      if (stateFile) {
        await writeWorkerState(stateFile, {
          hostname: os.hostname(),
          pid: process.pid,
          workerIds: workers.map((w) => w.id),
        });
      }
      listener = await listen({
        db,
        channels: [WAKE_CHANNEL, CONTROL_CHANNEL],
        logger,
        onNotification: (channel, payload) =>
          channel === WAKE_CHANNEL ? wakeOne() : onControl(payload),
        onConnect: wakeAll,
      });
      every(config.pollIntervalMs, wakeAll, "poll");
      every(config.workerHeartbeatIntervalMs, health.heartbeat, "heartbeat");
      every(Math.max(500, Math.min(config.workerTimeoutMs / 2, 5000)), health.reap, "reaper");
      every(1000, () => health.watchProgress(), "progress watchdog");
      await health.reap().catch(() => undefined);
    },

    async stop() {
      if (stopping) return;
      stopping = true;
      for (const t of timers) clearInterval(t);
      const ids = workers.map((w) => w.id);
      await workersSql.setWorkerStatus(db, ids, "draining").catch(() => undefined);
      const deadline = new Promise<void>((r) =>
        setTimeout(r, config.gracefulShutdownTimeoutMs).unref(),
      );
      await Promise.race([Promise.allSettled([...inFlight]), deadline]);
      // Past the grace period, jobs still running are interrupted and handed back to the
      // queue for the next start, the attempt not counted. Attempts that have ended and
      // wait only for their outcome to be written keep it.
      abandoned = true;
      const interrupted: AttemptKey[] = [];
      for (const attempt of running.values()) {
        if (attempt.ended || attempt.stopReason) continue;
        attempt.stopReason = "interrupted";
        attempt.handle?.kill("Interrupted by server shutdown");
        interrupted.push(attempt.key);
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
      await Promise.allSettled([...inFlight]);
      await listener?.close();
      await workersSql.setWorkerStatus(db, ids, "stopped").catch(() => undefined);
    },

    workerIds: () => workers.map((w) => w.id),
    runningCount: () => running.size,
    holdAttempt: (jobId, held) => health.hold(jobId, held),
  };
}
