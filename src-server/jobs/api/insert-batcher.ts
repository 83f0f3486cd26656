// Submitted jobs are inserted together: while one insert is being committed, the submits
// that arrive wait and then go in one multi-row INSERT, one commit. Every insert into
// jobs.queue sends notifications (the workers' wake-up, the realtime change), and
// PostgreSQL lets only one transaction that notifies commit at a time, each holding that
// turn while its commit is flushed to disk; one insert per submit made concurrent
// submits queue for that turn one by one (seconds, under 50 concurrent submitters). Alone,
// a submit is inserted at once, as before. If a batch fails, its jobs are inserted one
// by one, so each submit gets its own outcome.
//
// A job given with a FunctionGuard (submit-functions.ts: its function as read from a cache)
// is inserted only while its function row is still the version that was read and, when it
// was named without a namespace, still the first match by name; otherwise its promise
// rejects with StaleFunctionError and the submit reads the function again. The check is
// part of the same statement, so it costs no round trip.
//
// A commit that inserted jobs wakes this process's workers at once (local-wake.ts), before
// its NOTIFY comes back.
//
// When one of this process's workers has room, its claim rides the insert's round trip
// instead: the insert goes on a pipelined connection, the worker's claim right behind it,
// then a request to flush the WAL (docs/architecture.md, "Submit to start"). The insert
// commits without waiting for its flush, so the claim that follows it sees its jobs at
// once; the submits are answered only when the flush is done, so a 201 still means the
// job is on disk. Should PostgreSQL or the machine crash in between, a job may be lost
// whose submit got no answer, or run without its submitter hearing of it: as with any
// failed request, the client does not know whether it took effect.
import { randomUUID } from "node:crypto";
import type { Queryable } from "../../db/connections.ts";
import type { PipelinedConnection } from "../../db/pipelined-connection.ts";
import type { JobRow, NewJob } from "../../db/queries/queue.ts";
import type { FunctionGuard } from "./submit-functions.ts";
import type { LocalWake } from "../local-wake.ts";

export interface JobInserter {
  insert(job: NewJob, guard?: FunctionGuard): Promise<JobRow>;
}

/** The job's function changed since its guard was read: nothing was inserted. */
export class StaleFunctionError extends Error {
  constructor() {
    super("the job's function changed since it was read");
    this.name = "StaleFunctionError";
  }
}

export interface JobInserterOptions {
  /** Runs each statement as its own transaction (a pool): an answer means committed. */
  db: Queryable;
  /** Jobs per INSERT at most (default 200). */
  maxBatch?: number;
  /** Payload bytes per INSERT at most (default 8 MB); a bigger job goes alone. */
  maxBatchBytes?: number;
  /** This process's workers, woken when a commit inserted jobs; none: left to NOTIFY. */
  wake?: Pick<LocalWake, "committed"> & Partial<Pick<LocalWake, "claimBehind">>;
  /** The connection that carries a local worker's claim behind an insert; none: no claim rides. */
  pipelined?: PipelinedConnection;
}

interface Waiting {
  id: string;
  job: NewJob;
  guard: FunctionGuard | undefined;
  payload: string;
  resolve(row: JobRow): void;
  reject(err: unknown): void;
}

const INSERT_MANY = `
  INSERT INTO jobs.queue (id, namespace, function_id, job_name, payload, priority, max_duration_seconds,
    progress_timeout_seconds, max_retries, created_by, user_role, user_email, scheduled_at, retried_from,
    dry_run)
  SELECT r.id, r.namespace, r.function_id, r.job_name, r.payload, r.priority, r.max_duration_seconds,
    r.progress_timeout_seconds, r.max_retries, u.id, r.user_role, r.user_email, r.scheduled_at, r.retried_from,
    r.dry_run
  FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, namespace text, function_id uuid, job_name text,
    payload jsonb, priority int, max_duration_seconds int, progress_timeout_seconds int, max_retries int,
    created_by uuid, user_role text, user_email text, scheduled_at timestamptz, retried_from uuid,
    dry_run boolean, fn_stamp text, fn_by_name boolean)
  LEFT JOIN auth.users u ON u.id = r.created_by
  WHERE r.fn_stamp IS NULL OR EXISTS (
    SELECT 1 FROM jobs.functions f
    WHERE f.id = r.function_id AND f.xmin::text = r.fn_stamp
      AND (NOT r.fn_by_name OR f.namespace = 'default' OR NOT EXISTS (
        SELECT 1 FROM jobs.functions g
        WHERE g.name = f.name AND (g.namespace = 'default' OR g.namespace < f.namespace))))
  RETURNING *, pg_backend_pid() AS inserted_by_backend`;

/** INSERT_MANY, its transaction committed without waiting for the WAL flush. */
const INSERT_UNFLUSHED = `${INSERT_MANY}, set_config('synchronous_commit', 'off', true) AS unflushed`;

/** Flushes the WAL up to this record, so past every commit before it (PostgreSQL 17+). */
const FLUSH_WAL = `SELECT pg_logical_emit_message(false, 'fluxbase', '', true) AS flushed_to`;

/** An inserted row as INSERT_MANY returns it: the backend that ran it rides along. */
type InsertedRow = JobRow & { inserted_by_backend?: number; unflushed?: string };

function record(w: Waiting): string {
  const j = w.job;
  const fields = {
    id: w.id,
    namespace: j.namespace,
    function_id: j.functionId,
    job_name: j.jobName,
    priority: j.priority,
    max_duration_seconds: j.maxDurationSeconds,
    progress_timeout_seconds: j.progressTimeoutSeconds,
    max_retries: j.maxRetries,
    created_by: j.createdBy,
    user_role: j.userRole,
    user_email: j.userEmail,
    scheduled_at: j.scheduledAt ? j.scheduledAt.toISOString() : null,
    retried_from: j.retriedFrom ?? null,
    dry_run: j.dryRun ?? false,
    fn_stamp: w.guard?.stamp ?? null,
    fn_by_name: w.guard?.byName ?? false,
  };
  // The payload's JSON text is spliced in as it is (already serialised to measure it).
  return `${JSON.stringify(fields).slice(0, -1)},"payload":${w.payload}}`;
}

export function createJobInserter(options: JobInserterOptions): JobInserter {
  const { db, wake } = options;
  const maxBatch = Math.max(1, options.maxBatch ?? 200);
  const maxBytes = options.maxBatchBytes ?? 8 * 1024 * 1024;
  const waiting: Waiting[] = [];
  let inFlight = false;

  /**
   * The insert on the pipelined connection with a local worker's claim behind it, or
   * undefined (and nothing sent) when no worker here has room and no claim in flight.
   */
  const withClaimBehind = (json: string): Promise<InsertedRow[]> | undefined => {
    const via = options.pipelined;
    if (!via || !wake?.claimBehind) return undefined;
    let inserted: Promise<InsertedRow[]> | undefined;
    let unflushed = false;
    wake.claimBehind(via, via.backendPid(), () => {
      // Until the connection knows it can ask for a flush, the insert commits durably.
      unflushed = via.canFlush();
      inserted = unflushed
        ? via.query<InsertedRow>(INSERT_UNFLUSHED, [json], {
            prepare: "fluxbase_insert_jobs_unflushed",
          })
        : via.query<InsertedRow>(INSERT_MANY, [json], { prepare: "fluxbase_insert_jobs" });
    });
    // Sent (a worker had room) or not: what was sent is this batch's insert.
    if (!inserted) return undefined;
    if (!unflushed) return inserted;
    const flushed = via.query(FLUSH_WAL, [], { prepare: "fluxbase_flush_wal" });
    // Answered once on disk: the claim behind has seen the jobs already.
    return Promise.all([inserted, flushed]).then(([rows]) => rows);
  };

  const many = async (batch: Waiting[]): Promise<JobRow[]> => {
    const json = `[${batch.map(record).join(",")}]`;
    const behind = withClaimBehind(json);
    if (behind) {
      const rows = await behind;
      for (const row of rows) {
        delete row.inserted_by_backend;
        delete row.unflushed;
      }
      return rows;
    }
    const sentAt = performance.now();
    const rows = await db.query<InsertedRow>(INSERT_MANY, [json], {
      prepare: "fluxbase_insert_jobs",
    });
    const backend = rows[0]?.inserted_by_backend;
    for (const row of rows) delete row.inserted_by_backend;
    // Committed (the statement is its own transaction): the workers here may claim now.
    // The jobs are stored whatever befalls the wake; their NOTIFY wakes workers anyway.
    try {
      if (backend !== undefined) wake?.committed(backend, sentAt);
    } catch {
      // Nothing to undo: the submit's answer does not depend on it.
    }
    return rows;
  };

  const settle = (batch: Waiting[], rows: JobRow[]) => {
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const w of batch) {
      const row = byId.get(w.id);
      if (row) w.resolve(row);
      else w.reject(w.guard ? new StaleFunctionError() : new Error("the job was not inserted"));
    }
  };

  const alone = (w: Waiting) => many([w]).then((rows) => settle([w], rows), w.reject);

  const take = (): Waiting[] => {
    let bytes = 0;
    let n = 0;
    while (n < waiting.length && n < maxBatch) {
      bytes += waiting[n]!.payload.length;
      if (n > 0 && bytes > maxBytes) break;
      n++;
    }
    return waiting.splice(0, n);
  };

  const write = async (batch: Waiting[]) => {
    if (batch.length === 1) return alone(batch[0]!);
    let rows: JobRow[];
    try {
      rows = await many(batch);
    } catch {
      // One bad job fails the statement: each gets its own insert and its own error.
      await Promise.all(batch.map(alone));
      return;
    }
    settle(batch, rows);
  };

  const pump = async () => {
    inFlight = true;
    try {
      while (waiting.length > 0) await write(take());
    } finally {
      inFlight = false;
    }
  };

  return {
    insert(job, guard) {
      return new Promise<JobRow>((resolve, reject) => {
        waiting.push({
          id: randomUUID(),
          job,
          guard,
          payload: JSON.stringify(job.payload ?? {}),
          resolve,
          reject,
        });
        if (!inFlight) void pump();
      });
    },
  };
}
