// The health of one process's workers and of the attempts they run: the heartbeat (and
// rejoining after being declared dead), the reaper (silent workers' jobs handed on, rows
// left running with no attempt here executing them, workers of this machine whose process
// is gone), the progress watchdog, and cancel / terminate requests from the control channel.
//
// An attempt can be held (`hold`): while a debugger has it paused, its timeout and its
// progress timeout are suspended; released, it gets a fresh progress window (and its timeout
// starts again, execute.ts). A debug run's `held` reads its debug session.
import type { JobsConfig } from "../../config/types.ts";
import type { Db } from "../../db/connections.ts";
import type { JobControl } from "../../db/queries/job-control.ts";
import { recoverLostJobs, recoverOrphanedJobs } from "../../db/queries/queue.ts";
import * as workersSql from "../../db/queries/workers.ts";
import type { Logger } from "../../logger.ts";
import type { RunningJob } from "./execute.ts";
import { workerProcessEnded, workerProcessOf, type LocalProcesses } from "./process-identity.ts";

/** What worker health needs of a registered worker (the pool's own record). */
export interface HealthWorker {
  id: string;
  name: string;
  running: Map<string, RunningJob>;
}

export interface WorkerHealthOptions {
  db: Db;
  config: Pick<
    JobsConfig,
    "workerHeartbeatIntervalMs" | "workerTimeoutMs" | "cancelGraceMs" | "maxConcurrentPerWorker"
  >;
  logger: Logger;
  /** This process's workers (their ids change when one rejoins). */
  workers(): HealthWorker[];
  /** Every attempt this process runs, by job id. */
  running: Map<string, RunningJob>;
  /** Whether the pool is stopping (no auditing then). */
  stopping(): boolean;
  /** Registers a worker anew (after its row was deleted); returns its new id. */
  register(name: string): Promise<string>;
  /** This machine's processes: workers whose process ended here are stopped at once. */
  local: LocalProcesses;
}

export interface WorkerHealth {
  heartbeat(): Promise<void>;
  reap(): Promise<void>;
  /** Stops the workers whose process ended on this machine (killed); returns their ids. */
  stopEndedProcesses(): Promise<string[]>;
  /** Kills attempts that stopped reporting progress for longer than their progress timeout. */
  watchProgress(now?: number): void;
  /** Acts on a cancel or terminate request for a job running here. */
  control(msg: JobControl): void;
  /** Holds or releases a running attempt (see above); false when no such attempt runs here. */
  hold(jobId: string, held: boolean): boolean;
}

export function createWorkerHealth(options: WorkerHealthOptions): WorkerHealth {
  const { db, config, logger, running } = options;
  let lastHeartbeatAt = Date.now();

  const heartbeat = async () => {
    for (const worker of options.workers()) {
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
      else worker.id = await options.register(worker.name);
    }
  };

  /**
   * Rows our live workers hold as running that no attempt here is executing (an outcome
   * that could not be written, a claim whose reply was lost) are handed back or failed.
   * Rows claimed within the worker timeout are left alone: their claim may still be on
   * its way back.
   */
  const auditRunning = async () => {
    const workers = options.workers();
    if (options.stopping() || workers.length === 0) return;
    const lost = await recoverLostJobs(db, {
      workerIds: workers.map((w) => w.id),
      runningIds: [...running.keys()],
      graceMs: config.workerTimeoutMs,
      reason: "The job was left running without a worker executing it",
    });
    if (lost.length)
      logger.warn("recovered running jobs no worker was executing", { jobs: lost.length });
  };

  const stopEndedProcesses = async () => {
    const candidates = await workersSql.listUnstoppedWorkersOn(db, options.local.identity.hostname);
    const ended = candidates
      .filter((w) => {
        const owner = workerProcessOf(w.metadata);
        return owner !== undefined && workerProcessEnded(owner, options.local);
      })
      .map((w) => w.id);
    if (ended.length) await workersSql.setWorkerStatus(db, ended, "stopped");
    return ended;
  };

  const reap = async () => {
    // Back from a database outage, our own heartbeat goes first: this reaper must not
    // declare its own workers dead (and hand on jobs whose outcomes it still holds).
    if (options.workers().length && Date.now() - lastHeartbeatAt > config.workerHeartbeatIntervalMs)
      await heartbeat();
    // A process killed on this machine is known dead now; others after the worker timeout.
    const ended = await stopEndedProcesses();
    const silent = await workersSql.markSilentWorkersStopped(db, config.workerTimeoutMs);
    const dead = [...ended, ...silent];
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

  const watchProgress = (now = Date.now()) => {
    for (const attempt of running.values()) {
      if (attempt.stopReason || attempt.killReason || attempt.held) continue;
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

  const control = (msg: JobControl) => {
    const attempt = running.get(msg.id);
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

  const hold = (jobId: string, held: boolean) => {
    const attempt = running.get(jobId);
    if (!attempt) return false;
    attempt.held = held;
    if (!held) attempt.lastProgressAt = Date.now();
    return true;
  };

  return { heartbeat, reap, stopEndedProcesses, watchProgress, control, hold };
}
