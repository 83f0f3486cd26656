// The claim loop of one process's workers: when a worker claims, how many jobs, and what
// becomes of them. Each worker has `maxConcurrentPerWorker` slots; a claim asks for as
// many jobs as it has free slots (db/queries/claim.ts) and starts each job it gets.
//
// A worker claims when woken: by NOTIFY (wakeOne: the least busy worker with room), by the
// poll and each new listener connection (wakeAll), when one of its jobs ends (its slot is
// free), and when a sibling's claim came back full (there may be more). One claim per
// worker is in flight at a time: a wake during a claim makes the worker claim again as
// soon as it returns, so a job announced meanwhile is never left to the poll.
//
// A finished job gives its slot back as its completion is queued, and the completion rides
// the worker's next claim (completion-writer.ts says why, and what happens otherwise).
//
// A claim goes out at the end of the event-loop turn that asked for it (setImmediate), not
// at once: the outcomes of several jobs, and several wakes, often arrive in one turn (one
// read of the sandboxes' output, one batch of notifications), and each worker then makes
// one claim carrying all its completions and asking for all its free slots, where it made
// one for the first and a second for the rest. On an idle queue the wait is that of one
// turn, microseconds. A wake by a submit of this process (wakeOneNow, local-wake.ts)
// claims at once: that turn goes on to answer the submit, and the job need not wait for it
// (hurry does the same for a claim that the submit's NOTIFY, come first, made due).
//
// The workers' claims on the pool take turns, one in flight at a time (claim-turns.ts): a
// worker that wants to claim while a sibling's claim is out waits for it, and its claim then
// carries everything freed and queued meanwhile. A worker with every slot free has nothing
// to gather by waiting and claims at once: an idle worker woken by a NOTIFY, and each of
// many one-slot workers (waiting, they drained a queue one claim at a time: 786-819 jobs/s
// in `npm run bench`'s unbatched queue path, against 1,136-1,199 without turns).
import type { JobsConfig } from "../../config/types.ts";
import type { Queryable } from "../../db/connections.ts";
import { claimJobs, type ClaimedJobRow } from "../../db/queries/claim.ts";
import { coerceError } from "../../errors.ts";
import type { Logger } from "../../logger.ts";
import { createClaimTurns, type ClaimTurnsOptions } from "./claim-turns.ts";
import type { CompletionWriter, WaitingCompletion } from "./completion-writer.ts";
import type { RunningJob } from "./execute.ts";

export interface ClaimLoopOptions {
  db: Queryable;
  config: Pick<
    JobsConfig,
    "maxConcurrentPerWorker" | "maxConcurrentPerNamespace" | "defaultProgressTimeoutSeconds"
  >;
  completions: Pick<CompletionWriter, "ride" | "writeAlone">;
  /** Runs a claimed job to its end and records its outcome (execute.ts executeAttempt). */
  run(row: ClaimedJobRow, job: RunningJob): Promise<void>;
  logger: Logger;
  /** How the workers' claims on the pool take turns (claim-turns.ts). */
  turns?: ClaimTurnsOptions;
}

/** A registered worker as the claim loop keeps it; worker health renews `id` on rejoining. */
export interface ClaimingWorker {
  id: string;
  name: string;
  /** The jobs holding one of its slots, by job id. */
  running: Map<string, RunningJob>;
}

export interface ClaimLoop {
  /** Adds a registered worker; it claims once woken. */
  addWorker(id: string, name: string): ClaimingWorker;
  workers(): ClaimingWorker[];
  /** Every job running here, by job id, until its outcome is written. */
  readonly running: Map<string, RunningJob>;
  /** Work was announced: the least busy worker with room claims. */
  wakeOne(): void;
  /** wakeOne, its claim sent now rather than at the end of this turn (a local submit). */
  wakeOneNow(): void;
  /** Claims due at the end of this turn go out now (a local submit's NOTIFY came first). */
  hurry(): void;
  /**
   * The least busy worker with room and no claim in flight: `send` is called (it puts a
   * submit's insert on `db`, a pipelined connection), then that worker's claim goes out on
   * `db` behind it. False, and `send` not called, when no worker qualifies.
   */
  claimBehind(db: Queryable, send: () => void): boolean;
  /** Every worker with room claims (the poll, a new listener connection). */
  wakeAll(): void;
  /**
   * A job's completion is waiting (completion-writer.ts joinClaim): its slot is freed and
   * its worker's next claim carries it. False when no claim is due (stopped, or the
   * worker is not one of ours any more).
   */
  joinClaim(waiting: WaitingCompletion): boolean;
  /** Stops claiming; completions already waiting are written alone. */
  stop(): void;
  /** Resolves once every job started so far has ended. */
  settled(): Promise<void>;
}

interface LoopWorker extends ClaimingWorker {
  /** Completions waiting for this worker's next claim. */
  waiting: WaitingCompletion[];
  /** A claim is in flight, or waiting for its turn. */
  claiming: boolean;
  /** A claim will go out at the end of this event-loop turn. */
  scheduled: boolean;
  /** Woken, or a slot freed, while a claim was in flight: claim again when it returns. */
  claimAgain: boolean;
}

export function createClaimLoop(options: ClaimLoopOptions): ClaimLoop {
  const { db, config, completions, logger } = options;
  const workers: LoopWorker[] = [];
  const running = new Map<string, RunningJob>();
  const tasks = new Set<Promise<void>>();
  const turns = createClaimTurns(options.turns);
  let stopped = false;

  const startJob = (worker: LoopWorker, row: ClaimedJobRow) => {
    const now = Date.now();
    const job: RunningJob = {
      key: { id: row.id, workerId: worker.id, retryCount: row.retry_count },
      jobName: row.job_name,
      startedAt: now,
      lastProgressAt: now,
      progressTimeoutMs:
        (row.progress_timeout_seconds ?? config.defaultProgressTimeoutSeconds) * 1000,
    };
    worker.running.set(row.id, job);
    running.set(row.id, job);
    const task = options
      .run(row, job)
      .catch((err) =>
        logger.error("job attempt failed to record", {
          job: row.id,
          error: coerceError(err).message,
        }),
      )
      .finally(() => {
        // A completed job gave its slot back when its completion joined a claim.
        const heldSlot = worker.running.delete(row.id);
        running.delete(row.id);
        tasks.delete(task);
        if (heldSlot && !stopped) claimFor(worker);
      });
    tasks.add(task);
  };

  /**
   * Claims for the worker's free slots, carrying its waiting completions. Slots freed and
   * completions queued while a claim is in flight go together in the next one, so under
   * load each claim (and each commit) serves several jobs.
   */
  const claimFor = (worker: LoopWorker, now = false): void => {
    if (worker.claiming) {
      worker.claimAgain = true;
      return;
    }
    // The claim sent now takes what a claim due at the turn's end would have taken.
    if (now) return void claimNow(worker);
    if (worker.scheduled) return;
    worker.scheduled = true;
    setImmediate(() => {
      worker.scheduled = false;
      // A claim sent since (claiming now) took what this one was for.
      if (!worker.claiming) void claimNow(worker);
    });
  };

  /**
   * Only when no claim of the worker is in flight (claimFor, claimBehind). The first claim
   * goes on `via` when given, any that follow it on the pool. A claim on `via` (behind a
   * submit's insert) carries no completions: the submit's answer waits for it, and a
   * completion can wait for a row's lock where a claim never does (SKIP LOCKED); they
   * ride the claim that follows at once.
   */
  const claimNow = async (worker: LoopWorker, via?: Queryable): Promise<void> => {
    let behind = via;
    const wanted = () => (stopped ? 0 : config.maxConcurrentPerWorker - worker.running.size);
    do {
      worker.claimAgain = false;
      if (wanted() <= 0 && (behind || worker.waiting.length === 0)) return;
      worker.claiming = true;
      // On the pool a claim waits for its turn, then takes what was freed and queued while
      // it waited. Waiting pays only while some of the worker's jobs still run (their slots
      // may free meanwhile): with every slot free it claims at once, as behind an insert.
      const needsTurn = !behind && wanted() < config.maxConcurrentPerWorker;
      const endTurn = needsTurn ? (turns.take() ?? (await turns.wait())) : undefined;
      const waiting = behind ? [] : worker.waiting.splice(0);
      const on = behind ?? db;
      const want = wanted();
      let rows: ClaimedJobRow[] = [];
      try {
        if (want > 0) {
          const answer = await completions.ride(waiting, (carried) =>
            claimJobs(on, {
              workerId: worker.id,
              limit: want,
              namespaceLimit: config.maxConcurrentPerNamespace,
              completions: carried,
            }),
          );
          rows = answer.claimed;
        } else if (waiting.length > 0) {
          await completions.writeAlone(waiting);
        }
      } catch (err) {
        if (!stopped)
          logger.warn("claim failed", { worker: worker.name, error: coerceError(err).message });
      } finally {
        worker.claiming = false;
        endTurn?.();
        behind = undefined;
      }
      for (const row of rows) startJob(worker, row);
      // A full batch means there may be more: claim again, and let a sibling help.
      if (want > 0 && rows.length === want && !stopped) {
        worker.claimAgain = true;
        wakeOne(worker);
      }
      // Stopped, completions still waiting are written (alone) before leaving.
    } while ((worker.claimAgain && !stopped) || worker.waiting.length > 0);
  };

  /** The least busy worker with room, one not claiming first. */
  const leastBusy = (except?: LoopWorker) =>
    workers
      .filter((w) => w !== except && w.running.size < config.maxConcurrentPerWorker)
      .sort(
        (a, b) =>
          Number(a.claiming || a.scheduled) - Number(b.claiming || b.scheduled) ||
          a.running.size - b.running.size,
      )[0];

  /** The least busy worker with room claims; one claiming already claims again after. */
  const wakeOne = (except?: LoopWorker, now = false) => {
    const candidate = leastBusy(except);
    if (candidate) claimFor(candidate, now);
  };

  return {
    addWorker(id, name) {
      const worker: LoopWorker = {
        id,
        name,
        running: new Map(),
        waiting: [],
        claiming: false,
        scheduled: false,
        claimAgain: false,
      };
      workers.push(worker);
      return worker;
    },
    workers: () => workers,
    running,
    wakeOne: () => wakeOne(),
    wakeOneNow: () => wakeOne(undefined, true),
    hurry() {
      for (const w of workers) if (w.scheduled && !w.claiming) claimFor(w, true);
    },
    claimBehind(via, send) {
      const worker = leastBusy();
      if (stopped || !worker || worker.claiming) return false;
      send();
      // Takes what a claim due at the end of this turn would have taken (claimFor).
      void claimNow(worker, via);
      return true;
    },
    wakeAll() {
      for (const w of workers) claimFor(w);
    },
    joinClaim(waiting) {
      const { key } = waiting.completion;
      const worker = workers.find((w) => w.id === key.workerId);
      if (!worker || stopped) return false;
      worker.running.delete(key.id);
      worker.waiting.push(waiting);
      claimFor(worker);
      return true;
    },
    stop() {
      stopped = true;
    },
    settled: () => Promise.allSettled([...tasks]).then(() => undefined),
  };
}
