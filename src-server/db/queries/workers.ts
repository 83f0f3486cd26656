// Statements on jobs.workers.
import type { Queryable } from "../connections.ts";

export interface WorkerRow {
  id: string;
  name: string | null;
  hostname: string | null;
  status: "active" | "draining" | "stopped";
  max_concurrent_jobs: number;
  current_job_count: number;
  last_heartbeat_at: Date;
  started_at: Date;
  metadata: Record<string, unknown> | null;
}

export async function registerWorker(
  db: Queryable,
  worker: {
    name: string;
    hostname: string;
    maxConcurrentJobs: number;
    metadata: Record<string, unknown>;
  },
): Promise<WorkerRow> {
  const rows = await db.query<WorkerRow>(
    `INSERT INTO jobs.workers (name, hostname, max_concurrent_jobs, metadata)
     VALUES ($1, $2, $3, $4) RETURNING *`,
    [worker.name, worker.hostname, worker.maxConcurrentJobs, worker.metadata],
  );
  return rows[0]!;
}

/** Records a heartbeat; returns the worker's status, or undefined when its row is gone. */
export async function heartbeat(
  db: Queryable,
  id: string,
  currentJobCount: number,
): Promise<WorkerRow["status"] | undefined> {
  const rows = await db.query<{ status: WorkerRow["status"] }>(
    `UPDATE jobs.workers SET last_heartbeat_at = now(), current_job_count = $2
     WHERE id = $1 RETURNING status`,
    [id, currentJobCount],
  );
  return rows[0]?.status;
}

export async function setWorkerStatus(
  db: Queryable,
  ids: string[],
  status: WorkerRow["status"],
): Promise<void> {
  await db.query(
    "UPDATE jobs.workers SET status = $2, last_heartbeat_at = now() WHERE id = any($1::uuid[])",
    [ids, status],
  );
}

/**
 * Declares workers silent for longer than `timeoutMs` dead; returns their ids. A heartbeat
 * stamped in the future (the database clock stepped back) is brought back to now, so a
 * worker that then stays silent is declared dead one timeout later instead of never.
 */
export async function markSilentWorkersStopped(
  db: Queryable,
  timeoutMs: number,
): Promise<string[]> {
  const rows = await db.query<{ id: string; status: WorkerRow["status"] }>(
    `UPDATE jobs.workers SET
       status = CASE WHEN last_heartbeat_at < now() - make_interval(secs => $1::float8 / 1000)
                THEN 'stopped' ELSE status END,
       last_heartbeat_at = least(last_heartbeat_at, now())
     WHERE status <> 'stopped'
       AND (last_heartbeat_at < now() - make_interval(secs => $1::float8 / 1000)
            OR last_heartbeat_at > now() + interval '1 second')
     RETURNING id, status`,
    [timeoutMs],
  );
  return rows.filter((r) => r.status === "stopped").map((r) => r.id);
}

/** Workers not stopped whose metadata says they run on `hostname`. */
export async function listUnstoppedWorkersOn(
  db: Queryable,
  hostname: string,
): Promise<Pick<WorkerRow, "id" | "metadata">[]> {
  return db.query<Pick<WorkerRow, "id" | "metadata">>(
    `SELECT id, metadata FROM jobs.workers WHERE status <> 'stopped' AND metadata ->> 'hostname' = $1`,
    [hostname],
  );
}

/** Forgets workers stopped for a long time (the list keeps recent ones for inspection). */
export async function deleteOldStoppedWorkers(db: Queryable, olderThanMs: number): Promise<void> {
  await db.query(
    `DELETE FROM jobs.workers
     WHERE status = 'stopped' AND last_heartbeat_at < now() - make_interval(secs => $1::float8 / 1000)`,
    [olderThanMs],
  );
}

export async function listWorkers(db: Queryable): Promise<WorkerRow[]> {
  return db.query<WorkerRow>(
    `SELECT w.id, w.name, w.hostname, w.status, w.max_concurrent_jobs,
       (SELECT count(*)::int FROM jobs.queue q WHERE q.worker_id = w.id AND q.status = 'running') AS current_job_count,
       w.last_heartbeat_at, w.started_at, w.metadata
     FROM jobs.workers w ORDER BY w.started_at DESC`,
  );
}
