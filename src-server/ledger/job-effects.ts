// What the API does differently for a request made with a job's token: it records the
// request's writes against the job's run (the ledger), and for a dry run it runs data
// requests in the run's held transaction and holds storage writes and submits back.
import type { Caller } from "../auth/caller.ts";
import type { Db, Queryable } from "../db/connections.ts";
import { withCallerSession, type PgRole } from "../db/session.ts";
import type { Logger } from "../logger.ts";
import { createDryRunSessions, type DryRunSessions } from "./dry-run-sessions.ts";
import { insertEffect, type Effect } from "./effects-queries.ts";

export interface JobEffectsOptions {
  db: Db;
  logger: Logger;
  /** How often held dry-run transactions check their attempt still runs. */
  sweepMs?: number;
}

export interface JobEffects {
  /** Whether `caller` is a job's token of a dry run. */
  dryRun(caller: Caller): Promise<boolean>;
  /** Whether `caller` is a job's token (its writes go in the ledger). */
  isJob(caller: Caller): boolean;
  /** withCallerSession, or the held transaction of a dry run. */
  asCaller<T>(caller: Caller, fn: (tx: Queryable, pgRole: PgRole) => Promise<T>): Promise<T>;
  /** Records a write of a job's token against its run; other callers record nothing. */
  record(caller: Caller, effect: Effect): Promise<void>;
  readonly sessions: DryRunSessions;
  close(): Promise<void>;
}

const MAX_CACHED = 10_000;

function bound(caller: Caller): { jobId: string; attempt: number } | undefined {
  const job = caller.job;
  if (!job?.jobId) return undefined;
  return { jobId: job.jobId, attempt: job.attempt ?? 0 };
}

export function createJobEffects({ db, logger, sweepMs }: JobEffectsOptions): JobEffects {
  const sessions = createDryRunSessions({ db, logger, sweepMs });
  // A job's dry_run never changes: one lookup per job.
  const dryRuns = new Map<string, Promise<boolean>>();

  const dryRun = (caller: Caller): Promise<boolean> => {
    const job = bound(caller);
    if (!job) return Promise.resolve(false);
    let hit = dryRuns.get(job.jobId);
    if (!hit) {
      if (dryRuns.size >= MAX_CACHED) dryRuns.clear();
      hit = db
        .query<{ dry_run: boolean }>("SELECT dry_run FROM jobs.queue WHERE id = $1", [job.jobId])
        .then((rows) => rows[0]?.dry_run ?? false);
      hit.catch(() => dryRuns.delete(job.jobId));
      dryRuns.set(job.jobId, hit);
    }
    return hit;
  };

  return {
    dryRun,
    isJob: (caller) => !!bound(caller),
    async asCaller(caller, fn) {
      const job = bound(caller);
      if (job && (await dryRun(caller))) return sessions.run(caller, job, fn);
      return withCallerSession(db, caller, fn);
    },
    async record(caller, effect) {
      const job = bound(caller);
      if (!job) return;
      try {
        await insertEffect(db, { ...job, dryRun: await dryRun(caller) }, effect);
      } catch (err) {
        logger.warn("a job's effect could not be recorded", {
          job: job.jobId,
          error: (err as Error).message,
        });
      }
    },
    sessions,
    close: () => sessions.close(),
  };
}
