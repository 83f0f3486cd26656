// Rows to wire objects (compatibility §2.1): NULL fields are omitted, JSON columns stay JSON values.
import type { Job, JobFunction, JobProgress, LogEntry, Worker } from "../../../src-sdk/types.ts";
import type { FunctionRow } from "../../db/queries/functions.ts";
import type { LogRow } from "../../db/queries/logs.ts";
import type { JobRow } from "../../db/queries/queue.ts";
import type { WorkerRow } from "../../db/queries/workers.ts";

function iso(value: Date | null | undefined): string | undefined {
  return value ? value.toISOString() : undefined;
}

/** `obj` without its null and undefined fields (a copy: deleting fields slows the object down). */
function compact<T extends object>(obj: T): T {
  const out = {} as T;
  for (const key in obj) {
    const value = obj[key];
    if (value !== undefined && value !== null) out[key] = value;
  }
  return out;
}

export interface ToJobOptions {
  /** Single-job GET adds progress_data and keeps payload. */
  detail?: boolean;
  now?: number;
}

export function toJob(row: JobRow, options: ToJobOptions = {}): Job {
  const progress = (row.progress ?? undefined) as JobProgress | undefined;
  const job: Job = compact({
    id: row.id,
    namespace: row.namespace,
    job_function_id: row.function_id ?? undefined,
    job_name: row.job_name,
    status: row.status,
    payload: (row.payload ?? undefined) as Job["payload"],
    result: row.result === null ? undefined : (row.result as Job["result"]),
    progress,
    priority: row.priority,
    max_duration_seconds: row.max_duration_seconds ?? undefined,
    progress_timeout_seconds: row.progress_timeout_seconds ?? undefined,
    max_retries: row.max_retries,
    retry_count: row.retry_count,
    error_message: row.error_message ?? undefined,
    worker_id: row.worker_id ?? undefined,
    created_by: row.created_by ?? undefined,
    user_role: row.user_role ?? undefined,
    user_email: row.user_email ?? undefined,
    user_name: row.user_name ?? undefined,
    retried_from: row.retried_from ?? undefined,
    replay_of: row.replay_of ?? undefined,
    function_version: row.function_version ?? undefined,
    dry_run: row.dry_run ? true : undefined,
    created_at: row.created_at.toISOString(),
    scheduled_at: iso(row.scheduled_at),
    started_at: iso(row.started_at),
    last_progress_at: iso(row.last_progress_at),
    completed_at: iso(row.completed_at),
  });
  if (progress && typeof progress.percent === "number") {
    job.progress_percent = progress.percent;
    if (progress.message !== undefined) job.progress_message = progress.message;
    if (options.detail && progress.data !== undefined) job.progress_data = progress.data;
    const eta = estimate(row, progress.percent, options.now ?? Date.now());
    if (eta) Object.assign(job, eta);
  }
  return job;
}

/** Time left from elapsed time and percent, for running jobs between 0 and 100 %. */
function estimate(row: JobRow, percent: number, now: number) {
  if (row.status !== "running" || !row.started_at || percent <= 0 || percent >= 100)
    return undefined;
  const elapsed = (now - row.started_at.getTime()) / 1000;
  const left = Math.max(0, Math.round((elapsed / percent) * (100 - percent)));
  return {
    estimated_seconds_left: left,
    estimated_completion_at: new Date(now + left * 1000).toISOString(),
  };
}

export function toJobFunction(row: FunctionRow, withCode: boolean): JobFunction {
  const fn: JobFunction = compact({
    id: row.id,
    name: row.name,
    namespace: row.namespace,
    description: row.description ?? undefined,
    is_bundled: row.is_bundled,
    bundle_error: row.bundle_error ?? undefined,
    enabled: row.enabled,
    schedule: row.schedule ?? undefined,
    timeout_seconds: row.timeout_seconds,
    memory_limit_mb: row.memory_limit_mb,
    max_retries: row.max_retries,
    progress_timeout_seconds: row.progress_timeout_seconds,
    allow_net: row.allow_net,
    allow_net_hosts: row.allow_net_hosts?.length ? row.allow_net_hosts : undefined,
    allow_env: row.allow_env,
    allow_read: row.allow_read,
    allow_write: row.allow_write,
    require_roles: row.require_roles.length ? row.require_roles : undefined,
    disable_execution_logs: row.disable_execution_logs,
    version: row.version,
    created_by: row.created_by ?? undefined,
    source: row.source,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  });
  if (withCode) {
    if (row.code !== null) fn.code = row.code;
    if (row.original_code !== null) fn.original_code = row.original_code;
  }
  return fn;
}

export function toWorker(row: WorkerRow): Worker {
  return compact({
    id: row.id,
    name: row.name ?? undefined,
    hostname: row.hostname ?? undefined,
    status: row.status,
    max_concurrent_jobs: row.max_concurrent_jobs,
    current_job_count: row.current_job_count,
    last_heartbeat_at: row.last_heartbeat_at.toISOString(),
    started_at: row.started_at.toISOString(),
    metadata: (row.metadata ?? undefined) as Worker["metadata"],
  });
}

export function toLogEntry(row: LogRow): LogEntry {
  return compact({
    id: row.id,
    timestamp: row.timestamp.toISOString(),
    category: "execution" as const,
    level: row.level as LogEntry["level"],
    message: row.message,
    execution_id: row.execution_id,
    line_number: row.line_number,
    fields: (row.fields ?? undefined) as LogEntry["fields"],
  });
}
