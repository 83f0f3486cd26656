// Statements for replays (migrations 0018 and 0020): the kept versions of a function, with the
// settings each ran with, and the replays of a run. Replays are inserted by insertJob (queue.ts).
import type { Queryable } from "../connections.ts";
import type { JobRow } from "./queue.ts";

/** The settings kept with a version; NULL for versions kept before migration 0020. */
export interface KeptSettings {
  timeout_seconds: number | null;
  progress_timeout_seconds: number | null;
  max_retries: number | null;
  memory_limit_mb: number | null;
  allow_net: boolean | null;
  allow_net_hosts: string[] | null;
  allow_env: boolean | null;
  allow_read: boolean | null;
  allow_write: boolean | null;
  disable_execution_logs: boolean | null;
}

const KEPT_SETTINGS = `timeout_seconds, progress_timeout_seconds, max_retries, memory_limit_mb, allow_net,
  allow_net_hosts, allow_env, allow_read, allow_write, disable_execution_logs`;

export interface FunctionVersionRow extends KeptSettings {
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
    `SELECT function_id, version, code, original_code, created_at, ${KEPT_SETTINGS}
     FROM jobs.function_versions WHERE function_id = $1 AND version = $2`,
    [functionId, version],
  );
  return rows[0];
}

/** Replays of a run, newest first. */
export async function listReplays(db: Queryable, jobId: string): Promise<JobRow[]> {
  return db.query<JobRow>(
    "SELECT * FROM jobs.queue WHERE replay_of = $1 ORDER BY created_at DESC LIMIT 100",
    [jobId],
  );
}
