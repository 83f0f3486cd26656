// The notifications of migrations 0016 ('fluxbase_changes') and 0005 ('fluxbase_logs'),
// parsed, and the wire shape of a jobs.queue record (compatibility §3.3). Pure.
import type { ChangeType, ExecutionLogLine } from "./protocol.ts";

export type JsonRecord = Record<string, unknown>;

/** One row change as the trigger announced it; `truncated` ones carry only the id. */
export interface ChangeNotification {
  schema: string;
  table: string;
  type: ChangeType;
  commit_timestamp: string;
  record: JsonRecord | null;
  old_record: JsonRecord | null;
  truncated?: boolean;
  id?: string;
}

export interface LogNotification extends ExecutionLogLine {
  truncated?: boolean;
}

/** A change ready to be sent: the §3.3 payload. */
export interface RowChange {
  type: ChangeType;
  schema: string;
  table: string;
  commit_timestamp: string;
  record: JsonRecord | null;
  old_record: JsonRecord | null;
}

function isObject(value: unknown): value is JsonRecord {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseObject(text: string): JsonRecord | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export function parseChangeNotification(text: string): ChangeNotification | undefined {
  const n = parseObject(text);
  if (!n || typeof n.schema !== "string" || typeof n.table !== "string") return undefined;
  if (n.type !== "INSERT" && n.type !== "UPDATE" && n.type !== "DELETE") return undefined;
  return {
    schema: n.schema,
    table: n.table,
    type: n.type,
    commit_timestamp:
      typeof n.commit_timestamp === "string" ? n.commit_timestamp : new Date().toISOString(),
    record: isObject(n.record) ? n.record : null,
    old_record: isObject(n.old_record) ? n.old_record : null,
    ...(n.truncated === true
      ? { truncated: true, id: typeof n.id === "string" ? n.id : undefined }
      : {}),
  };
}

export function parseLogNotification(text: string): LogNotification | undefined {
  const n = parseObject(text);
  if (!n || typeof n.execution_id !== "string" || typeof n.line_number !== "number")
    return undefined;
  return {
    execution_id: n.execution_id,
    line_number: n.line_number,
    level: typeof n.level === "string" ? n.level : "info",
    message: typeof n.message === "string" ? n.message : "",
    timestamp: typeof n.timestamp === "string" ? n.timestamp : new Date().toISOString(),
    ...(n.truncated === true ? { truncated: true } : {}),
  };
}

/** The row the filter and the visibility rule look at: the new one, else the old one. */
export function subjectRow(change: RowChange): JsonRecord | null {
  return change.record ?? change.old_record;
}

/**
 * A jobs.queue record for the wire: `progress` always an object (the guide's
 * `updatedJob.progress.percent` must not throw on a job that has not reported yet), plus
 * progress_percent, progress_message and estimated_seconds_left as upstream adds them.
 */
export function jobRecordForWire(
  record: JsonRecord | null,
  commitTimestamp: string,
): JsonRecord | null {
  if (!record) return null;
  let progress = record.progress;
  if (typeof progress === "string") progress = parseObject(progress);
  const reported = isObject(progress) ? progress : undefined;
  const out: JsonRecord = { ...record, progress: reported ?? { percent: 0, message: "" } };
  if (reported && typeof reported.percent === "number") {
    out.progress_percent = reported.percent;
    if (reported.message !== undefined) out.progress_message = reported.message;
    const eta = secondsLeft(record, reported.percent, Date.parse(commitTimestamp));
    if (eta !== undefined) out.estimated_seconds_left = eta;
  }
  return out;
}

function secondsLeft(record: JsonRecord, percent: number, now: number): number | undefined {
  if (
    record.status !== "running" ||
    typeof record.started_at !== "string" ||
    percent <= 0 ||
    percent >= 100
  ) {
    return undefined;
  }
  const elapsed = (now - Date.parse(record.started_at)) / 1000;
  if (!Number.isFinite(elapsed) || elapsed < 0) return undefined;
  return Math.max(0, Math.round((elapsed / percent) * (100 - percent)));
}
