// Job operations behind the user and admin routes. Non-admin callers see, cancel and
// retry only their own jobs; anything else is "not found" (compatibility §2.2).
import type { Job, JobStats } from "../../../src-sdk/types.ts";
import type { Caller } from "../../auth/caller.ts";
import { isAdminRole } from "../../auth/roles.ts";
import type { Db } from "../../db/pool.ts";
import { listLogs } from "../../db/queries/logs.ts";
import * as queue from "../../db/queries/queue.ts";
import { AppError } from "../../errors.ts";
import { CONTROL_CHANNEL } from "../worker/pool.ts";
import { toJob, toLogEntry } from "./serialize.ts";
import { resolveFunction } from "./submit.ts";
import { listAttempts } from "../../db/queries/attempts.ts";
import { listJobPage, SORT_COLUMNS } from "../../db/queries/job-list.ts";
import {
  optionalBoolean,
  optionalDate,
  optionalEnum,
  optionalInt,
  optionalStatus,
  optionalString,
  paging,
  requireJobId,
} from "../../http/job-validation.ts";

export function ownerOf(caller: Caller): queue.Owner | undefined {
  if (isAdminRole(caller.role)) return undefined;
  if (caller.userId) return { userId: caller.userId };
  if (caller.role === "anon") return { anon: true };
  return { nobody: true };
}

function visible(row: queue.JobRow, owner: queue.Owner | undefined): boolean {
  if (!owner) return true;
  if ("userId" in owner) return row.created_by === owner.userId;
  if ("anon" in owner) return row.created_by === null && row.user_role === "anon";
  return false;
}

export async function getVisibleJob(
  db: Db,
  caller: Caller | "admin",
  rawId: string,
): Promise<queue.JobRow> {
  const id = requireJobId(rawId);
  const row = await queue.findJob(db, id);
  const owner = caller === "admin" ? undefined : ownerOf(caller);
  if (!row || !visible(row, owner)) throw new AppError("JOB_NOT_FOUND", "Job not found");
  return row;
}

export async function listVisibleJobs(
  db: Db,
  owner: queue.Owner | undefined,
  query: URLSearchParams,
  admin: boolean,
) {
  const page = paging(query);
  const { rows, total } = await listJobPage(db, {
    status: optionalStatus(query.get("status")),
    jobName: optionalString(query.get("job_name"), "job_name"),
    namespace: optionalString(query.get("namespace"), "namespace"),
    workerId: admin ? optionalString(query.get("worker_id"), "worker_id") : undefined,
    owner,
    search: optionalString(query.get("search")?.trim(), "search", 500),
    createdAfter: optionalDate(query.get("created_after"), "created_after"),
    createdBefore: optionalDate(query.get("created_before"), "created_before"),
    sort: optionalEnum(query.get("sort"), "sort", SORT_COLUMNS),
    order: optionalEnum(query.get("order"), "order", ["asc", "desc"] as const),
    includeResult: optionalBoolean(query.get("include_result"), "include_result") ?? false,
    ...page,
  });
  return { jobs: rows.map((r) => toJob(r)), limit: page.limit, offset: page.offset, total };
}

/** A job's attempts, oldest first (see db/queries/attempts.ts). */
export async function jobAttempts(db: Db, row: queue.JobRow) {
  return { attempts: await listAttempts(db, row) };
}

/** The query is validated before the job is looked up, so a bad query is a 400 either way. */
/** A page of a job's log: lines by default and at most, and bytes of messages at most. */
export const LOG_PAGE_LINES = 1000;
export const LOG_PAGE_MAX_LINES = 10_000;
export const LOG_PAGE_MAX_BYTES = 1024 * 1024;

export async function jobLogs(db: Db, query: URLSearchParams, load: () => Promise<queue.JobRow>) {
  const after = optionalInt(query.get("after_line"), "after_line", 0, 2_000_000_000) ?? 0;
  const limit = optionalInt(query.get("limit"), "limit", 1, LOG_PAGE_MAX_LINES) ?? LOG_PAGE_LINES;
  const row = await load();
  // One page: `has_more` says to ask again with after_line = the last line_number.
  const page = await listLogs(db, row.id, after, limit, LOG_PAGE_MAX_BYTES);
  const logs = page.rows.map(toLogEntry);
  return { logs, entries: logs, count: logs.length, has_more: page.more };
}

export async function cancelVisibleJob(db: Db, row: queue.JobRow): Promise<void> {
  if (row.status !== "pending" && row.status !== "running") {
    throw new AppError("INVALID_STATE", "Job cannot be cancelled", { status: row.status });
  }
  const res = await queue.cancelJob(db, row.id);
  if (!res) {
    const now = await queue.findJob(db, row.id);
    throw new AppError("INVALID_STATE", "Job cannot be cancelled", {
      status: now?.status ?? row.status,
    });
  }
  if (res.before === "running") {
    await db.query("SELECT pg_notify($1, $2)", [
      CONTROL_CHANNEL,
      JSON.stringify({ op: "cancel", id: row.id }),
    ]);
  }
}

export async function terminateRunningJob(db: Db, row: queue.JobRow): Promise<void> {
  const done = row.status === "running" ? await queue.terminateJob(db, row.id) : undefined;
  if (!done)
    throw new AppError("INVALID_STATE", "Only running jobs can be terminated", {
      status: row.status,
    });
  await db.query("SELECT pg_notify($1, $2)", [
    CONTROL_CHANNEL,
    JSON.stringify({ op: "terminate", id: row.id }),
  ]);
}

/**
 * A new job from an old one, with the function's current settings and the original
 * submitter. Manual retry accepts failed or cancelled jobs; resubmit accepts any.
 */
export async function copyJob(
  db: Db,
  row: queue.JobRow,
  options: { mode: "retry" | "resubmit"; payload?: unknown },
): Promise<Job> {
  if (options.mode === "retry" && row.status !== "failed" && row.status !== "cancelled") {
    throw new AppError("INVALID_STATE", "Only failed or cancelled jobs can be retried", {
      status: row.status,
    });
  }
  let payload = row.payload ?? {};
  if (options.payload !== undefined) {
    if (!options.payload || typeof options.payload !== "object" || Array.isArray(options.payload)) {
      throw new AppError("VALIDATION_FAILED", "payload must be a JSON object", {
        field: "payload",
      });
    }
    payload = options.payload as Record<string, unknown>;
  }
  const fn = await resolveFunction(db, row.job_name, row.namespace);
  const created = await queue.insertJob(db, {
    namespace: fn.namespace,
    functionId: fn.id,
    jobName: fn.name,
    payload,
    priority: row.priority,
    maxDurationSeconds: fn.timeout_seconds,
    progressTimeoutSeconds: fn.progress_timeout_seconds,
    maxRetries: fn.max_retries,
    createdBy: row.created_by,
    userRole: row.user_role,
    userEmail: row.user_email,
    scheduledAt: null,
    retriedFrom: row.id,
  });
  return toJob(created, { detail: true });
}

export async function jobStats(db: Db, namespace?: string): Promise<JobStats> {
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
    total: n("total_jobs"),
    pending: n("pending_jobs"),
    running: n("running_jobs"),
    completed: n("completed_jobs"),
    failed: n("failed_jobs"),
    cancelled: n("cancelled_jobs"),
  };
}
