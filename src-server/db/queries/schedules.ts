// Statements on scheduled functions and jobs.schedule_state (migrations/0009).
import type { JsonObject } from "../../../src-sdk/types.ts";
import type { Queryable } from "../connections.ts";

/** A function with a schedule, joined with its schedule state. */
export interface ScheduledFunctionRow {
  id: string;
  namespace: string;
  name: string;
  enabled: boolean;
  schedule: string;
  schedule_timezone: string | null;
  schedule_params: JsonObject | null;
  allow_overlap: boolean;
  schedule_paused: boolean;
  timeout_seconds: number;
  progress_timeout_seconds: number;
  max_retries: number;
  last_fired_at: Date | null;
  last_scheduled_for: Date | null;
  last_job_id: string | null;
}

const SELECT_SCHEDULED = `SELECT f.id, f.namespace, f.name, f.enabled, f.schedule, f.schedule_timezone,
    f.schedule_params, f.allow_overlap, f.schedule_paused, f.timeout_seconds, f.progress_timeout_seconds,
    f.max_retries, s.last_fired_at, s.last_scheduled_for, s.last_job_id
  FROM jobs.functions f LEFT JOIN jobs.schedule_state s ON s.function_id = f.id`;
const HAS_SCHEDULE = "f.schedule IS NOT NULL AND f.schedule <> ''";

/** What the leader looks at on each tick: enabled, unpaused, scheduled functions. */
export async function listActiveSchedules(db: Queryable): Promise<ScheduledFunctionRow[]> {
  return db.query<ScheduledFunctionRow>(
    `${SELECT_SCHEDULED} WHERE ${HAS_SCHEDULE} AND f.enabled AND NOT f.schedule_paused`,
  );
}

/** Every scheduled function (admin list), paused and disabled ones included. */
export async function listAllSchedules(db: Queryable): Promise<ScheduledFunctionRow[]> {
  return db.query<ScheduledFunctionRow>(
    `${SELECT_SCHEDULED} WHERE ${HAS_SCHEDULE} ORDER BY f.namespace, f.name`,
  );
}

export async function findSchedule(
  db: Queryable,
  namespace: string,
  name: string,
): Promise<ScheduledFunctionRow | undefined> {
  const rows = await db.query<ScheduledFunctionRow>(
    `${SELECT_SCHEDULED} WHERE f.namespace = $1 AND f.name = $2`,
    [namespace, name],
  );
  return rows[0];
}

/**
 * Takes the instant `scheduledFor` for this function. Only moves last_scheduled_for
 * forward, so of two instances racing for the same instant exactly one gets a row back.
 */
export async function claimScheduledInstant(
  db: Queryable,
  functionId: string,
  scheduledFor: Date,
): Promise<boolean> {
  const rows = await db.query(
    `INSERT INTO jobs.schedule_state AS s (function_id, last_scheduled_for) VALUES ($1, $2)
     ON CONFLICT (function_id) DO UPDATE SET last_scheduled_for = EXCLUDED.last_scheduled_for
     WHERE s.last_scheduled_for IS NULL OR s.last_scheduled_for < EXCLUDED.last_scheduled_for
     RETURNING function_id`,
    [functionId, scheduledFor],
  );
  return rows.length > 0;
}

/** Whether the last run started by the schedule (or a manual trigger) is pending or running. */
export async function previousRunActive(db: Queryable, functionId: string): Promise<boolean> {
  const rows = await db.query<{ active: boolean }>(
    `SELECT EXISTS (
       SELECT 1 FROM jobs.schedule_state s JOIN jobs.queue q ON q.id = s.last_job_id
       WHERE s.function_id = $1 AND q.status IN ('pending', 'running')) AS active`,
    [functionId],
  );
  return rows[0]?.active ?? false;
}

export async function recordScheduledRun(
  db: Queryable,
  functionId: string,
  jobId: string,
): Promise<void> {
  await db.query(
    `INSERT INTO jobs.schedule_state AS s (function_id, last_fired_at, last_job_id) VALUES ($1, now(), $2)
     ON CONFLICT (function_id) DO UPDATE SET last_fired_at = now(), last_job_id = EXCLUDED.last_job_id`,
    [functionId, jobId],
  );
}

/**
 * Pause or resume. Resuming moves last_scheduled_for up to `resumeAt`, so the instants
 * missed while paused are not caught up.
 */
export async function setSchedulePaused(
  db: Queryable,
  functionId: string,
  paused: boolean,
  resumeAt: Date,
): Promise<void> {
  await db.query("UPDATE jobs.functions SET schedule_paused = $2 WHERE id = $1", [
    functionId,
    paused,
  ]);
  if (paused) return;
  await db.query(
    `INSERT INTO jobs.schedule_state AS s (function_id, last_scheduled_for) VALUES ($1, $2)
     ON CONFLICT (function_id) DO UPDATE SET last_scheduled_for = greatest(s.last_scheduled_for, EXCLUDED.last_scheduled_for)`,
    [functionId, resumeAt],
  );
}
