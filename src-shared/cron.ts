// Reading cron expressions, one way for the server (loading, scheduling) and the editor
// (checking a file as it is typed, the Schedules view). The reading itself is cron-parser's,
// which this dependency-free layer does not import: each side hands its
// `CronExpressionParser` to `cronReader` once (the server in jobs/scheduler/plan.ts, the
// editor in src-renderer/lib/cron.ts).
import type { CronPlanner } from "./annotations.ts";
import type { JsonObject } from "./json.ts";

/** What a cron reader uses of cron-parser's `CronExpressionParser`. */
export interface CronParser {
  parse(expression: string, options: { currentDate: Date | number; tz?: string }): CronSeries;
}

/** The fire times of one expression, from a starting instant. */
export interface CronSeries {
  take(limit: number): CronInstant[];
  next(): CronInstant;
  hasPrev(): boolean;
  prev(): CronInstant;
}

export interface CronInstant {
  toDate(): Date;
}

export interface CronSpec {
  /** The cron expression or descriptor, without params. */
  cron: string;
  /** An IANA zone; undefined = the local zone. */
  timezone?: string;
}

export interface CronReader {
  /** The first five fire times from 2000-01-01 UTC, as the annotation rules read a schedule. */
  plan: CronPlanner;
  /** The next `count` fire times strictly after `after`. Throws on an invalid expression. */
  nextRuns(spec: CronSpec, after: Date, count: number): Date[];
  /** The next fire time strictly after `after`. */
  nextRun(spec: CronSpec, after: Date): Date;
  /** The latest fire time at or before `at`, or null when there is none. */
  latestRunAtOrBefore(spec: CronSpec, at: Date): Date | null;
}

export function cronReader(parser: CronParser): CronReader {
  const series = (spec: CronSpec, at: number) =>
    parser.parse(spec.cron, { currentDate: new Date(at), tz: spec.timezone ?? undefined });
  return {
    plan: (cron) =>
      series({ cron, timezone: "UTC" }, Date.UTC(2000, 0, 1))
        .take(5)
        .map((instant) => instant.toDate().getTime()),
    nextRuns: (spec, after, count) =>
      series(spec, after.getTime())
        .take(count)
        .map((instant) => instant.toDate()),
    nextRun: (spec, after) => series(spec, after.getTime()).next().toDate(),
    latestRunAtOrBefore(spec, at) {
      const expr = series(spec, at.getTime() + 1);
      return expr.hasPrev() ? expr.prev().toDate() : null;
    },
  };
}

/**
 * A stored schedule, `"<cron>|<json object>"` (compatibility §6.7) → the cron part and the
 * params (null when absent or not an object).
 */
export function splitSchedule(schedule: string): { cron: string; params: JsonObject | null } {
  const bar = schedule.indexOf("|");
  if (bar < 0) return { cron: schedule.trim(), params: null };
  const cron = schedule.slice(0, bar).trim();
  try {
    const parsed: unknown = JSON.parse(schedule.slice(bar + 1));
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) {
      return { cron, params: parsed as JsonObject };
    }
  } catch {
    // invalid params are ignored: the cron part still schedules
  }
  return { cron, params: null };
}
