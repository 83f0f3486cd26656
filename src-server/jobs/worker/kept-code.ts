// A run pinned to an older version of its function (a replay with the code that run used)
// runs that version's kept code with the settings kept with it (jobs.function_versions,
// migrations 0018 and 0020): timeout, retries, memory and permissions as that version had
// them. The claim answers the pinned version, so only such runs, whose version is not the
// current one, cost a lookup.
import type { Queryable } from "../../db/connections.ts";
import type { FunctionRow } from "../../db/queries/functions.ts";
import { findFunctionVersion, type FunctionVersionRow } from "../../db/queries/replays.ts";

/** The function as it was at a kept version; a setting not kept (before 0020) is today's. */
export function functionAtVersion(fn: FunctionRow, kept: FunctionVersionRow): FunctionRow {
  return {
    ...fn,
    version: kept.version,
    code: kept.code,
    original_code: kept.original_code,
    timeout_seconds: kept.timeout_seconds ?? fn.timeout_seconds,
    progress_timeout_seconds: kept.progress_timeout_seconds ?? fn.progress_timeout_seconds,
    max_retries: kept.max_retries ?? fn.max_retries,
    memory_limit_mb: kept.memory_limit_mb ?? fn.memory_limit_mb,
    allow_net: kept.allow_net ?? fn.allow_net,
    allow_net_hosts: kept.allow_net_hosts ?? fn.allow_net_hosts,
    allow_env: kept.allow_env ?? fn.allow_env,
    allow_read: kept.allow_read ?? fn.allow_read,
    allow_write: kept.allow_write ?? fn.allow_write,
    disable_execution_logs: kept.disable_execution_logs ?? fn.disable_execution_logs,
  };
}

export async function codeOfVersion(
  db: Queryable,
  fn: FunctionRow | undefined,
  version: number | null,
): Promise<FunctionRow | undefined> {
  if (!fn || version === null || fn.version === version) return fn;
  const kept = await findFunctionVersion(db, fn.id, version);
  return kept ? functionAtVersion(fn, kept) : fn;
}
