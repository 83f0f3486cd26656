// Cron planning, pure: every function takes the time as input (no clock, no database).
//
// A stored schedule is a 5-field or 6-field (seconds first) cron expression or a
// descriptor (`@daily`, `@hourly`, …), optionally followed by `|<json object>` (compatibility §6.7,
// upstream's way of attaching params). Times are evaluated in the function's time zone,
// else the server's local one; instants that do not exist (DST gaps) fire once. The
// expressions are read as the editor reads them (src-shared/cron.ts), with cron-parser.
import { CronExpressionParser } from "cron-parser";
import { cronReader, type CronSpec } from "../../../src-shared/cron.ts";

export { splitSchedule } from "../../../src-shared/cron.ts";
export type { CronSpec };

export const {
  plan: planCron,
  nextRuns,
  nextRun,
  latestRunAtOrBefore,
} = cronReader(CronExpressionParser);

export interface DueInput extends CronSpec {
  /** The instant last fired (or skipped) for this function; null = never. */
  lastScheduledFor: Date | null;
  now: Date;
  /**
   * With no history, instants up to this long before `now` still count as due, so a
   * schedule seen for the first time does not miss the instant that has just passed;
   * older ones are not caught up.
   */
  firstSightGraceMs: number;
}

export interface DueFire {
  /** The instant to fire now (the latest due one). */
  scheduledFor: Date;
  /** True when earlier instants were due too and are skipped (downtime, a slow tick). */
  skippedEarlier: boolean;
}

/**
 * What is due between the last fired instant and now. Every due instant collapses into
 * ONE run, for the latest: after downtime there is at most one catch-up run.
 */
export function dueFire(input: DueInput): DueFire | null {
  const latest = latestRunAtOrBefore(input, input.now);
  if (!latest) return null;
  const since = input.lastScheduledFor ?? new Date(input.now.getTime() - input.firstSightGraceMs);
  if (latest.getTime() <= since.getTime()) return null;
  const first = nextRun(input, since);
  return { scheduledFor: latest, skippedEarlier: first.getTime() < latest.getTime() };
}

/** Milliseconds from `now` until the next fire (at least 0), for sleeping until then. */
export function msUntilNext(spec: CronSpec, now: Date): number {
  return Math.max(0, nextRun(spec, now).getTime() - now.getTime());
}
