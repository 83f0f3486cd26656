// Claiming jobs: one statement per claim size, in the shape of graphile-worker's get_jobs.
// It may also carry the completions of the claiming worker's finished attempts.
//
// The statement, in order:
// 1. `completed` (only when there are completions): the attempts' completions, written by
//    the same UPDATE that completeJobs runs alone (queue.ts completeAttemptsSql).
// 2. `busy`: running jobs per namespace, not counting the ones completed in step 1 (they
//    free their slots now), counted by jobs.running_by_namespace (migration 0022: a plan
//    that does not slow down with stale statistics). It reads `completed`, so PostgreSQL
//    writes the completions before the claim locks any row: under READ COMMITTED, FOR
//    UPDATE SKIP LOCKED can keep a lock on a row it then skips (one claimed by another
//    worker after this statement's snapshot), and another worker's completion may wait for
//    that lock. A statement that completes before it claims holds no lock that a
//    completion can be waiting on, so two workers can never wait for each other.
// 3. `candidates`: pending rows whose time has come and whose namespace is not full,
//    priority then age, FOR UPDATE SKIP LOCKED, at most `limit` (a constant of the
//    statement: with LIMIT as a parameter PostgreSQL kept re-planning, its generic plan
//    guessing a tenth of the table). The namespaces at their limit are an array computed
//    once, so the planner walks queue_claim_idx in order and stops at LIMIT (migration
//    0016 keeps its estimate of that test honest, 0022 that of `status = 'pending'`).
// 4. `admitted`: within one claim a namespace gets no more than its remaining room.
// 5. `claimed`: the rows become this worker's, found by primary key (the admitted ids are
//    an array, so no estimate of their number can make the planner scan the whole table
//    to join them). Nothing is read unless the worker is active.
// A claim that carries no completions commits without waiting for its WAL flush
// (synchronous_commit off for its own transaction only): on an idle queue that flush
// was the largest part of the wait from a submit to its job's start. A crash of
// PostgreSQL or the machine can lose such a claim only until the next durable commit
// flushes the WAL past it; the job is then pending again, as before the claim, and runs
// again, while its first run's writes (guarded by the attempt) change nothing. Any of
// that run's own writes flushes the claim with it, so a job whose outcome was stored is
// never claimed again; a claim carrying completions stays durable (docs/architecture.md,
// "Claim durability").
//
// Each claimed row carries the secrets generation (migration 0021) as this statement saw
// it: any secret change committed before the job was submitted is counted in it.
//
// Why completions ride the claim, and what becomes of them when they cannot:
// jobs/worker/completion-writer.ts, the one completion path.
import type { Queryable } from "../connections.ts";
import {
  completeAttemptsSql,
  completionParams,
  type JobRow,
  type SerializedCompletion,
} from "./queue.ts";

/**
 * What a worker needs of a claimed row; function_version is the function's version at claim
 * time, secrets_generation the secrets generation (a bigint as text) at claim time.
 */
export type ClaimedJobRow = ClaimedColumns & { secrets_generation: string };

type ClaimedColumns = Pick<
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
] as const satisfies readonly (keyof ClaimedColumns)[];

const NULLS = [...COLUMNS.slice(1), "secrets_generation"].map(() => "NULL").join(", ");

export interface ClaimOptions {
  workerId: string;
  /** Free slots: the most jobs to claim. */
  limit: number;
  /** The most jobs of one namespace running at once, across all workers. */
  namespaceLimit: number;
  /** Finished attempts of this worker to record as completed in the same statement. */
  completions?: SerializedCompletion[];
}

export interface ClaimResult {
  claimed: ClaimedJobRow[];
  /** Ids of the completions that were still the attempt's to write. */
  completed: Set<string>;
}

type Row = ClaimedJobRow & { kind: "claimed" | "completed" };

/** Joined to a claim's answer: its transaction commits without waiting for the WAL flush. */
const ASYNC_COMMIT = `, (SELECT set_config('synchronous_commit', 'off', true)) AS async_commit`;

/** $1 worker id, $2 namespace limit; with completions $3 .. $7 (queue.ts completionParams). */
function claimSql(limit: number, withCompletions: boolean): string {
  const completed = withCompletions ? `completed AS (${completeAttemptsSql(3)}), ` : "";
  const notCounted = withCompletions ? "(SELECT array_agg(id) FROM completed)" : "NULL";
  return `WITH ${completed}busy AS MATERIALIZED (
      SELECT namespace, running FROM jobs.running_by_namespace(${notCounted})
    ), candidates AS (
      SELECT c.id, c.namespace, c.priority, c.created_at FROM jobs.queue c
      WHERE EXISTS (SELECT 1 FROM jobs.workers w WHERE w.id = $1 AND w.status = 'active')
        AND c.status = 'pending' AND (c.scheduled_at IS NULL OR c.scheduled_at <= now())
        AND c.namespace <> ALL (ARRAY(SELECT namespace FROM busy WHERE running >= $2))
      ORDER BY c.priority DESC, c.created_at ASC
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    ), admitted AS (
      SELECT id FROM (
        SELECT c.id, coalesce(b.running, 0)
                 + row_number() OVER (PARTITION BY c.namespace ORDER BY c.priority DESC, c.created_at, c.id) AS slot
        FROM candidates c LEFT JOIN busy b ON b.namespace = c.namespace) ranked
      WHERE slot <= $2
    ), claimed AS (
      UPDATE jobs.queue q
      SET status = 'running', worker_id = $1, started_at = now(), last_progress_at = now(), completed_at = NULL,
          function_version = (SELECT f.version FROM jobs.functions f WHERE f.id = q.function_id)
      WHERE q.id = ANY (ARRAY(SELECT id FROM admitted))
      RETURNING ${COLUMNS.map((c) => `q.${c}`).join(", ")}
    )
    SELECT 'claimed' AS kind, ${COLUMNS.join(", ")},
           (SELECT g.version::text FROM secrets.generation g) AS secrets_generation
    FROM claimed${withCompletions ? "" : ASYNC_COMMIT}
    ${withCompletions ? `UNION ALL SELECT 'completed', id, ${NULLS} FROM completed` : ""}`;
}

const statements = new Map<string, string>();

function prepared(limit: number, withCompletions: boolean): { name: string; text: string } {
  const name = `fluxbase_claim_${limit}${withCompletions ? "_after_completions" : ""}`;
  let text = statements.get(name);
  if (!text) statements.set(name, (text = claimSql(limit, withCompletions)));
  return { name, text };
}

/**
 * Claims up to `limit` jobs for a worker by priority, then age (FOR UPDATE SKIP LOCKED,
 * namespace limits, only while the worker is active), first recording its `completions`.
 */
export async function claimJobs(db: Queryable, options: ClaimOptions): Promise<ClaimResult> {
  const limit = Math.max(1, Math.floor(options.limit));
  const completions = options.completions ?? [];
  const withCompletions = completions.length > 0;
  const { name, text } = prepared(limit, withCompletions);
  const values: unknown[] = [options.workerId, options.namespaceLimit];
  if (withCompletions) values.push(...completionParams(completions));
  const rows = await db.query<Row>(text, values, { prepare: name });
  const completed = new Set<string>();
  const claimed: ClaimedJobRow[] = [];
  for (const { kind, ...row } of rows) {
    if (kind === "completed") completed.add(row.id);
    else claimed.push(row);
  }
  return { claimed, completed };
}
