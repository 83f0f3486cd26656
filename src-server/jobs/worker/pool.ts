// The worker pool of one process: `embeddedWorkerCount` registered workers, each running
// up to `maxConcurrentPerWorker` jobs. Workers claim when woken by NOTIFY (at once),
// when one of their jobs finishes, and on the poll interval as a fallback. A finished
// job's completion travels with its worker's next claim: one round trip and one commit
// where there would be two.
import { randomBytes } from "node:crypto";
import os from "node:os";
import type { JobsConfig } from "../../config/types.ts";
import type { Db } from "../../db/pool.ts";
import { completeAndClaim, type ClaimedJobRow } from "../../db/queries/claim.ts";
import { retryWhileDisconnected } from "../../db/connection-error.ts";
import {
  recoverLostJobs,
  recoverOrphanedJobs,
  releaseJobs,
  type AttemptKey,
  type Completion,
} from "../../db/queries/queue.ts";
import * as workersSql from "../../db/queries/workers.ts";
import { coerceError } from "../../errors.ts";
import type { Logger } from "../../logger.ts";
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

export const WAKE_CHANNEL = "jobs_wake";
export const CONTROL_CHANNEL = "jobs_control";

export interface WorkerPoolOptions {
  db: Db;
  runtime: JobRuntime;
  config: JobsConfig;
  jwtSecret: string;
  serverUrl(): string;
  passthroughEnv: Record<string, string>;
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
  calling: boolean;
  /** Slots were freed or work announced while a claim was in flight: claim again. */
  again: boolean;
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
  let lastHeartbeatAt = Date.now();
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
        void fill(worker);
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
    passthroughEnv: options.passthroughEnv,
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
        if (heldSlot && !stopping) void fill(worker);
      });
    inFlight.add(task);
  };

  /**
   * Claims for one worker's free slots and records its finished jobs, one call in flight
   * per worker: slots freed and jobs finished while a call is in flight go together in the
   * next one, so under load each call (and each commit) serves several jobs.
   */
  /** Writes a finished attempt's completion in a statement of its own (the batcher's). */
  const completeAlone = (f: FinishedAttempt) =>
    fallback.complete(f.key, f.result, f.progress).then(f.resolve, f.reject);

  const fill = async (worker: LocalWorker): Promise<void> => {
    if (worker.calling) {
      worker.again = true;
      return;
    }
    do {
      worker.again = false;
      const finished = worker.finished.splice(0);
      const want = stopping ? 0 : config.maxConcurrentPerWorker - worker.running.size;
      if (want <= 0 && finished.length === 0) return;
      worker.calling = true;
      let rows: ClaimedJobRow[] = [];
      try {
        if (want > 0) {
          const result = await completeAndClaim(db, {
            workerId: worker.id,
            limit: want,
            namespaceLimit: config.maxConcurrentPerNamespace,
            completions: finished,
          });
          rows = result.claimed;
          for (const f of finished) f.resolve(result.completed.has(f.key.id));
        } else {
          await Promise.all(finished.map(completeAlone));
        }
      } catch (err) {
        // The completions are not lost with the claim: they go on their own.
        for (const f of finished) void completeAlone(f);
        if (!stopping)
          logger.warn("claim failed", { worker: worker.name, error: coerceError(err).message });
      } finally {
        worker.calling = false;
      }
      for (const row of rows) startAttempt(worker, row);
      // A full batch means there may be more: claim again, and let an idle sibling help.
      if (want > 0 && rows.length === want && !stopping) {
        worker.again = true;
        wakeOne(worker);
      }
      // Stopping, completions still queued are written (without a claim) before leaving.
    } while ((worker.again && !stopping) || worker.finished.length > 0);
  };

  /**
   * Wakes the idlest worker with room. One already claiming is asked to claim again when
   * its claim returns, so a job announced during a claim is never left to the poll.
   */
  const wakeOne = (except?: LocalWorker) => {
    const candidate = workers
      .filter((w) => w !== except && w.running.size < config.maxConcurrentPerWorker)
      .sort((a, b) => Number(a.calling) - Number(b.calling) || a.running.size - b.running.size)[0];
    if (candidate) void fill(candidate);
  };

  const wakeAll = () => {
    for (const w of workers) void fill(w);
  };

  const onControl = (payload: string) => {
    let msg: { op?: string; id?: string };
    try {
      msg = JSON.parse(payload) as typeof msg;
    } catch {
      return;
    }
    const attempt = msg.id ? running.get(msg.id) : undefined;
    if (!attempt) return;
    attempt.stopReason = "cancelled";
    if (msg.op === "terminate") {
      attempt.handle?.kill("Terminated by an administrator");
    } else {
      attempt.handle?.requestCancel();
      const t = setTimeout(() => attempt.handle?.kill("Cancelled"), config.cancelGraceMs);
      t.unref();
    }
  };

  const heartbeat = async () => {
    for (const worker of workers) {
      const status = await workersSql.heartbeat(db, worker.id, worker.running.size);
      lastHeartbeatAt = Date.now();
      if (status === "active" || status === "draining") continue;
      // Declared dead while alive (e.g. the machine slept): its jobs were handed on.
      logger.warn("worker was declared dead; abandoning its attempts and rejoining", {
        worker: worker.name,
      });
      for (const attempt of worker.running.values()) {
        attempt.stopReason = "superseded";
        attempt.handle?.kill("Superseded");
      }
      if (status === "stopped") await workersSql.setWorkerStatus(db, [worker.id], "active");
      else {
        const row = await registerOne(worker.name);
        worker.id = row.id;
      }
    }
  };

  const reap = async () => {
    // Back from a database outage, our own heartbeat goes first: this reaper must not
    // declare its own workers dead (and hand on jobs whose outcomes it still holds).
    if (workers.length && Date.now() - lastHeartbeatAt > config.workerHeartbeatIntervalMs)
      await heartbeat();
    const dead = await workersSql.markSilentWorkersStopped(db, config.workerTimeoutMs);
    const recovered = await recoverOrphanedJobs(
      db,
      "The worker running this job stopped responding",
    );
    if (dead.length || recovered.length) {
      logger.warn("recovered jobs of dead workers", {
        workers: dead.length,
        jobs: recovered.length,
      });
    }
    await auditRunning();
    await workersSql.deleteOldStoppedWorkers(db, 3_600_000);
  };

  /**
   * Rows our live workers hold as running that no attempt here is executing (an outcome
   * that could not be written, a claim whose reply was lost) are handed back or failed.
   * Rows claimed within the worker timeout are left alone: their claim may still be on
   * its way back.
   */
  const auditRunning = async () => {
    if (stopping || workers.length === 0) return;
    const lost = await recoverLostJobs(db, {
      workerIds: workers.map((w) => w.id),
      runningIds: [...running.keys()],
      graceMs: config.workerTimeoutMs,
      reason: "The job was left running without a worker executing it",
    });
    if (lost.length)
      logger.warn("recovered running jobs no worker was executing", { jobs: lost.length });
  };

  /** Stops the workers a previous run of this instance left behind, and hands on their jobs. */
  const recoverPreviousRun = async (file: string) => {
    const state = await readWorkerState(file);
    if (!state || state.workerIds.length === 0) return;
    if (
      !previousRunEnded(state, {
        hostname: os.hostname(),
        pid: process.pid,
        isAlive: processIsAlive,
      })
    )
      return;
    await workersSql.setWorkerStatus(db, state.workerIds, "stopped");
    const recovered = await recoverOrphanedJobs(
      db,
      "The server running this job stopped without finishing it",
    );
    logger.info("stopped the workers of the previous run", {
      workers: state.workerIds.length,
      jobs: recovered.length,
    });
  };

  const watchProgress = () => {
    const now = Date.now();
    for (const attempt of running.values()) {
      if (attempt.stopReason || attempt.killReason) continue;
      if (options.debug?.held(attempt.key.id)) attempt.lastProgressAt = now;
      if (now - attempt.lastProgressAt > attempt.progressTimeoutMs) {
        const seconds = Math.round(attempt.progressTimeoutMs / 1000);
        attempt.killReason = {
          message: `Progress timeout: no progress reported for ${seconds}s`,
          retry: true,
        };
        attempt.handle?.kill(attempt.killReason.message);
      }
    }
  };

  const registerOne = (name: string) =>
    workersSql.registerWorker(db, {
      name,
      hostname: os.hostname(),
      maxConcurrentJobs: config.maxConcurrentPerWorker,
      metadata: { hostname: os.hostname(), pid: process.pid },
    });

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
      const count = config.workerMode === "disabled" ? 0 : config.embeddedWorkerCount;
      const stateFile =
        options.stateDir === undefined ? undefined : workerStatePath(options.stateDir);
      if (stateFile) await recoverPreviousRun(stateFile);
      for (let i = 0; i < count; i++) {
        const name = `worker-${randomBytes(4).toString("hex")}@${os.hostname()}`;
        const row = await registerOne(name);
        workers.push({
          id: row.id,
          name,
          running: new Map(),
          finished: [],
          calling: false,
          again: false,
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
      every(config.workerHeartbeatIntervalMs, heartbeat, "heartbeat");
      every(Math.max(500, Math.min(config.workerTimeoutMs / 2, 5000)), reap, "reaper");
      every(1000, watchProgress, "progress watchdog");
      await reap().catch(() => undefined);
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
  };
}
