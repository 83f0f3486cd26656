// A job's attempts: those that ended in a retry (jobs.attempts, written by the trigger of
// migration 0011) followed by the current or last one, read from the queue row itself; each
// with its progress reports (jobs.progress_events, written by the trigger of migration 0015).
import type { Queryable } from "../connections.ts";
import type { JobRow } from "./queue.ts";

export interface AttemptRecord {
  attempt: number;
  /** running, completed, failed, cancelled, or retried (ended in a failure with a retry). */
  status: string;
  worker_id?: string;
  started_at?: string;
  ended_at?: string;
  error_message?: string;
  /** For a retried attempt: when the next one was scheduled. */
  next_run_at?: string;
  /** The attempt's progress reports, oldest first (the newest 200 of the job are kept). */
  progress: ProgressEvent[];
}

export interface ProgressEvent {
  percent?: number;
  message?: string;
  at: string;
}

interface AttemptRow {
  attempt: number;
  worker_id: string | null;
  started_at: Date | null;
  ended_at: Date;
  error_message: string | null;
  next_run_at: Date | null;
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : undefined);

export async function listAttempts(db: Queryable, job: JobRow): Promise<AttemptRecord[]> {
  const rows = await db.query<AttemptRow>(
    `SELECT attempt, worker_id, started_at, ended_at, error_message, next_run_at
     FROM jobs.attempts WHERE job_id = $1 ORDER BY attempt`,
    [job.id],
  );
  const attempts: AttemptRecord[] = rows.map((r) => ({
    attempt: r.attempt,
    status: "retried",
    worker_id: r.worker_id ?? undefined,
    started_at: iso(r.started_at),
    ended_at: iso(r.ended_at),
    error_message: r.error_message ?? undefined,
    next_run_at: iso(r.next_run_at),
    progress: [],
  }));
  const last = attempts.at(-1);
  // A row back in pending still carries the previous attempt's start: not a new attempt.
  const started =
    job.started_at &&
    (!last?.started_at || job.started_at.getTime() !== Date.parse(last.started_at));
  if (job.status !== "pending" && started) {
    attempts.push({
      attempt: job.retry_count + 1,
      status: job.status,
      worker_id: job.worker_id ?? undefined,
      started_at: iso(job.started_at),
      ended_at: iso(job.completed_at),
      error_message: job.status === "completed" ? undefined : (job.error_message ?? undefined),
      progress: [],
    });
  }
  const events = await db.query<{
    retry_count: number;
    percent: number | null;
    message: string | null;
    at: Date;
  }>(
    `SELECT retry_count, percent, message, at FROM jobs.progress_events
     WHERE job_id = $1 ORDER BY id`,
    [job.id],
  );
  const byAttempt = new Map(attempts.map((a) => [a.attempt, a]));
  for (const e of events)
    byAttempt.get(e.retry_count + 1)?.progress.push({
      percent: e.percent ?? undefined,
      message: e.message ?? undefined,
      at: e.at.toISOString(),
    });
  return attempts;
}
