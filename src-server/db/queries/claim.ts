// Claiming jobs, alone or together with the completions of the claiming worker's finished
// jobs (one round trip and one commit where there would be two).
//
// Each statement is prepared once per connection and per claim size. With LIMIT as a
// parameter PostgreSQL kept re-planning (its generic plan guesses a tenth of the table),
// and a PL/pgSQL call cost a third again. The guards run once, before any row is read:
// the worker must be active, and no namespace may be able to pass its limit by this claim
// (either all live workers' slots together stay within the limit, as with the default
// 4 x 5 slots and a limit of 20, or the busiest namespace's running count plus the
// claim's size does). When that second guard fails nothing is claimed and a marker row
// comes back; the claim is then made through jobs.claim_jobs (migrations/0004), which
// ranks candidates per namespace.
import type { Queryable } from "../pool.ts";
import { COMPLETED_SET, completionArrays, type Completion, type JobRow } from "./queue.ts";

/** What a worker needs of a claimed row; function_version is the function's version at claim time. */
export type ClaimedJobRow = Pick<
  JobRow,
  | "id"
  | "namespace"
  | "function_id"
  | "job_name"
  | "payload"
  | "max_duration_seconds"
  | "progress_timeout_seconds"
  | "retry_count"
  | "created_by"
  | "user_role"
  | "user_email"
  | "function_version"
>;

const COLUMNS = [
  "id",
  "namespace",
  "function_id",
  "job_name",
  "payload",
  "max_duration_seconds",
  "progress_timeout_seconds",
  "retry_count",
  "created_by",
  "user_role",
  "user_email",
  "function_version",
] as const satisfies readonly (keyof ClaimedJobRow)[];

const LIST = COLUMNS.join(", ");
const NULLS = COLUMNS.map(() => "NULL").join(", ");

export interface ClaimOptions {
  workerId: string;
  limit: number;
  namespaceLimit: number;
}

export interface CompleteAndClaimOptions extends ClaimOptions {
  /** Finished attempts of this worker to record as completed. */
  completions: Completion[];
}

export interface CompleteAndClaimResult {
  claimed: ClaimedJobRow[];
  /** Ids of the completions that were still the attempt's to write. */
  completed: Set<string>;
}

type Row = ClaimedJobRow & { kind: "claimed" | "near-limit" | "completed" };

/**
 * $1 worker id, $2 namespace limit; with completions $3 ids, $4 attempts, $5 results, $6 progress.
 *
 * The completions are written before the claim reads a row (the claim's scan waits on a
 * count of them). Under READ COMMITTED, FOR UPDATE SKIP LOCKED can leave a lock on the
 * newest version of a row it then skips (one claimed by another worker after the
 * statement's snapshot), and a completion waits for such a lock. Were claims made first,
 * two workers could each hold the other's finished job that way and wait for each other;
 * made second, a statement holds no lock another one can be waiting on.
 */
function statement(limit: number, withCompletions: boolean): string {
  const completed = withCompletions
    ? `completed AS (
      UPDATE jobs.queue q SET ${COMPLETED_SET}
      FROM unnest($3::uuid[], $4::int[], $5::jsonb[], $6::jsonb[]) AS v(id, retry_count, result, progress)
      WHERE q.id = ANY ($3::uuid[]) AND q.id = v.id AND q.worker_id = $1 AND q.retry_count = v.retry_count
        AND q.status = 'running'
      RETURNING q.id), `
    : "";
  return `WITH ${completed}workers AS MATERIALIZED (
      SELECT coalesce(bool_or(id = $1 AND status = 'active'), false) AS active,
             coalesce(sum(max_concurrent_jobs) FILTER (WHERE status <> 'stopped'), 0) AS capacity
      FROM jobs.workers
    ), guard AS MATERIALIZED (
      SELECT active,
             -- No namespace can reach the limit when all workers together cannot; only
             -- otherwise are the running jobs counted.
             capacity <= $2 OR (SELECT coalesce(max(n), 0) FROM (
               SELECT count(*) AS n FROM jobs.queue WHERE status = 'running' GROUP BY namespace) busy
             ) + ${limit} <= $2 AS roomy
      FROM workers
    ), claimed AS (
      UPDATE jobs.queue q
      SET status = 'running', worker_id = $1, started_at = now(), last_progress_at = now(), completed_at = NULL,
          function_version = (SELECT f.version FROM jobs.functions f WHERE f.id = q.function_id)
      WHERE q.id = ANY (ARRAY(
        SELECT c.id FROM jobs.queue c
        WHERE (SELECT active AND roomy FROM guard)${withCompletions ? " AND (SELECT count(*) FROM completed) >= 0" : ""}
          AND c.status = 'pending' AND (c.scheduled_at IS NULL OR c.scheduled_at <= now())
        ORDER BY c.priority DESC, c.created_at ASC
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED))
      RETURNING ${COLUMNS.map((c) => `q.${c}`).join(", ")}
    )
    SELECT 'claimed' AS kind, ${LIST} FROM claimed
    UNION ALL
    SELECT 'near-limit', ${NULLS} FROM guard WHERE active AND NOT roomy
    ${withCompletions ? `UNION ALL SELECT 'completed', id, ${NULLS.slice("NULL, ".length)} FROM completed` : ""}`;
}

const statements = new Map<string, string>();

function prepared(limit: number, withCompletions: boolean): { name: string; text: string } {
  const name = `fluxbase_claim_${limit}${withCompletions ? "_after_completions" : ""}`;
  let text = statements.get(name);
  if (!text) statements.set(name, (text = statement(limit, withCompletions)));
  return { name, text };
}

function rankedClaim(
  db: Queryable,
  options: ClaimOptions,
  limit: number,
): Promise<ClaimedJobRow[]> {
  return db.query<ClaimedJobRow>(
    `SELECT ${LIST} FROM jobs.claim_jobs($1, $2, $3)`,
    [options.workerId, limit, options.namespaceLimit],
    { prepare: "fluxbase_claim_ranked" },
  );
}

/**
 * Records a worker's finished attempts as completed (guarded by worker, attempt and
 * status) and claims up to `limit` jobs for it by priority, then age, in one statement:
 * FOR UPDATE SKIP LOCKED, namespace limits, and only while the worker is active.
 */
export async function completeAndClaim(
  db: Queryable,
  options: CompleteAndClaimOptions,
): Promise<CompleteAndClaimResult> {
  const limit = Math.max(1, Math.floor(options.limit));
  const withCompletions = options.completions.length > 0;
  const { name, text } = prepared(limit, withCompletions);
  const values: unknown[] = [options.workerId, options.namespaceLimit];
  if (withCompletions) {
    const a = completionArrays(options.completions);
    values.push(a.ids, a.retryCounts, a.results, a.progress);
  }
  const rows = await db.query<Row>(text, values, { prepare: name });
  const completed = new Set<string>();
  let claimed: ClaimedJobRow[] = [];
  let nearLimit = false;
  for (const row of rows) {
    if (row.kind === "completed") completed.add(row.id);
    else if (row.kind === "near-limit") nearLimit = true;
    else claimed.push(row);
  }
  if (nearLimit) claimed = await rankedClaim(db, options, limit);
  return { claimed, completed };
}

/** Claims up to `limit` jobs for a worker (see completeAndClaim). */
export async function claimJobs(db: Queryable, options: ClaimOptions): Promise<ClaimedJobRow[]> {
  return (await completeAndClaim(db, { ...options, completions: [] })).claimed;
}
