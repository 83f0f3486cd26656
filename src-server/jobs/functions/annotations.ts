// The server's side of `@fluxbase:` annotations: the parser (shared with the editor, in
// src-shared/annotations.ts) with the scheduler's cron reader, and the settings a
// function gets from its annotations over the server's defaults.
import {
  parseAnnotations as parseWith,
  validateSchedule as validateScheduleWith,
  type FunctionAnnotations,
  type ParsedAnnotations,
  type Result,
} from "../../../src-shared/annotations.ts";
import type { JsonObject } from "../../../src-sdk/types.ts";
import type { JobsConfig } from "../../config/types.ts";
import { planCron } from "../scheduler/plan.ts";

export {
  annotationNames,
  matchAnnotationLine,
  SETTING_RANGES,
  validateNetHost,
  type AnnotationError,
  type AnnotationIssue,
  type AnnotationWarning,
  type FunctionAnnotations,
  type ParsedAnnotations,
} from "../../../src-shared/annotations.ts";

export function parseAnnotations(source: string): ParsedAnnotations {
  return parseWith(source, planCron);
}

/**
 * Validate a schedule. Unlike upstream (at most once a minute), seconds-level 6-field
 * schedules are allowed, with a minimum interval of one second.
 */
export function validateSchedule(value: string): Result<string> {
  return validateScheduleWith(value, planCron);
}

/** The concrete settings of a function: its annotations over the server's defaults. */
export interface FunctionSettings {
  description: string | null;
  schedule: string | null;
  scheduleTimezone: string | null;
  scheduleParams: JsonObject | null;
  timeoutSeconds: number;
  maxRetries: number;
  progressTimeoutSeconds: number;
  memoryLimitMb: number;
  allowNet: boolean;
  /** Private destinations the job may reach all the same (empty: none). */
  allowNetHosts: string[];
  allowEnv: boolean;
  allowRead: boolean;
  allowWrite: boolean;
  enabled: boolean;
  disableExecutionLogs: boolean;
  /** Empty: anyone authenticated may submit. */
  requireRoles: string[];
  /** Null: the namespace the caller loads into (`default` at boot). */
  namespace: string | null;
  /** False: a cron fire is skipped while the previous run of the function is still going. */
  allowOverlap: boolean;
}

export type AnnotationDefaults = Pick<
  JobsConfig,
  "defaultTimeoutSeconds" | "defaultMaxRetries" | "defaultProgressTimeoutSeconds"
>;

export function applyAnnotationDefaults(
  a: FunctionAnnotations,
  config: AnnotationDefaults,
): FunctionSettings {
  return {
    description: a.description ?? null,
    schedule: a.schedule ?? null,
    scheduleTimezone: a.scheduleTimezone ?? null,
    scheduleParams: a.scheduleParams ?? null,
    timeoutSeconds: a.timeoutSeconds ?? config.defaultTimeoutSeconds,
    maxRetries: a.maxRetries ?? config.defaultMaxRetries,
    progressTimeoutSeconds: a.progressTimeoutSeconds ?? config.defaultProgressTimeoutSeconds,
    memoryLimitMb: a.memoryLimitMb ?? 256,
    allowNet: a.allowNet ?? true,
    allowNetHosts: a.allowNetHosts ?? [],
    allowEnv: a.allowEnv ?? true,
    allowRead: a.allowRead ?? false,
    allowWrite: a.allowWrite ?? false,
    enabled: a.enabled ?? true,
    disableExecutionLogs: a.disableExecutionLogs ?? false,
    requireRoles: a.requireRoles ?? [],
    namespace: a.namespace ?? null,
    allowOverlap: a.allowOverlap ?? false,
  };
}
