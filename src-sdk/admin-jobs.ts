// client.admin.jobs: /api/v1/admin/jobs/* (compatibility §2.3–2.4). Needs an admin,
// dashboard_admin or service_role credential.
import { fail, ok, type Result } from "./errors.ts";
import type { HttpClient } from "./http.ts";
import {
  normalizeJob,
  normalizeJobList,
  normalizeWorker,
  unwrapList,
  type WorkerInfo,
} from "./json-columns.ts";
import {
  listQuery,
  messageBody,
  readLogPages,
  toAttempts,
  toJobPage,
  type JobAttempt,
  type JobPage,
  type ListJobsFilters,
  type MessageBody,
} from "./jobs.ts";
import type {
  Job,
  JobFunction,
  JobFunctionInput,
  JobFunctionPatch,
  JobFileCheck,
  JobFunctionSummary,
  JobStats,
  JsonObject,
  LogEntry,
  PortabilityWarning,
  ResubmitJobRequest,
  SyncJobsRequest,
  SyncJobsResponse,
} from "./types.ts";

export interface AdminListJobsFilters extends ListJobsFilters {
  worker_id?: string;
}

export interface SyncJobsOptions {
  namespace?: string;
  /** Function definitions to upsert; omit to make the server reload its jobs folder. */
  functions?: JobFunctionInput[];
  options?: { delete_missing?: boolean; dry_run?: boolean };
  /** Accepted for the guide's examples; the server always syncs its own jobs folder. */
  path?: string;
}

/** A scheduled function (GET /api/v1/admin/jobs/schedules). Times are ISO strings. */
export interface ScheduleInfo {
  namespace: string;
  name: string;
  schedule: string;
  /** IANA zone; null = the server's local zone. */
  timezone: string | null;
  paused: boolean;
  enabled: boolean;
  /** The next 5 fire times ([] when the expression cannot be planned). */
  next_runs: string[];
  last_fired_at: string | null;
  last_job_id: string | null;
  allow_overlap: boolean;
}

const ADMIN = "/api/v1/admin/jobs";
const seg = (value: string): string => encodeURIComponent(value);

const STAT_ALIASES = [
  ["total", "total_jobs"],
  ["pending", "pending_jobs"],
  ["running", "running_jobs"],
  ["completed", "completed_jobs"],
  ["failed", "failed_jobs"],
  ["cancelled", "cancelled_jobs"],
] as const;

/** Fill whichever of the two spellings (`pending` / `pending_jobs`) the server left out. */
export function normalizeStats(body: unknown): JobStats {
  const stats = { ...(typeof body === "object" && body !== null ? body : {}) } as Record<
    string,
    unknown
  >;
  for (const [short, long] of STAT_ALIASES) {
    stats[short] ??= stats[long] ?? 0;
    stats[long] ??= stats[short];
  }
  for (const list of ["jobs_by_status", "jobs_by_day", "jobs_by_function"]) stats[list] ??= [];
  return stats as unknown as JobStats;
}

export class AdminJobsClient {
  private readonly http: HttpClient;

  constructor(http: HttpClient) {
    this.http = http;
  }

  async listJobs(filters: AdminListJobsFilters = {}): Promise<Result<Job[]>> {
    const res = await this.http.request<unknown>("GET", `${ADMIN}/queue`, {
      query: listQuery(filters),
    });
    return res.error ? fail(res.error) : ok(normalizeJobList(res.data));
  }

  /** Like listJobs, with the total number of matching jobs (for paging). */
  async listJobsPage(filters: AdminListJobsFilters = {}): Promise<Result<JobPage>> {
    const res = await this.http.request<unknown>("GET", `${ADMIN}/queue`, {
      query: listQuery(filters),
    });
    return res.error ? fail(res.error) : ok(toJobPage(res.data));
  }

  /** The job's attempts, oldest first. */
  async getAttempts(jobId: string): Promise<Result<JobAttempt[]>> {
    const res = await this.http.request<unknown>("GET", `${ADMIN}/queue/${seg(jobId)}/attempts`);
    return res.error ? fail(res.error) : ok(toAttempts(res.data));
  }

  async getJob(jobId: string): Promise<Result<Job>> {
    return this.jobCall("GET", `${ADMIN}/queue/${seg(jobId)}`);
  }

  async cancel(jobId: string): Promise<Result<MessageBody>> {
    return this.messageCall(`${ADMIN}/queue/${seg(jobId)}/cancel`);
  }

  /** Stops a running job now (it ends as `cancelled`). */
  async terminate(jobId: string): Promise<Result<MessageBody>> {
    return this.messageCall(`${ADMIN}/queue/${seg(jobId)}/terminate`);
  }

  async retry(jobId: string): Promise<Result<Job>> {
    return this.jobCall("POST", `${ADMIN}/queue/${seg(jobId)}/retry`, {});
  }

  /** A new job copying the original, optionally with a different payload. */
  async resubmit(jobId: string, options: { payload?: object } = {}): Promise<Result<Job>> {
    const body: ResubmitJobRequest = {};
    if (options.payload !== undefined) body.payload = options.payload as JsonObject;
    return this.jobCall("POST", `${ADMIN}/queue/${seg(jobId)}/resubmit`, body);
  }

  /** Every log line of the job, read page by page. */
  async getLogs(jobId: string, afterLine?: number): Promise<Result<LogEntry[]>> {
    return readLogPages(this.http, `${ADMIN}/queue/${seg(jobId)}/logs`, afterLine);
  }

  async getStats(namespace?: string): Promise<Result<JobStats>> {
    const res = await this.http.request<unknown>("GET", `${ADMIN}/stats`, { query: { namespace } });
    return res.error ? fail(res.error) : ok(normalizeStats(res.data));
  }

  async listWorkers(): Promise<Result<WorkerInfo[]>> {
    const res = await this.http.request<unknown>("GET", `${ADMIN}/workers`);
    return res.error ? fail(res.error) : ok(unwrapList(res.data, ["workers"]).map(normalizeWorker));
  }

  async listFunctions(namespace?: string): Promise<Result<JobFunctionSummary[]>> {
    const res = await this.http.request<unknown>("GET", `${ADMIN}/functions`, {
      query: { namespace },
    });
    return res.error
      ? fail(res.error)
      : ok(unwrapList(res.data, ["functions", "jobs"]) as JobFunctionSummary[]);
  }

  async getFunction(namespace: string, name: string): Promise<Result<JobFunction>> {
    const res = await this.http.request<JobFunction>(
      "GET",
      `${ADMIN}/functions/${seg(namespace)}/${seg(name)}`,
    );
    return res.error ? fail(res.error) : ok(res.data);
  }

  async create(fn: JobFunctionInput): Promise<Result<JobFunction>> {
    const res = await this.http.request<JobFunction>("POST", `${ADMIN}/functions`, { body: fn });
    return res.error ? fail(res.error) : ok(res.data);
  }

  async update(
    namespace: string,
    name: string,
    patch: JobFunctionPatch,
  ): Promise<Result<JobFunction>> {
    const path = `${ADMIN}/functions/${seg(namespace)}/${seg(name)}`;
    const res = await this.http.request<JobFunction>("PUT", path, { body: patch });
    return res.error ? fail(res.error) : ok(res.data);
  }

  async delete(namespace: string, name: string): Promise<Result<null>> {
    const res = await this.http.request<unknown>(
      "DELETE",
      `${ADMIN}/functions/${seg(namespace)}/${seg(name)}`,
    );
    return res.error ? fail(res.error) : ok(null);
  }

  /** Constructs in a job file that behave differently on an upstream Fluxbase server. */
  async checkPortability(
    code: string,
    options: { fileName?: string; entry?: boolean } = {},
  ): Promise<Result<PortabilityWarning[]>> {
    const res = await this.http.request<{ warnings: PortabilityWarning[] }>(
      "POST",
      `${ADMIN}/check`,
      {
        body: { code, file_name: options.fileName, entry: options.entry },
      },
    );
    return res.error ? fail(res.error) : ok(res.data.warnings);
  }

  /** The portability warnings and build (parse) errors of one job file's text. */
  async checkFile(
    code: string,
    options: { fileName?: string; entry?: boolean } = {},
  ): Promise<Result<JobFileCheck>> {
    const res = await this.http.request<JobFileCheck>("POST", `${ADMIN}/check`, {
      body: { code, file_name: options.fileName, entry: options.entry },
    });
    return res.error
      ? fail(res.error)
      : ok({ warnings: res.data.warnings, build_errors: res.data.build_errors ?? [] });
  }

  async listNamespaces(): Promise<Result<string[]>> {
    const res = await this.http.request<unknown>("GET", `${ADMIN}/namespaces`);
    return res.error ? fail(res.error) : ok(unwrapList(res.data, ["namespaces"]) as string[]);
  }

  async sync(options: SyncJobsOptions = {}): Promise<Result<SyncJobsResponse>> {
    const body: SyncJobsRequest = { namespace: options.namespace ?? "default" };
    if (options.functions) body.jobs = options.functions;
    if (options.options) body.options = options.options;
    const res = await this.http.request<SyncJobsResponse>("POST", `${ADMIN}/sync`, { body });
    return res.error ? fail(res.error) : ok(res.data);
  }

  async listSchedules(): Promise<Result<ScheduleInfo[]>> {
    const res = await this.http.request<unknown>("GET", `${ADMIN}/schedules`);
    return res.error ? fail(res.error) : ok(unwrapList(res.data, ["schedules"]) as ScheduleInfo[]);
  }

  async pauseSchedule(namespace: string, name: string): Promise<Result<ScheduleInfo>> {
    return this.scheduleCall(namespace, name, "pause");
  }

  async resumeSchedule(namespace: string, name: string): Promise<Result<ScheduleInfo>> {
    return this.scheduleCall(namespace, name, "resume");
  }

  /** Runs a scheduled function now (payload `_trigger: "manual"`); gives the new job. */
  async triggerSchedule(namespace: string, name: string): Promise<Result<Job>> {
    return this.jobCall("POST", `${ADMIN}/schedules/${seg(namespace)}/${seg(name)}/trigger`, {});
  }

  private async scheduleCall(
    namespace: string,
    name: string,
    action: string,
  ): Promise<Result<ScheduleInfo>> {
    const path = `${ADMIN}/schedules/${seg(namespace)}/${seg(name)}/${action}`;
    const res = await this.http.request<ScheduleInfo>("POST", path, { body: {} });
    return res.error ? fail(res.error) : ok(res.data);
  }

  private async jobCall(method: string, path: string, body?: unknown): Promise<Result<Job>> {
    const res = await this.http.request<unknown>(method, path, body === undefined ? {} : { body });
    return res.error ? fail(res.error) : ok(normalizeJob(res.data));
  }

  private async messageCall(path: string): Promise<Result<MessageBody>> {
    const res = await this.http.request<unknown>("POST", path, { body: {} });
    return res.error ? fail(res.error) : ok(messageBody(res.data));
  }
}
