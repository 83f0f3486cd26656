// Statements for replays and dry runs (migration 0018): kept function versions, and runs
// inserted with a pinned code version, a link to the run they replay, or as dry runs.
import type { Queryable } from "../connections.ts";
import { insertJob, type JobRow, type NewJob } from "./queue.ts";

export interface FunctionVersionRow {
  function_id: string;
  version: number;
  code: string | null;
  original_code: string | null;
  created_at: Date;
}

export async function findFunctionVersion(
  db: Queryable,
  functionId: string,
  version: number,
): Promise<FunctionVersionRow | undefined> {
  const rows = await db.query<FunctionVersionRow>(
    `SELECT function_id, version, code, original_code, created_at
     FROM jobs.function_versions WHERE function_id = $1 AND version = $2`,
    [functionId, version],
  );
  return rows[0];
}

export type RunExtras = Pick<NewJob, "replayOf" | "codeVersion" | "dryRun">;

/** A run with a pinned code version, a link to the run it replays, or as a dry run. */
export async function insertRun(db: Queryable, job: NewJob, extras: RunExtras): Promise<JobRow> {
  return insertJob(db, { ...job, ...extras });
}

/** Replays of a run, newest first. */
export async function listReplays(db: Queryable, jobId: string): Promise<JobRow[]> {
  return db.query<JobRow>(
    "SELECT * FROM jobs.queue WHERE replay_of = $1 ORDER BY created_at DESC LIMIT 100",
    [jobId],
  );
}
