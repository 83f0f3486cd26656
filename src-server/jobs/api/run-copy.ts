// A new run made from an old one (retry, resubmit, replay): the same function, payload,
// priority and submitter, with the settings of the function as given (today's, or those of
// a kept version for a replay with the code an earlier run used).
import type { FunctionRow } from "../../db/queries/functions.ts";
import type { JobRow, NewJob } from "../../db/queries/queue.ts";

export function runFrom(row: JobRow, fn: FunctionRow, changes: Partial<NewJob> = {}): NewJob {
  return {
    namespace: fn.namespace,
    functionId: fn.id,
    jobName: fn.name,
    payload: row.payload ?? {},
    priority: row.priority,
    maxDurationSeconds: fn.timeout_seconds,
    progressTimeoutSeconds: fn.progress_timeout_seconds,
    maxRetries: fn.max_retries,
    createdBy: row.created_by,
    userRole: row.user_role,
    userEmail: row.user_email,
    scheduledAt: null,
    ...changes,
  };
}
