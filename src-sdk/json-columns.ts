// Our server sends payload/result/progress as JSON values; upstream Fluxbase sends them
// as JSON strings (compatibility §2.1). Everything the SDK hands out goes through here so
// `job.progress.percent` is a number against either server.
import type { Job, Worker } from "./types.ts";

const JSON_COLUMNS = ["payload", "result", "progress"] as const;

/**
 * Parse a string that holds a JSON object or array. Only `{`/`[` strings are parsed:
 * upstream only ever string-encodes objects, so a job that returned the string "42"
 * keeps it as a string.
 */
export function parseJsonString(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const trimmed = value.trim();
  if (!trimmed.startsWith("{") && !trimmed.startsWith("[")) return value;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return value;
  }
}

/** Copy of a row with string-encoded payload/result/progress parsed. */
export function normalizeRecord<T extends Record<string, unknown>>(record: T): T {
  let copy: Record<string, unknown> | null = null;
  for (const column of JSON_COLUMNS) {
    const value = record[column];
    if (typeof value !== "string") continue;
    const parsed = parseJsonString(value);
    if (parsed === value) continue;
    copy ??= { ...record };
    copy[column] = parsed;
  }
  return (copy ?? record) as T;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function normalizeJob(value: unknown): Job {
  return (isRecord(value) ? normalizeRecord(value) : value) as Job;
}

/**
 * Lists come as `{ jobs: [...] }` (ours and upstream), `{ jobs: null }` (upstream when
 * empty) or a bare array. Any other envelope key can be named in `keys`.
 */
export function unwrapList(body: unknown, keys: readonly string[]): unknown[] {
  if (Array.isArray(body)) return body as unknown[];
  if (isRecord(body)) {
    for (const key of keys) {
      const inner = body[key];
      if (Array.isArray(inner)) return inner as unknown[];
    }
  }
  return [];
}

export function normalizeJobList(body: unknown): Job[] {
  return unwrapList(body, ["jobs", "data"]).map(normalizeJob);
}

/** Worker plus the guide's spellings (`current_jobs`, `max_concurrent`). */
export type WorkerInfo = Worker & { current_jobs: number; max_concurrent: number };

export function normalizeWorker(value: unknown): WorkerInfo {
  const worker = (isRecord(value) ? { ...value } : {}) as Record<string, unknown>;
  if (typeof worker.metadata === "string") worker.metadata = parseJsonString(worker.metadata);
  worker.current_jobs ??= worker.current_job_count ?? 0;
  worker.max_concurrent ??= worker.max_concurrent_jobs ?? 0;
  return worker as unknown as WorkerInfo;
}
