// Wire types shared by the SDK and the server: the JSON shapes of docs/compatibility.md §2.
// JSON columns (payload, result, progress) travel as JSON values, not strings (compatibility §2.1).

export type JobStatus = "pending" | "running" | "completed" | "failed" | "cancelled";

import type { JsonObject, JsonValue } from "../src-shared/json.ts";

export type { JsonObject, JsonValue };

export interface JobProgress {
  percent: number;
  message?: string;
  data?: JsonValue;
  estimated_seconds_left?: number;
}

/** A row of jobs.queue as the API returns it. Optional fields are omitted when NULL. */
export interface Job {
  id: string;
  namespace: string;
  job_function_id?: string;
  job_name: string;
  status: JobStatus;
  payload?: JsonObject;
  result?: JsonValue;
  progress?: JobProgress;
  priority: number;
  max_duration_seconds?: number;
  progress_timeout_seconds?: number;
  max_retries: number;
  retry_count: number;
  error_message?: string;
  worker_id?: string;
  created_by?: string;
  user_role?: string;
  user_email?: string;
  user_name?: string;
  created_at: string;
  scheduled_at?: string;
  started_at?: string;
  last_progress_at?: string;
  completed_at?: string;
  /** The job this one was created from by a manual retry or resubmit. */
  retried_from?: string;
  /** The run this one replays (Replay from a run's detail). */
  replay_of?: string;
  /** The version of the function's code the run used. */
  function_version?: number;
  /** A dry run: its data writes were rolled back, storage writes and submits held back. */
  dry_run?: boolean;
  estimated_completion_at?: string;
  estimated_seconds_left?: number;
  progress_percent?: number;
  progress_message?: string;
  progress_data?: JsonValue;
  /**
   * Anonymous submits only: lets this client's `jobs.get` read the job (Fluxbase Local;
   * upstream sends none). Valid for one day, for this one job.
   */
  receipt?: string;
}

export interface JobListResponse {
  jobs: Job[];
  limit: number;
  offset: number;
  total: number;
}

export interface JobFunctionSummary {
  id: string;
  name: string;
  namespace: string;
  description?: string;
  is_bundled: boolean;
  bundle_error?: string;
  enabled: boolean;
  schedule?: string;
  timeout_seconds: number;
  memory_limit_mb: number;
  max_retries: number;
  progress_timeout_seconds: number;
  allow_net: boolean;
  /** Fluxbase Local: private destinations (`host[:port]`) the function may reach all the same. */
  allow_net_hosts?: string[];
  allow_env: boolean;
  allow_read: boolean;
  allow_write: boolean;
  require_roles?: string[];
  disable_execution_logs: boolean;
  version: number;
  created_by?: string;
  source: "filesystem" | "api" | "builtin";
  created_at: string;
  updated_at: string;
}

export interface JobFunction extends JobFunctionSummary {
  code?: string;
  original_code?: string;
}

export interface Worker {
  id: string;
  name?: string;
  hostname?: string;
  status: "active" | "draining" | "stopped";
  max_concurrent_jobs: number;
  current_job_count: number;
  last_heartbeat_at?: string;
  started_at: string;
  metadata?: JsonObject;
}

/** Counts of jobs: per status, mean run time, and per status, day and function. */
export interface JobCounts {
  total_jobs: number;
  pending_jobs: number;
  running_jobs: number;
  completed_jobs: number;
  failed_jobs: number;
  cancelled_jobs: number;
  avg_duration_seconds: number;
  jobs_by_status: { status: string; count: number }[];
  jobs_by_day: { date: string; count: number }[];
  jobs_by_function: { name: string; count: number }[];
}

export interface JobStats extends JobCounts {
  // The guide's spellings (compatibility §2.3: return both).
  total: number;
  pending: number;
  running: number;
  completed: number;
  failed: number;
  cancelled: number;
}

export interface LogEntry {
  id: string;
  timestamp: string;
  category: "execution";
  level: "debug" | "info" | "warn" | "error";
  message: string;
  execution_id: string;
  line_number: number;
  fields?: JsonObject;
}

export interface JobLogsResponse {
  logs: LogEntry[];
  count: number;
}

export interface SubmitJobRequest {
  job_name: string;
  namespace?: string;
  payload?: JsonObject;
  priority?: number;
  scheduled_at?: string;
  /** Upstream SDK spelling of scheduled_at. */
  scheduled?: string;
  on_behalf_of?: { user_id: string; user_email?: string; user_role?: string };
  /** Fluxbase Local: a dry run (data writes rolled back, storage writes and submits held back). */
  dry_run?: boolean;
}

export interface ListJobsQuery {
  status?: JobStatus;
  job_name?: string;
  namespace?: string;
  include_result?: boolean;
  limit?: number;
  offset?: number;
}

export interface AdminListJobsQuery extends ListJobsQuery {
  worker_id?: string;
}

export interface AuthUser {
  id: string;
  email: string;
  role: string;
  user_metadata: JsonObject;
  app_metadata: JsonObject;
  created_at: string;
  updated_at?: string;
}

export interface AuthSession {
  user: AuthUser;
  access_token: string;
  refresh_token: string;
  expires_in: number;
  token_type: "bearer";
}

export interface ErrorBody {
  error: string;
  code?: string;
  field?: string;
  [key: string]: unknown;
}

export interface HealthResponse {
  status: "ok";
  database: "ok";
  workers: number;
  version: string;
}

/** Body of POST /api/v1/admin/jobs/functions and each entry of a sync's `jobs` (compatibility §2.3–2.4). */
export interface JobFunctionInput {
  name: string;
  namespace?: string;
  code?: string;
  original_code?: string;
  is_bundled?: boolean;
  description?: string;
  enabled?: boolean;
  schedule?: string;
  timeout_seconds?: number;
  memory_limit_mb?: number;
  max_retries?: number;
  progress_timeout_seconds?: number;
  allow_net?: boolean;
  /** Fluxbase Local: private destinations (`host[:port]`) the function may reach all the same. */
  allow_net_hosts?: string[];
  allow_env?: boolean;
  allow_read?: boolean;
  allow_write?: boolean;
  require_roles?: string[];
  disable_execution_logs?: boolean;
}

/** Body of PUT /api/v1/admin/jobs/functions/:namespace/:name: any subset of the fields. */
export type JobFunctionPatch = Partial<Omit<JobFunctionInput, "name" | "namespace">>;

export interface SyncJobsRequest {
  namespace?: string;
  /** Omitted or empty: the server reloads its jobs folder into the namespace. */
  jobs?: JobFunctionInput[];
  options?: { delete_missing?: boolean; dry_run?: boolean };
}

export interface SyncJobsResponse {
  message: string;
  namespace: string;
  summary: { created: number; updated: number; deleted: number; unchanged: number; errors: number };
  details: { created: string[]; updated: string[]; deleted: string[]; unchanged: string[] };
  errors: { job: string; error: string; action: "create" | "update" | "delete" }[];
  dry_run: boolean;
}

export interface NamespacesResponse {
  namespaces: string[];
}

/** Body of POST /api/v1/admin/jobs/queue/:id/resubmit (all optional). */
export interface ResubmitJobRequest {
  payload?: JsonObject;
}

/** One finding of the portability check (compatibility §8.3): works here, differs on upstream Fluxbase. */
export interface PortabilityWarning {
  /** 1-based line. */
  line: number;
  rule: string;
  message: string;
  file: string;
}

/** Where a job file does not parse (POST /admin/jobs/check): 1-based line and column. */
export interface JobBuildError {
  line: number;
  column: number;
  message: string;
}

/** The whole answer of POST /admin/jobs/check. */
export interface JobFileCheck {
  warnings: PortabilityWarning[];
  build_errors: JobBuildError[];
}
