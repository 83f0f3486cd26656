// Turning a schedule into a job. A cron fire claims its instant and inserts the job in
// ONE transaction, so an instant is either taken together with its job or not at all,
// and two instances can never both fire it.
import type { JsonObject } from "../../../src-sdk/types.ts";
import type { Db, Queryable } from "../../db/connections.ts";
import { insertJob, type JobRow } from "../../db/queries/queue.ts";
import {
  claimScheduledInstant,
  previousRunActive,
  recordScheduledRun,
  type ScheduledFunctionRow,
} from "../../db/queries/schedules.ts";
import { splitSchedule } from "./plan.ts";

export type Trigger = "cron" | "manual";

/** The payload of a scheduled run: the params, then the trigger fields (compatibility §6.7). */
export function schedulePayload(
  fn: ScheduledFunctionRow,
  trigger: Trigger,
  scheduledAt: Date,
): JsonObject {
  const { params } = splitSchedule(fn.schedule ?? "");
  return {
    ...params,
    ...fn.schedule_params,
    _trigger: trigger,
    _scheduled_at: scheduledAt.toISOString(),
  };
}

async function insertScheduledJob(
  tx: Queryable,
  fn: ScheduledFunctionRow,
  trigger: Trigger,
  scheduledAt: Date,
): Promise<JobRow> {
  // No user: the schedule itself runs the job, with the service role (compatibility §6.7).
  const job = await insertJob(tx, {
    namespace: fn.namespace,
    functionId: fn.id,
    jobName: fn.name,
    payload: schedulePayload(fn, trigger, scheduledAt),
    priority: 0,
    maxDurationSeconds: fn.timeout_seconds,
    progressTimeoutSeconds: fn.progress_timeout_seconds,
    maxRetries: fn.max_retries,
    createdBy: null,
    userRole: "service_role",
    userEmail: null,
    scheduledAt: null,
  });
  await recordScheduledRun(tx, fn.id, job.id);
  return job;
}

export type CronFireOutcome =
  | { outcome: "fired"; job: JobRow }
  /** Another instance took this instant first. */
  | { outcome: "taken" }
  /** The previous run is still pending or running and the function disallows overlap. */
  | { outcome: "overlap" };

export async function fireCron(
  db: Db,
  fn: ScheduledFunctionRow,
  scheduledFor: Date,
): Promise<CronFireOutcome> {
  return db.withTransaction(async (tx) => {
    const busy = !fn.allow_overlap && (await previousRunActive(tx, fn.id));
    // The instant is consumed even when skipped for overlap: no burst once the run ends.
    if (!(await claimScheduledInstant(tx, fn.id, scheduledFor)))
      return { outcome: "taken" } as const;
    if (busy) return { outcome: "overlap" } as const;
    return {
      outcome: "fired",
      job: await insertScheduledJob(tx, fn, "cron", scheduledFor),
    } as const;
  });
}

/** Runs a schedule now (admin trigger); it does not move the schedule's own instants. */
export async function fireManual(db: Db, fn: ScheduledFunctionRow, now: Date): Promise<JobRow> {
  return db.withTransaction((tx) => insertScheduledJob(tx, fn, "manual", now));
}
