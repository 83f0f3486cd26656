// The Runs view's filters, as they live in the URL (`#/runs?status=failed&q=…`) and as the
// list request sends them. Defaults are left out of the URL so a plain `#/runs` stays plain.
import type { Job, JobStatus, ListJobsFilters } from "../../src-sdk/index.ts";

export type SortColumn = NonNullable<ListJobsFilters["sort"]>;
export const SORTABLE: SortColumn[] = [
  "status",
  "job_name",
  "user_email",
  "created_at",
  "duration",
];
const STATUSES: JobStatus[] = ["pending", "running", "completed", "failed", "cancelled"];

export interface RunFilters {
  status: JobStatus | "";
  jobName: string;
  namespace: string;
  /** Server-side text search over id, function, email, error, payload and result. */
  search: string;
  /** Minutes back from now; 0 = any time. Ignored when `from` or `to` is set. */
  sinceMinutes: number;
  /** A custom range: `datetime-local` values (local time), "" for open. */
  from: string;
  to: string;
  sort: SortColumn;
  order: "asc" | "desc";
  /** Zero-based page of PAGE_SIZE runs. */
  page: number;
}

export const PAGE_SIZE = 1000;

export function defaultFilters(): RunFilters {
  return {
    status: "",
    jobName: "",
    namespace: "",
    search: "",
    sinceMinutes: 0,
    from: "",
    to: "",
    sort: "created_at",
    order: "desc",
    page: 0,
  };
}

type Query = Record<string, string | null | undefined | (string | null)[]>;

function one(value: Query[string]): string {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === "string" ? v : "";
}

const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/;

/** Filters from a route query; unknown or malformed values fall back to the defaults. */
export function filtersFromQuery(query: Query): RunFilters {
  const f = defaultFilters();
  const status = one(query.status);
  if (STATUSES.includes(status as JobStatus)) f.status = status as JobStatus;
  f.jobName = one(query.fn);
  f.namespace = one(query.ns);
  f.search = one(query.q);
  const since = Number(one(query.since));
  if (Number.isInteger(since) && since > 0) f.sinceMinutes = since;
  if (LOCAL_DATE.test(one(query.from))) f.from = one(query.from);
  if (LOCAL_DATE.test(one(query.to))) f.to = one(query.to);
  const sort = one(query.sort);
  if (SORTABLE.includes(sort as SortColumn)) f.sort = sort as SortColumn;
  if (one(query.order) === "asc" || one(query.order) === "desc")
    f.order = one(query.order) as "asc";
  const page = Number(one(query.page));
  if (Number.isInteger(page) && page > 1) f.page = page - 1;
  return f;
}

/** The route query for these filters (defaults omitted; the page is one-based). */
export function queryFromFilters(f: RunFilters): Record<string, string> {
  const q: Record<string, string> = {};
  if (f.status) q.status = f.status;
  if (f.jobName) q.fn = f.jobName;
  if (f.namespace) q.ns = f.namespace;
  if (f.search) q.q = f.search;
  if (f.sinceMinutes) q.since = String(f.sinceMinutes);
  if (f.from) q.from = f.from;
  if (f.to) q.to = f.to;
  if (f.sort !== "created_at") q.sort = f.sort;
  if (f.order !== "desc") q.order = f.order;
  if (f.page > 0) q.page = String(f.page + 1);
  return q;
}

/** The time window the filters ask for, as epoch milliseconds (undefined = open). */
export function timeWindow(f: RunFilters, now: number): { after?: number; before?: number } {
  if (f.from || f.to) {
    return {
      after: f.from ? new Date(f.from).getTime() : undefined,
      before: f.to ? new Date(f.to).getTime() : undefined,
    };
  }
  return f.sinceMinutes ? { after: now - f.sinceMinutes * 60_000 } : {};
}

/** The list request for one page of these filters. */
export function listRequest(f: RunFilters, now: number): ListJobsFilters {
  const w = timeWindow(f, now);
  return {
    status: f.status || undefined,
    job_name: f.jobName || undefined,
    namespace: f.namespace || undefined,
    search: f.search.trim() || undefined,
    created_after: w.after === undefined ? undefined : new Date(w.after),
    created_before: w.before === undefined ? undefined : new Date(w.before),
    sort: f.sort === "created_at" ? undefined : f.sort,
    order: f.order === "desc" ? undefined : f.order,
    limit: PAGE_SIZE,
    offset: f.page * PAGE_SIZE,
  };
}

/**
 * Whether a job known to the client still fits the filters that can be checked without
 * the server (all but the text search, which needs the payload and result).
 */
export function fitsLocally(job: Job, f: RunFilters, now: number): boolean {
  if (f.status && job.status !== f.status) return false;
  if (f.jobName && job.job_name !== f.jobName) return false;
  if (f.namespace && job.namespace !== f.namespace) return false;
  const w = timeWindow(f, now);
  const created = Date.parse(job.created_at);
  if (w.after !== undefined && created < w.after) return false;
  if (w.before !== undefined && created >= w.before) return false;
  return true;
}
