// client.jobs: the user job routes under /api/v1/jobs (compatibility §2.2).
import { fail, ok, type Result } from "./errors.ts";
import type { HttpClient, QueryValue } from "./http.ts";
import { normalizeJob, normalizeJobList, unwrapList } from "./json-columns.ts";
import type { Job, JobStatus, JsonObject, LogEntry, SubmitJobRequest } from "./types.ts";
import { JobDebugClient } from "./job-debug.ts";

export interface SubmitJobOptions {
  namespace?: string;
  priority?: number;
  /** When to run; upstream SDK spelling. A Date or an ISO string. */
  scheduled?: Date | string;
  /** Same as `scheduled`. */
  scheduled_at?: Date | string;
  /** Service-role callers only: run the job as this user. */
  onBehalfOf?: { user_id: string; user_email?: string; user_role?: string };
  /** Admin or service-role callers: run the job as this user id (same as `onBehalfOf`). */
  runAs?: string;
  /** Fluxbase Local: data writes rolled back at the end, storage writes and submits held back. */
  dryRun?: boolean;
}

export interface ListJobsFilters {
  status?: JobStatus;
  job_name?: string;
  jobName?: string;
  namespace?: string;
  limit?: number;
  offset?: number;
  include_result?: boolean;
  includeResult?: boolean;
  /** Case-insensitive text found in the id, function, email, error, payload or result. */
  search?: string;
  /** Sort column (default created_at) and direction (default desc). */
  sort?: "created_at" | "job_name" | "status" | "duration" | "user_email" | "started_at";
  order?: "asc" | "desc";
  /** Jobs created at or after / before these times. */
  created_after?: Date | string;
  created_before?: Date | string;
}

/** One page of a list with the number of jobs matching the filters. */
export interface JobPage {
  jobs: Job[];
  total: number;
}

/** One attempt of a job (GET …/:id/attempts); `retried` ended in a failure that was retried. */
export interface JobAttempt {
  attempt: number;
  status: JobStatus | "retried";
  worker_id?: string;
  started_at?: string;
  ended_at?: string;
  error_message?: string;
  next_run_at?: string;
  /** The attempt's progress reports, oldest first. */
  progress?: JobProgressEvent[];
}

/** One progress report of an attempt. */
export interface JobProgressEvent {
  percent?: number;
  message?: string;
  at: string;
}

export function toJobPage(body: unknown): JobPage {
  const jobs = normalizeJobList(body);
  const total = (body as { total?: unknown } | null)?.total;
  return { jobs, total: typeof total === "number" ? total : jobs.length };
}

export function toAttempts(body: unknown): JobAttempt[] {
  return unwrapList(body, ["attempts"]) as JobAttempt[];
}

/** What cancel answers: the server's `{ message }`, or null when it sends nothing. */
export type MessageBody = { message: string } | null;

const JOBS = "/api/v1/jobs";
/** Receipts a client keeps (oldest dropped first). */
const MAX_RECEIPTS = 1000;

function toIso(value: Date | string | undefined): string | undefined {
  return value instanceof Date ? value.toISOString() : value;
}

export function listQuery(
  filters: ListJobsFilters & { worker_id?: string } = {},
): Record<string, QueryValue> {
  const includeResult = filters.include_result ?? filters.includeResult;
  return {
    status: filters.status,
    job_name: filters.job_name ?? filters.jobName,
    namespace: filters.namespace,
    worker_id: filters.worker_id,
    limit: filters.limit,
    offset: filters.offset,
    include_result: includeResult === undefined ? undefined : String(includeResult),
    search: filters.search || undefined,
    sort: filters.sort,
    order: filters.order,
    created_after: toIso(filters.created_after),
    created_before: toIso(filters.created_before),
  };
}

export function messageBody(body: unknown): MessageBody {
  if (
    typeof body === "object" &&
    body !== null &&
    typeof (body as { message?: unknown }).message === "string"
  ) {
    return { message: (body as { message: string }).message };
  }
  return null;
}

export function unwrapLogs(body: unknown): LogEntry[] {
  return unwrapList(body, ["logs", "entries"]) as LogEntry[];
}

const id = (jobId: string): string => encodeURIComponent(jobId);

/**
 * A job's log from a paginated logs route: the server answers a page at a time and says
 * `has_more`; the next page starts after the last line received. A server that sends
 * everything at once (no `has_more`) is read in one request.
 */
export async function readLogPages(
  http: HttpClient,
  path: string,
  afterLine?: number,
): Promise<Result<LogEntry[]>> {
  const all: LogEntry[] = [];
  let after = afterLine;
  for (;;) {
    const res = await http.request<unknown>("GET", path, { query: { after_line: after } });
    if (res.error) return fail(res.error);
    const page = unwrapLogs(res.data);
    all.push(...page);
    const more = (res.data as { has_more?: unknown } | null)?.has_more === true;
    const last = page[page.length - 1]?.line_number;
    if (!more || typeof last !== "number" || (after !== undefined && last <= after)) return ok(all);
    after = last;
  }
}

export class JobsClient {
  private readonly http: HttpClient;
  /** Receipts of the jobs this client submitted anonymously, by job id (memory only). */
  private readonly receipts = new Map<string, string>();

  constructor(http: HttpClient) {
    this.http = http;
  }

  /** `payload` is any JSON object (typed `object` so app interfaces fit without casts). */
  async submit(
    jobName: string,
    payload?: object,
    options: SubmitJobOptions = {},
  ): Promise<Result<Job>> {
    const body: SubmitJobRequest = { job_name: jobName };
    if (payload !== undefined) body.payload = payload as JsonObject;
    if (options.namespace !== undefined) body.namespace = options.namespace;
    if (options.priority !== undefined) body.priority = options.priority;
    const scheduledAt = toIso(options.scheduled_at ?? options.scheduled);
    if (scheduledAt !== undefined) body.scheduled_at = scheduledAt;
    if (options.onBehalfOf) body.on_behalf_of = options.onBehalfOf;
    else if (options.runAs) body.on_behalf_of = { user_id: options.runAs };
    if (options.dryRun) body.dry_run = true;
    const res = await this.http.request<unknown>("POST", `${JOBS}/submit`, { body });
    if (res.error) return fail(res.error);
    const job = normalizeJob(res.data);
    // An anonymous submit answers only `{ id, status, receipt }`: the receipt is what
    // lets `get` read the job without a user session.
    if (typeof job?.receipt === "string" && typeof job.id === "string") {
      this.receipts.set(job.id, job.receipt);
      if (this.receipts.size > MAX_RECEIPTS)
        this.receipts.delete(this.receipts.keys().next().value!);
    }
    return ok(job);
  }

  async get(jobId: string): Promise<Result<Job>> {
    const receipt = this.receipts.get(jobId);
    const anonymous = this.http.bearerToken() === this.http.key;
    const headers = receipt && anonymous ? { "X-Job-Receipt": receipt } : undefined;
    const res = await this.http.request<unknown>("GET", `${JOBS}/${id(jobId)}`, { headers });
    return res.error ? fail(res.error) : ok(normalizeJob(res.data));
  }

  /** The caller's jobs, newest first. `data` is the array (the envelope is unwrapped). */
  async list(filters: ListJobsFilters = {}): Promise<Result<Job[]>> {
    const res = await this.http.request<unknown>("GET", JOBS, { query: listQuery(filters) });
    return res.error ? fail(res.error) : ok(normalizeJobList(res.data));
  }

  /** Like list, with the total number of matching jobs (for paging). */
  async listPage(filters: ListJobsFilters = {}): Promise<Result<JobPage>> {
    const res = await this.http.request<unknown>("GET", JOBS, { query: listQuery(filters) });
    return res.error ? fail(res.error) : ok(toJobPage(res.data));
  }

  /** The job's attempts, oldest first. */
  async getAttempts(jobId: string): Promise<Result<JobAttempt[]>> {
    const res = await this.http.request<unknown>("GET", `${JOBS}/${id(jobId)}/attempts`);
    return res.error ? fail(res.error) : ok(toAttempts(res.data));
  }

  async cancel(jobId: string): Promise<Result<MessageBody>> {
    const res = await this.http.request<unknown>("POST", `${JOBS}/${id(jobId)}/cancel`, {
      body: {},
    });
    return res.error ? fail(res.error) : ok(messageBody(res.data));
  }

  /** Manual retry of a failed or cancelled job: the server answers with the new Job. */
  async retry(jobId: string): Promise<Result<Job>> {
    const res = await this.http.request<unknown>("POST", `${JOBS}/${id(jobId)}/retry`, {
      body: {},
    });
    return res.error ? fail(res.error) : ok(normalizeJob(res.data));
  }

  /** Log lines with line_number > afterLine (numbering starts at 1), every page of them. */
  async getLogs(jobId: string, afterLine?: number): Promise<Result<LogEntry[]>> {
    return readLogPages(this.http, `${JOBS}/${id(jobId)}/logs`, afterLine);
  }

  /** Fluxbase Local: replay, the ledger of a run's writes, and saved payloads. */
  get debug(): JobDebugClient {
    return (this.debugClient ??= new JobDebugClient(this.http));
  }

  private debugClient?: JobDebugClient;
}
