// Counts of jobs.queue for the stats route: totals per status, the mean run time of
// completed jobs, and jobs per status, per day (last 7 days) and per function (top 10).
import type { JobCounts } from "../../../src-sdk/types.ts";
import type { Queryable } from "../connections.ts";

/** Counts over every job, or over one namespace's. */
export async function countJobs(db: Queryable, namespace?: string): Promise<JobCounts> {
  const where = namespace ? "WHERE namespace = $1" : "";
  const values = namespace ? [namespace] : [];
  const [totals] = await db.query<Record<string, number>>(
    `SELECT count(*) AS total_jobs,
       count(*) FILTER (WHERE status = 'pending') AS pending_jobs,
       count(*) FILTER (WHERE status = 'running') AS running_jobs,
       count(*) FILTER (WHERE status = 'completed') AS completed_jobs,
       count(*) FILTER (WHERE status = 'failed') AS failed_jobs,
       count(*) FILTER (WHERE status = 'cancelled') AS cancelled_jobs,
       coalesce(avg(extract(epoch FROM completed_at - started_at))
         FILTER (WHERE status = 'completed' AND started_at IS NOT NULL), 0)::float8 AS avg_duration_seconds
     FROM jobs.queue ${where}`,
    values,
  );
  const byStatus = await db.query<{ status: string; count: number }>(
    `SELECT status, count(*) AS count FROM jobs.queue ${where} GROUP BY status ORDER BY status`,
    values,
  );
  const byDay = await db.query<{ date: string; count: number }>(
    `SELECT to_char(date_trunc('day', created_at), 'YYYY-MM-DD') AS date, count(*) AS count FROM jobs.queue
     ${where ? `${where} AND` : "WHERE"} created_at > now() - interval '7 days' GROUP BY 1 ORDER BY 1`,
    values,
  );
  const byFunction = await db.query<{ name: string; count: number }>(
    `SELECT job_name AS name, count(*) AS count FROM jobs.queue ${where} GROUP BY job_name ORDER BY count DESC, job_name LIMIT 10`,
    values,
  );
  const t = totals ?? {};
  const n = (k: string) => Number(t[k] ?? 0);
  return {
    total_jobs: n("total_jobs"),
    pending_jobs: n("pending_jobs"),
    running_jobs: n("running_jobs"),
    completed_jobs: n("completed_jobs"),
    failed_jobs: n("failed_jobs"),
    cancelled_jobs: n("cancelled_jobs"),
    avg_duration_seconds: n("avg_duration_seconds"),
    jobs_by_status: byStatus,
    jobs_by_day: byDay,
    jobs_by_function: byFunction,
  };
}
