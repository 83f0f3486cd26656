// A debug run is inserted held back (scheduled a little ahead) so that its debug session
// exists before any worker can claim it; then it is released: due now, no retries (a retry
// would run without the debugger), and the workers woken.
import type { Queryable } from "../connections.ts";

/** How far ahead a debug run is held: past this, a run never released goes like any job. */
export const DEBUG_HOLD_SECONDS = 60;

export async function releaseDebugRun(db: Queryable, jobId: string): Promise<boolean> {
  const rows = await db.query<{ id: string }>(
    `WITH released AS (
       UPDATE jobs.queue SET scheduled_at = now(), max_retries = 0
        WHERE id = $1 AND status = 'pending'
        RETURNING id)
     SELECT id, pg_notify('jobs_wake', '') FROM released`,
    [jobId],
  );
  return rows.length > 0;
}
