// Job operations behind the user and admin routes. Non-admin callers see, cancel and
// retry only their own jobs; anything else is "not found" (compatibility §2.2).
import type { Job, JobStats } from "../../../src-sdk/types.ts";
import { mayViewJob, type JobViewer } from "../../auth/job-viewer.ts";
import type { Db } from "../../db/connections.ts";
import { listLogs } from "../../db/queries/logs.ts";
import * as queue from "../../db/queries/queue.ts";
import { AppError } from "../../errors.ts";
import { sendJobControl } from "../../db/queries/job-control.ts";
import { countJobs } from "../../db/queries/job-stats.ts";
import { toJob, toLogEntry } from "./serialize.ts";
import { resolveFunction } from "./submit.ts";
import { runFrom } from "./run-copy.ts";
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

/** The job `rawId` if `viewer` may see it, else "not found" (compatibility §2.2). */
export async function getVisibleJob(
  db: Db,
  viewer: JobViewer,
  rawId: string,
): Promise<queue.JobRow> {
  const id = requireJobId(rawId);
  const row = await queue.findJob(db, id);
  if (!row || !mayViewJob(viewer, row)) throw new AppError("JOB_NOT_FOUND", "Job not found");
  return row;
}

/** `admin`: the admin routes' list, which may also filter by worker. */
export async function listVisibleJobs(
  db: Db,
  viewer: JobViewer,
  query: URLSearchParams,
  admin: boolean,
) {
  const page = paging(query);
  const { rows, total } = await listJobPage(db, {
    status: optionalStatus(query.get("status")),
    jobName: optionalString(query.get("job_name"), "job_name"),
    namespace: optionalString(query.get("namespace"), "namespace"),
    workerId: admin ? optionalString(query.get("worker_id"), "worker_id") : undefined,
    viewer,
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
  if (res.before === "running") await sendJobControl(db, { op: "cancel", id: row.id });
}

export async function terminateRunningJob(db: Db, row: queue.JobRow): Promise<void> {
  const done = row.status === "running" ? await queue.terminateJob(db, row.id) : undefined;
  if (!done)
    throw new AppError("INVALID_STATE", "Only running jobs can be terminated", {
      status: row.status,
    });
  await sendJobControl(db, { op: "terminate", id: row.id });
}

/**
 * A new job from an old one, with the function's current settings and the original
 * submitter (a dry run stays one). Manual retry accepts failed or cancelled jobs; resubmit accepts any.
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
  const created = await queue.insertJob(
    db,
    runFrom(row, fn, {
      payload,
      retriedFrom: row.id,
      // A copy of a dry run is a dry run: retrying one must not make its writes real.
      dryRun: row.dry_run ?? false,
    }),
  );
  return toJob(created, { detail: true });
}

export async function jobStats(db: Db, namespace?: string): Promise<JobStats> {
  const c = await countJobs(db, namespace);
  return {
    ...c,
    total: c.total_jobs,
    pending: c.pending_jobs,
    running: c.running_jobs,
    completed: c.completed_jobs,
    failed: c.failed_jobs,
    cancelled: c.cancelled_jobs,
  };
}
