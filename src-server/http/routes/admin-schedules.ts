// Admin schedule routes: /api/v1/admin/jobs/schedules (our addition to compatibility §2.3).
// List the scheduled functions with their next runs; pause, resume, or run one now.
import type { ScheduleInfo } from "../../../src-sdk/admin-jobs.ts";
import type { CallerResolver } from "../../auth/caller.ts";
import type { Db } from "../../db/connections.ts";
import {
  findSchedule,
  listAllSchedules,
  setSchedulePaused,
  type ScheduledFunctionRow,
} from "../../db/queries/schedules.ts";
import { AppError } from "../../errors.ts";
import { fireManual, nextRuns, splitSchedule } from "../../jobs/scheduler/index.ts";
import { toJob } from "../../jobs/api/serialize.ts";
import { admin } from "../guards.ts";
import { created, type Router } from "../router.ts";

export interface AdminScheduleRoutesOptions {
  router: Router;
  db: Db;
  callers: CallerResolver;
  /** The time, for next_runs and resume (tests may fix it). */
  now?: () => Date;
}

function upcoming(row: ScheduledFunctionRow, now: Date): string[] {
  try {
    const spec = {
      cron: splitSchedule(row.schedule).cron,
      timezone: row.schedule_timezone ?? undefined,
    };
    return nextRuns(spec, now, 5).map((d) => d.toISOString());
  } catch {
    return [];
  }
}

export function toScheduleInfo(row: ScheduledFunctionRow, now: Date): ScheduleInfo {
  return {
    namespace: row.namespace,
    name: row.name,
    schedule: row.schedule,
    timezone: row.schedule_timezone,
    paused: row.schedule_paused,
    enabled: row.enabled,
    next_runs: upcoming(row, now),
    last_fired_at: row.last_fired_at ? row.last_fired_at.toISOString() : null,
    last_job_id: row.last_job_id,
    allow_overlap: row.allow_overlap,
  };
}

export function addAdminScheduleRoutes({
  router,
  db,
  callers,
  now = () => new Date(),
}: AdminScheduleRoutesOptions): void {
  const guards = [admin(callers, db)];
  const base = "/api/v1/admin/jobs/schedules";

  const scheduled = async (namespace: string, name: string): Promise<ScheduledFunctionRow> => {
    const row = await findSchedule(db, namespace, name);
    if (!row) throw new AppError("FUNCTION_NOT_FOUND", "Job function not found");
    if (!row.schedule)
      throw new AppError("INVALID_STATE", `Job function ${namespace}/${name} has no schedule`);
    return row;
  };

  router.add("GET", base, guards, async () => {
    const at = now();
    return (await listAllSchedules(db)).map((row) => toScheduleInfo(row, at));
  });

  for (const action of ["pause", "resume"] as const) {
    router.add("POST", `${base}/:namespace/:name/${action}`, guards, async (req) => {
      const row = await scheduled(req.params.namespace!, req.params.name!);
      await setSchedulePaused(db, row.id, action === "pause", now());
      return toScheduleInfo((await findSchedule(db, row.namespace, row.name))!, now());
    });
  }

  router.add("POST", `${base}/:namespace/:name/trigger`, guards, async (req) => {
    const row = await scheduled(req.params.namespace!, req.params.name!);
    if (!row.enabled) throw new AppError("FUNCTION_DISABLED", "Job function is disabled");
    return created(toJob(await fireManual(db, row, now()), { detail: true }));
  });
}
