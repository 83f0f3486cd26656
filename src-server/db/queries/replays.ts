// Statements for replays and dry runs (migration 0018): kept function versions, and runs
// inserted with a pinned code version, a link to the run they replay, or as dry runs.
import type { Queryable } from "../connections.ts";
import type { JobRow, NewJob } from "./queue.ts";

export interface FunctionVersionRow {
  function_id: string;
  version: number;
  code: string | null;
  original_code: string | null;
  created_at: Date;
}

export async function findFunctionVersion(
  db: Queryable,
  functionId: string,
  version: number,
): Promise<FunctionVersionRow | undefined> {
  const rows = await db.query<FunctionVersionRow>(
    `SELECT function_id, version, code, original_code, created_at
     FROM jobs.function_versions WHERE function_id = $1 AND version = $2`,
    [functionId, version],
  );
  return rows[0];
}

export interface RunExtras {
  replayOf?: string | null;
  /** The function version whose code the run uses; null or absent: the current code. */
  codeVersion?: number | null;
  dryRun?: boolean;
}

export async function insertRun(db: Queryable, job: NewJob, extras: RunExtras): Promise<JobRow> {
  const rows = await db.query<JobRow>(
    `INSERT INTO jobs.queue (namespace, function_id, job_name, payload, priority, max_duration_seconds,
       progress_timeout_seconds, max_retries, created_by, user_role, user_email, scheduled_at, retried_from,
       replay_of, code_version, dry_run)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, (SELECT id FROM auth.users WHERE id = $9::uuid), $10, $11, $12, $13,
       $14, $15, $16)
     RETURNING *`,
    [
      job.namespace,
      job.functionId,
      job.jobName,
      JSON.stringify(job.payload ?? {}),
      job.priority,
      job.maxDurationSeconds,
      job.progressTimeoutSeconds,
      job.maxRetries,
      job.createdBy,
      job.userRole,
      job.userEmail,
      job.scheduledAt,
      job.retriedFrom ?? null,
      extras.replayOf ?? null,
      extras.codeVersion ?? null,
      extras.dryRun ?? false,
    ],
  );
  return rows[0]!;
}

/** Replays of a run, newest first. */
export async function listReplays(db: Queryable, jobId: string): Promise<JobRow[]> {
  return db.query<JobRow>(
    "SELECT * FROM jobs.queue WHERE replay_of = $1 ORDER BY created_at DESC LIMIT 100",
    [jobId],
  );
}
