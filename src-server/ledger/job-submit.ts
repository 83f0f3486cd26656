// How a submit is inserted: `dry_run: true` in the body makes the run a dry run; a job's
// own submit is recorded in its ledger, and in a dry run it is held back (answered, never
// queued).
import { randomUUID } from "node:crypto";
import type { Caller } from "../auth/caller.ts";
import type { Db } from "../db/connections.ts";
import { insertJob, type JobRow, type NewJob } from "../db/queries/queue.ts";
import { optionalBoolean } from "../http/job-validation.ts";
import type { JobEffects } from "./job-effects.ts";

type Inserter = { insert(job: NewJob): Promise<JobRow> };

export interface SubmitInserterOptions {
  db: Db;
  inserter?: Inserter;
  effects?: JobEffects;
}

/** The row a held-back submit answers: pending, as it would have been. */
export function heldBackJob(job: NewJob): JobRow {
  return {
    id: randomUUID(),
    namespace: job.namespace,
    function_id: job.functionId,
    job_name: job.jobName,
    status: "pending",
    payload: (job.payload ?? {}) as Record<string, unknown>,
    result: null,
    progress: null,
    priority: job.priority,
    max_duration_seconds: job.maxDurationSeconds,
    progress_timeout_seconds: job.progressTimeoutSeconds,
    max_retries: job.maxRetries,
    retry_count: 0,
    error_message: null,
    worker_id: null,
    created_by: job.createdBy,
    user_role: job.userRole,
    user_email: job.userEmail,
    user_name: null,
    retried_from: null,
    function_version: null,
    created_at: new Date(),
    scheduled_at: job.scheduledAt,
    started_at: null,
    last_progress_at: null,
    completed_at: null,
  };
}

export async function submitInserter(
  { db, inserter, effects }: SubmitInserterOptions,
  caller: Caller,
  body: unknown,
): Promise<Inserter | undefined> {
  const asked =
    body && typeof body === "object" && !Array.isArray(body)
      ? optionalBoolean((body as Record<string, unknown>).dry_run, "dry_run")
      : undefined;
  if (effects?.isJob(caller)) {
    const dry = await effects.dryRun(caller);
    return {
      async insert(job) {
        const row = dry
          ? heldBackJob(job)
          : asked
            ? await insertJob(db, { ...job, dryRun: true })
            : await (inserter ? inserter.insert(job) : insertJob(db, job));
        await effects.record(caller, {
          operation: "submit",
          kind: "job",
          target: `${row.namespace}/${row.job_name}`,
          rowCount: 1,
          keys: [{ id: row.id }],
        });
        return row;
      },
    };
  }
  if (asked) return { insert: (job) => insertJob(db, { ...job, dryRun: true }) };
  return inserter;
}
