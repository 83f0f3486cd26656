// The runs list: jobs.queue filtered (status, function, namespace, worker, viewer, creation
// time, a text search over payload/result/error), sorted by a chosen column and paged.
// The search uses the trigram index on jobs.search_text of finished rows (migrations 0011,
// 0021) and reads the pending and running rows through their own partial indexes.
import type { Queryable } from "../connections.ts";
import { jobViewerSql, type JobViewer } from "../../auth/job-viewer.ts";
import type { JobRow } from "./queue.ts";

export const SORT_COLUMNS = [
  "created_at",
  "job_name",
  "status",
  "duration",
  "user_email",
  "started_at",
] as const;
export type SortColumn = (typeof SORT_COLUMNS)[number];

export interface JobListFilter {
  status?: string;
  jobName?: string;
  namespace?: string;
  workerId?: string;
  /** Whose jobs the caller may see. */
  viewer: JobViewer;
  /** Case-insensitive substring of id, function, email, error, payload or result. */
  search?: string;
  createdAfter?: Date;
  createdBefore?: Date;
  sort?: SortColumn;
  order?: "asc" | "desc";
  limit: number;
  offset: number;
  includeResult: boolean;
}

const SORT_SQL: Record<SortColumn, string> = {
  created_at: "q.created_at",
  job_name: "q.job_name",
  status: "q.status",
  duration: "coalesce(q.completed_at, now()) - q.started_at",
  user_email: "q.user_email",
  started_at: "q.started_at",
};

export const SEARCH_SQL =
  "jobs.search_text(q.id, q.job_name, q.user_email, q.error_message, q.payload, q.result)";

/** Statuses whose rows the trigram index holds: its predicate in migration 0021, word for word. */
const INDEXED_STATUSES = "q.status IN ('completed', 'failed', 'cancelled')";

/**
 * The search as one branch per partial index, so each branch is implied by one index's
 * predicate and the planner ORs their bitmaps: finished rows through the trigram index,
 * pending (queue_claim_idx) and running (queue_running_idx) rows read and checked. The
 * three cover every status (jobs.queue's CHECK), so the matches are those of one LIKE.
 */
export function searchSql(param: string): string {
  const like = `${SEARCH_SQL} LIKE ${param}`;
  return `((${INDEXED_STATUSES} AND ${like}) OR (q.status = 'pending' AND ${like}) OR (q.status = 'running' AND ${like}))`;
}

/** `%text%` for LIKE, with the pattern characters in the text taken literally. */
export function likePattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export async function listJobPage(
  db: Queryable,
  f: JobListFilter,
): Promise<{ rows: JobRow[]; total: number }> {
  const where: string[] = [];
  const values: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    values.push(value);
    where.push(sql.replace("?", `$${values.length}`));
  };
  if (f.status) add("q.status = ?", f.status);
  if (f.jobName) add("q.job_name = ?", f.jobName);
  if (f.namespace) add("q.namespace = ?", f.namespace);
  if (f.workerId) add("q.worker_id = ?", f.workerId);
  if (f.createdAfter) add("q.created_at >= ?", f.createdAfter);
  if (f.createdBefore) add("q.created_at < ?", f.createdBefore);
  if (f.search) {
    values.push(likePattern(f.search));
    where.push(searchSql(`$${values.length}`));
  }
  if (f.viewer.sees !== "all") {
    const clause = jobViewerSql(f.viewer, "q", values.length + 1);
    where.push(clause.sql);
    values.push(...clause.values);
  }
  const clause = where.length ? `WHERE ${where.join(" AND ")}` : "";
  const result = f.includeResult ? "" : ", NULL::jsonb AS result";
  const dir = f.order === "asc" ? "ASC" : "DESC";
  const sort = SORT_SQL[f.sort ?? "created_at"];
  const order =
    f.sort && f.sort !== "created_at"
      ? `${sort} ${dir} NULLS LAST, q.created_at DESC`
      : `q.created_at ${dir}`;
  const n = values.length;
  // The page's ids are chosen (and sorted) narrow, then their rows read; the count is its
  // own statement, so no page sorts or carries every matching row.
  const [rows, count] = await Promise.all([
    db.query<JobRow>(
      `SELECT q.*${result}, NULL::jsonb AS payload
       FROM unnest(ARRAY(SELECT q.id FROM jobs.queue q ${clause} ORDER BY ${order}, q.id
                         LIMIT $${n + 1} OFFSET $${n + 2})) WITH ORDINALITY AS page(id, n)
       JOIN jobs.queue q ON q.id = page.id
       ORDER BY page.n`,
      [...values, f.limit, f.offset],
    ),
    db.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobs.queue q ${clause}`, values),
  ]);
  const total = Number(count[0]?.n ?? 0);
  return { rows, total };
}
