// Statements on jobs.queue. Every write a worker makes after claiming is guarded by
// (worker_id, retry_count, status = 'running'), so a worker that was declared dead,
// or a job that was cancelled meanwhile, cannot be overwritten by a late write.
import { storableJson, storableText } from "../storable.ts";
import type { Queryable } from "../connections.ts";

export interface JobRow {
  id: string;
  namespace: string;
  function_id: string | null;
  job_name: string;
  status: "pending" | "running" | "completed" | "failed" | "cancelled";
  payload: Record<string, unknown> | null;
  result: unknown;
  progress: Record<string, unknown> | null;
  priority: number;
  max_duration_seconds: number | null;
  progress_timeout_seconds: number | null;
  max_retries: number;
  retry_count: number;
  error_message: string | null;
  worker_id: string | null;
  created_by: string | null;
  user_role: string | null;
  user_email: string | null;
  user_name: string | null;
  retried_from: string | null;
  function_version: number | null;
  /** Migration 0018: the run this one replays, the pinned code version, dry run. */
  replay_of?: string | null;
  code_version?: number | null;
  dry_run?: boolean;
  created_at: Date;
  scheduled_at: Date | null;
  started_at: Date | null;
  last_progress_at: Date | null;
  completed_at: Date | null;
}

export interface NewJob {
  namespace: string;
  functionId: string | null;
  jobName: string;
  payload: unknown;
  priority: number;
  maxDurationSeconds: number | null;
  progressTimeoutSeconds: number | null;
  maxRetries: number;
  createdBy: string | null;
  userRole: string | null;
  userEmail: string | null;
  scheduledAt: Date | null;
  retriedFrom?: string | null;
  /** The run this one replays (migration 0018). */
  replayOf?: string | null;
  /** The function version whose code the run uses; null or absent: the current code. */
  codeVersion?: number | null;
  /** Run with every write held back (migration 0018). */
  dryRun?: boolean;
}

export async function insertJob(db: Queryable, job: NewJob): Promise<JobRow> {
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
      job.replayOf ?? null,
      job.codeVersion ?? null,
      job.dryRun ?? false,
    ],
  );
  return rows[0]!;
}

export interface AttemptKey {
  id: string;
  workerId: string;
  retryCount: number;
}

const ATTEMPT_GUARD = "id = $1 AND worker_id = $2 AND retry_count = $3 AND status = 'running'";

export interface Completion {
  key: AttemptKey;
  result: unknown;
  progress: unknown;
}

// What a job produced is made storable (no NUL, no unpaired surrogate) on its way in.
const progressJson = (progress: unknown) =>
  progress === undefined ? null : JSON.stringify(storableJson(progress));

/**
 * A completion as the completion statement takes it: the result and progress as storable
 * JSON text (no NUL, no unpaired surrogate).
 */
export interface SerializedCompletion {
  key: AttemptKey;
  result: string;
  progress: string | null;
}

/** Made storable and serialised; throws for a value JSON cannot hold (a BigInt, a cycle). */
export function serializeCompletion(c: Completion): SerializedCompletion {
  return {
    key: c.key,
    result: JSON.stringify(storableJson(c.result ?? null)),
    progress: progressJson(c.progress),
  };
}

/** The completion statement's parameters, as arrays: ids, worker ids, attempts, results, progress. */
export function completionParams(items: SerializedCompletion[]): unknown[] {
  return [
    items.map((i) => i.key.id),
    items.map((i) => i.key.workerId),
    items.map((i) => i.key.retryCount),
    items.map((i) => i.result),
    items.map((i) => i.progress),
  ];
}

/**
 * The one statement that completes attempts: parameters `$first` .. `$first + 4` are
 * completionParams; each row is written only while it is still that attempt's (worker,
 * attempt number, running). Returns the ids completed. Used alone (completeJobs) and as
 * the `completed` step of a claim (claim.ts).
 *
 * The rows are found by primary key. `(status = 'running') IS TRUE` (status is never null)
 * keeps the planner off queue_running_idx: until autovacuum reaches it, that index holds an
 * entry for every job that ran since, and with statistics that lag a burst of jobs the
 * planner walked them all for each completion (bench/claim-cost.ts: ~0.1 ms of PostgreSQL
 * CPU per job).
 */
export function completeAttemptsSql(first: number): string {
  const [ids, workers, attempts, results, progress] = [0, 1, 2, 3, 4].map((i) => `$${first + i}`);
  return `UPDATE jobs.queue q SET status = 'completed', result = v.result, completed_at = now(), error_message = NULL,
       progress = coalesce(v.progress, q.progress)
     FROM unnest(${ids}::uuid[], ${workers}::uuid[], ${attempts}::int[], ${results}::jsonb[], ${progress}::jsonb[])
       AS v(id, worker_id, retry_count, result, progress)
     WHERE q.id = ANY (${ids}::uuid[]) AND q.id = v.id AND q.worker_id = v.worker_id
       AND q.retry_count = v.retry_count AND (q.status = 'running') IS TRUE
     RETURNING q.id`;
}

/** Completes many attempts in one statement; returns the ids actually completed. */
export async function completeJobs(
  db: Queryable,
  items: SerializedCompletion[],
): Promise<Set<string>> {
  const rows = await db.query<{ id: string }>(completeAttemptsSql(1), completionParams(items), {
    prepare: "fluxbase_complete_jobs",
  });
  return new Set(rows.map((r) => r.id));
}

export interface FailOptions {
  error: string;
  /** Delay before the next attempt; null = never retry this failure. */
  retryDelayMs: number | null;
  progress?: unknown;
}

/** Fails an attempt: back to pending with a delay while attempts remain, else failed. */
export async function failJob(
  db: Queryable,
  key: AttemptKey,
  options: FailOptions,
): Promise<"pending" | "failed" | undefined> {
  const rows = await db.query<{ status: "pending" | "failed" }>(
    `UPDATE jobs.queue SET
       status = CASE WHEN $5::int IS NOT NULL AND retry_count < max_retries THEN 'pending' ELSE 'failed' END,
       scheduled_at = CASE WHEN $5::int IS NOT NULL AND retry_count < max_retries
                      THEN now() + make_interval(secs => $5::int / 1000.0) ELSE scheduled_at END,
       completed_at = CASE WHEN $5::int IS NOT NULL AND retry_count < max_retries THEN NULL ELSE now() END,
       worker_id = CASE WHEN $5::int IS NOT NULL AND retry_count < max_retries THEN NULL ELSE worker_id END,
       retry_count = CASE WHEN $5::int IS NOT NULL AND retry_count < max_retries THEN retry_count + 1
                     ELSE retry_count END,
       error_message = $4,
       progress = coalesce($6, progress)
     WHERE ${ATTEMPT_GUARD} RETURNING status`,
    [
      key.id,
      key.workerId,
      key.retryCount,
      storableText(options.error),
      options.retryDelayMs,
      progressJson(options.progress),
    ],
  );
  return rows[0]?.status;
}

export async function updateProgress(
  db: Queryable,
  key: AttemptKey,
  progress: unknown,
): Promise<boolean> {
  const rows = await db.query(
    `UPDATE jobs.queue SET progress = $4, last_progress_at = now() WHERE ${ATTEMPT_GUARD} RETURNING id`,
    [key.id, key.workerId, key.retryCount, progressJson(progress)],
  );
  return rows.length > 0;
}

/** Writes the progress of many attempts in one statement; returns the ids still running. */
export async function updateProgressMany(
  db: Queryable,
  items: { key: AttemptKey; progress: unknown }[],
): Promise<Set<string>> {
  const rows = await db.query<{ id: string }>(
    `UPDATE jobs.queue q SET progress = v.progress, last_progress_at = now()
     FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::jsonb[]) AS v(id, worker_id, retry_count, progress)
     WHERE q.id = v.id AND q.worker_id = v.worker_id AND q.retry_count = v.retry_count AND q.status = 'running'
     RETURNING q.id`,
    [
      items.map((i) => i.key.id),
      items.map((i) => i.key.workerId),
      items.map((i) => i.key.retryCount),
      items.map((i) => progressJson(i.progress)),
    ],
  );
  return new Set(rows.map((r) => r.id));
}

export async function findJob(db: Queryable, id: string): Promise<JobRow | undefined> {
  const rows = await db.query<JobRow>(
    `SELECT q.*, coalesce(u.user_metadata ->> 'name', u.user_metadata ->> 'full_name') AS user_name
     FROM jobs.queue q LEFT JOIN auth.users u ON u.id = q.created_by WHERE q.id = $1`,
    [id],
  );
  return rows[0];
}

export async function cancelJob(
  db: Queryable,
  id: string,
): Promise<{ before: JobRow["status"]; row: JobRow } | undefined> {
  const rows = await db.query<JobRow & { before: JobRow["status"] }>(
    `UPDATE jobs.queue q SET status = 'cancelled', completed_at = now(),
       error_message = coalesce(q.error_message, CASE WHEN old.status = 'running' THEN 'Cancelled while running' END)
     FROM (SELECT id, status FROM jobs.queue WHERE id = $1 FOR UPDATE) old
     WHERE q.id = old.id AND old.status IN ('pending', 'running')
     RETURNING q.*, old.status AS before`,
    [id],
  );
  const row = rows[0];
  return row ? { before: row.before, row } : undefined;
}

export async function terminateJob(db: Queryable, id: string): Promise<JobRow | undefined> {
  const rows = await db.query<JobRow>(
    `UPDATE jobs.queue SET status = 'cancelled', completed_at = now(), error_message = 'Terminated by an administrator'
     WHERE id = $1 AND status = 'running' RETURNING *`,
    [id],
  );
  return rows[0];
}

/** An attempt that was lost counts: the row goes back to pending, or fails when out of attempts. */
const HAND_BACK_OR_FAIL = `status = CASE WHEN q.retry_count < q.max_retries THEN 'pending' ELSE 'failed' END,
       completed_at = CASE WHEN q.retry_count < q.max_retries THEN NULL ELSE now() END,
       started_at = CASE WHEN q.retry_count < q.max_retries THEN NULL ELSE q.started_at END,
       retry_count = CASE WHEN q.retry_count < q.max_retries THEN q.retry_count + 1 ELSE q.retry_count END`;

/**
 * Puts back (or fails, when out of attempts) the running jobs no live worker holds: their
 * worker is stopped, or its row is gone (deleted, or never there: worker_id is not a
 * foreign key, migration 0004), or they have no worker at all.
 */
export async function recoverOrphanedJobs(db: Queryable, reason: string): Promise<JobRow[]> {
  return db.query<JobRow>(
    `UPDATE jobs.queue q SET
       ${HAND_BACK_OR_FAIL},
       error_message = $1,
       worker_id = NULL
     WHERE q.status = 'running'
       AND NOT EXISTS (SELECT 1 FROM jobs.workers w WHERE w.id = q.worker_id AND w.status <> 'stopped')
     RETURNING q.*`,
    [reason],
  );
}

/**
 * Hands interrupted attempts back to the queue as if they had never been claimed: pending,
 * the attempt not counted (the server stopped them, not the job).
 */
export async function releaseJobs(
  db: Queryable,
  keys: AttemptKey[],
  reason: string,
): Promise<string[]> {
  if (keys.length === 0) return [];
  const rows = await db.query<{ id: string }>(
    `UPDATE jobs.queue q SET status = 'pending', worker_id = NULL, started_at = NULL, completed_at = NULL,
       error_message = $4
     FROM unnest($1::uuid[], $2::uuid[], $3::int[]) AS v(id, worker_id, retry_count)
     WHERE q.id = ANY ($1::uuid[]) AND q.id = v.id AND q.worker_id = v.worker_id AND q.retry_count = v.retry_count
       AND q.status = 'running'
     RETURNING q.id`,
    [keys.map((k) => k.id), keys.map((k) => k.workerId), keys.map((k) => k.retryCount), reason],
  );
  return rows.map((r) => r.id);
}

/**
 * The rows these (live) workers hold as running but are not running: claimed longer than
 * `graceMs` ago and not among `runningIds`. Each goes back to pending (the attempt counts)
 * or, out of attempts, fails with `reason`.
 */
export async function recoverLostJobs(
  db: Queryable,
  options: { workerIds: string[]; runningIds: string[]; graceMs: number; reason: string },
): Promise<JobRow[]> {
  if (options.workerIds.length === 0) return [];
  return db.query<JobRow>(
    `UPDATE jobs.queue q SET
       ${HAND_BACK_OR_FAIL},
       error_message = $4,
       worker_id = CASE WHEN q.retry_count < q.max_retries THEN NULL ELSE q.worker_id END
     WHERE q.status = 'running' AND q.worker_id = ANY ($1::uuid[]) AND NOT (q.id = ANY ($2::uuid[]))
       AND q.started_at < now() - make_interval(secs => $3::float8 / 1000)
     RETURNING q.*`,
    [options.workerIds, options.runningIds, options.graceMs, options.reason],
  );
}
