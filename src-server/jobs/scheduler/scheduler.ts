// The cron scheduler of one process. Every instance runs one; only the leader (see
// leader.ts) ticks. Each tick reads the enabled, unpaused, scheduled functions with
// their state and fires what plan.ts says is due. The ticks never overlap.
import type { JobsConfig } from "../../config/types.ts";
import type { Db } from "../../db/connections.ts";
import { listActiveSchedules, type ScheduledFunctionRow } from "../../db/queries/schedules.ts";
import { coerceError } from "../../errors.ts";
import type { Logger } from "../../logger.ts";
import { fireCron } from "./fire.ts";
import { createLeaderElection } from "./leader.ts";
import { dueFire, splitSchedule } from "./plan.ts";

export interface SchedulerClock {
  now(): number;
}

export interface SchedulerOptions {
  db: Db;
  config: JobsConfig;
  logger: Logger;
  clock?: SchedulerClock;
  /** How often the leader looks for due fires (default 250 ms). */
  tickMs?: number;
  /** How often a follower tries to take leadership, and the leader pings (default 3 s). */
  leaderRetryMs?: number;
}

export interface Scheduler {
  start(): Promise<void>;
  stop(): Promise<void>;
  isLeader(): boolean;
}

export function createScheduler(options: SchedulerOptions): Scheduler {
  const { db, logger } = options;
  const clock = options.clock ?? { now: () => Date.now() };
  const tickMs = options.tickMs ?? 250;
  const firstSightGraceMs = Math.max(1000, tickMs * 4);
  const election = createLeaderElection({ db, logger, retryMs: options.leaderRetryMs ?? 3000 });
  /** Functions whose schedule failed to plan, warned about once per schedule text. */
  const warned = new Map<string, string>();
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<void> | undefined;
  let stopped = true;

  const planFor = (fn: ScheduledFunctionRow, now: Date) => {
    try {
      return dueFire({
        cron: splitSchedule(fn.schedule).cron,
        timezone: fn.schedule_timezone ?? undefined,
        lastScheduledFor: fn.last_scheduled_for,
        now,
        firstSightGraceMs,
      });
    } catch (err) {
      if (warned.get(fn.id) !== fn.schedule) {
        warned.set(fn.id, fn.schedule);
        logger.warn(
          `scheduler: ${fn.namespace}/${fn.name} has an invalid schedule "${fn.schedule}"`,
          {
            error: coerceError(err).message,
          },
        );
      }
      return null;
    }
  };

  const tick = async () => {
    if (!election.isLeader()) return;
    const now = new Date(clock.now());
    for (const fn of await listActiveSchedules(db)) {
      if (stopped || !election.isLeader()) return;
      const due = planFor(fn, now);
      if (!due) continue;
      const result = await fireCron(db, fn, due.scheduledFor);
      const at = due.scheduledFor.toISOString();
      if (result.outcome === "fired") {
        logger.debug(`scheduler: fired ${fn.namespace}/${fn.name} for ${at}`, {
          job_id: result.job.id,
        });
      } else if (result.outcome === "overlap") {
        logger.info(
          `scheduler: skipped ${fn.namespace}/${fn.name} at ${at}: the previous run is still going`,
        );
      }
    }
  };

  const loop = () => {
    if (stopped) return;
    ticking = tick()
      .catch((err) => logger.warn("scheduler: tick failed", { error: coerceError(err).message }))
      .finally(() => {
        ticking = undefined;
        if (!stopped) timer = setTimeout(loop, tickMs);
      });
  };

  return {
    async start() {
      if (!stopped) return;
      stopped = false;
      await election.start();
      loop();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (timer) clearTimeout(timer);
      await ticking;
      await election.stop();
    },
    isLeader: () => election.isLeader(),
  };
}
