// Statements on jobs.functions and jobs.function_files.
import type { JsonObject } from "../../../src-sdk/types.ts";
import type { Queryable } from "../connections.ts";

export interface FunctionRow {
  id: string;
  name: string;
  namespace: string;
  description: string | null;
  code: string | null;
  original_code: string | null;
  is_bundled: boolean;
  bundle_error: string | null;
  enabled: boolean;
  schedule: string | null;
  timeout_seconds: number;
  memory_limit_mb: number;
  max_retries: number;
  progress_timeout_seconds: number;
  allow_net: boolean;
  /** Private destinations allowed all the same (migration 0014). */
  allow_net_hosts: string[];
  allow_env: boolean;
  allow_read: boolean;
  allow_write: boolean;
  require_roles: string[];
  disable_execution_logs: boolean;
  schedule_timezone: string | null;
  schedule_params: JsonObject | null;
  allow_overlap: boolean;
  /** Set by the admin pause/resume routes only; upserts keep it. */
  schedule_paused: boolean;
  version: number;
  created_by: string | null;
  source: "filesystem" | "api" | "builtin";
  created_at: Date;
  updated_at: Date;
}

/** The settable columns of a function. */
export interface FunctionFields {
  name: string;
  namespace: string;
  description: string | null;
  code: string | null;
  originalCode: string | null;
  isBundled: boolean;
  bundleError: string | null;
  enabled: boolean;
  schedule: string | null;
  timeoutSeconds: number;
  memoryLimitMb: number;
  maxRetries: number;
  progressTimeoutSeconds: number;
  allowNet: boolean;
  /** Omitted: none. */
  allowNetHosts?: string[];
  allowEnv: boolean;
  allowRead: boolean;
  allowWrite: boolean;
  requireRoles: string[];
  disableExecutionLogs: boolean;
  /** Omitted: null / null / false (callers written before migration 0009). */
  scheduleTimezone?: string | null;
  scheduleParams?: JsonObject | null;
  allowOverlap?: boolean;
  source: FunctionRow["source"];
  createdBy: string | null;
}

const COLUMNS = `name, namespace, description, code, original_code, is_bundled, bundle_error, enabled, schedule,
  timeout_seconds, memory_limit_mb, max_retries, progress_timeout_seconds, allow_net, allow_env, allow_read,
  allow_write, require_roles, disable_execution_logs, source, created_by, schedule_timezone, schedule_params,
  allow_overlap, allow_net_hosts`;

function values(f: FunctionFields): unknown[] {
  return [
    f.name,
    f.namespace,
    f.description,
    f.code,
    f.originalCode,
    f.isBundled,
    f.bundleError,
    f.enabled,
    f.schedule,
    f.timeoutSeconds,
    f.memoryLimitMb,
    f.maxRetries,
    f.progressTimeoutSeconds,
    f.allowNet,
    f.allowEnv,
    f.allowRead,
    f.allowWrite,
    f.requireRoles,
    f.disableExecutionLogs,
    f.source,
    f.createdBy,
    f.scheduleTimezone ?? null,
    f.scheduleParams ? JSON.stringify(f.scheduleParams) : null,
    f.allowOverlap ?? false,
    f.allowNetHosts ?? [],
  ];
}

/**
 * Creates or updates a function by (namespace, name). The version only moves when
 * something actually changed, so reloading an unchanged folder is a no-op.
 */
export async function upsertFunction(
  db: Queryable,
  f: FunctionFields,
): Promise<{ row: FunctionRow; action: "created" | "updated" | "unchanged" }> {
  const rows = await db.query<FunctionRow & { inserted: boolean; changed: boolean }>(
    `WITH prev AS (SELECT * FROM jobs.functions WHERE namespace = $2 AND name = $1)
     INSERT INTO jobs.functions (${COLUMNS})
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)
     ON CONFLICT (name, namespace) DO UPDATE SET
       description = EXCLUDED.description, code = EXCLUDED.code, original_code = EXCLUDED.original_code,
       is_bundled = EXCLUDED.is_bundled, bundle_error = EXCLUDED.bundle_error, enabled = EXCLUDED.enabled,
       schedule = EXCLUDED.schedule, timeout_seconds = EXCLUDED.timeout_seconds,
       memory_limit_mb = EXCLUDED.memory_limit_mb, max_retries = EXCLUDED.max_retries,
       progress_timeout_seconds = EXCLUDED.progress_timeout_seconds, allow_net = EXCLUDED.allow_net,
       allow_env = EXCLUDED.allow_env, allow_read = EXCLUDED.allow_read, allow_write = EXCLUDED.allow_write,
       require_roles = EXCLUDED.require_roles, disable_execution_logs = EXCLUDED.disable_execution_logs,
       source = EXCLUDED.source, schedule_timezone = EXCLUDED.schedule_timezone,
       schedule_params = EXCLUDED.schedule_params, allow_overlap = EXCLUDED.allow_overlap,
       allow_net_hosts = EXCLUDED.allow_net_hosts,
       version = jobs.functions.version + 1
     WHERE (jobs.functions.description, jobs.functions.code, jobs.functions.original_code,
            jobs.functions.is_bundled, jobs.functions.bundle_error, jobs.functions.enabled,
            jobs.functions.schedule, jobs.functions.timeout_seconds, jobs.functions.memory_limit_mb,
            jobs.functions.max_retries, jobs.functions.progress_timeout_seconds, jobs.functions.allow_net,
            jobs.functions.allow_env, jobs.functions.allow_read, jobs.functions.allow_write,
            jobs.functions.require_roles, jobs.functions.disable_execution_logs, jobs.functions.source,
            jobs.functions.schedule_timezone, jobs.functions.schedule_params, jobs.functions.allow_overlap,
            jobs.functions.allow_net_hosts)
       IS DISTINCT FROM
           (EXCLUDED.description, EXCLUDED.code, EXCLUDED.original_code, EXCLUDED.is_bundled,
            EXCLUDED.bundle_error, EXCLUDED.enabled, EXCLUDED.schedule, EXCLUDED.timeout_seconds,
            EXCLUDED.memory_limit_mb, EXCLUDED.max_retries, EXCLUDED.progress_timeout_seconds,
            EXCLUDED.allow_net, EXCLUDED.allow_env, EXCLUDED.allow_read, EXCLUDED.allow_write,
            EXCLUDED.require_roles, EXCLUDED.disable_execution_logs, EXCLUDED.source,
            EXCLUDED.schedule_timezone, EXCLUDED.schedule_params, EXCLUDED.allow_overlap,
            EXCLUDED.allow_net_hosts)
     RETURNING *, NOT EXISTS (SELECT 1 FROM prev) AS inserted, true AS changed`,
    values(f),
  );
  const row = rows[0];
  if (row) {
    const { inserted, changed: _changed, ...fn } = row;
    return { row: fn, action: inserted ? "created" : "updated" };
  }
  const existing = await findFunction(db, f.namespace, f.name);
  return { row: existing!, action: "unchanged" };
}

export async function findFunction(
  db: Queryable,
  namespace: string,
  name: string,
): Promise<FunctionRow | undefined> {
  const rows = await db.query<FunctionRow>(
    "SELECT * FROM jobs.functions WHERE namespace = $1 AND name = $2",
    [namespace, name],
  );
  return rows[0];
}

/** Without a namespace: the first match by name, ordered by namespace (compatibility §2.2). */
export async function findFunctionByName(
  db: Queryable,
  name: string,
): Promise<FunctionRow | undefined> {
  const rows = await db.query<FunctionRow>(
    "SELECT * FROM jobs.functions WHERE name = $1 ORDER BY namespace = 'default' DESC, namespace LIMIT 1",
    [name],
  );
  return rows[0];
}

export async function findFunctionById(
  db: Queryable,
  id: string,
): Promise<FunctionRow | undefined> {
  const rows = await db.query<FunctionRow>("SELECT * FROM jobs.functions WHERE id = $1", [id]);
  return rows[0];
}

export async function listFunctions(db: Queryable, namespace?: string): Promise<FunctionRow[]> {
  if (namespace) {
    return db.query<FunctionRow>(
      "SELECT * FROM jobs.functions WHERE namespace = $1 ORDER BY name",
      [namespace],
    );
  }
  return db.query<FunctionRow>("SELECT * FROM jobs.functions ORDER BY namespace, name");
}

export async function deleteFunction(
  db: Queryable,
  namespace: string,
  name: string,
): Promise<boolean> {
  const rows = await db.query(
    "DELETE FROM jobs.functions WHERE namespace = $1 AND name = $2 RETURNING id",
    [namespace, name],
  );
  return rows.length > 0;
}

/**
 * Disables filesystem-sourced functions of a namespace whose files are gone (history and
 * runs are kept; the file coming back re-enables it). Returns the names newly disabled.
 */
export async function disableMissingFilesystemFunctions(
  db: Queryable,
  namespace: string,
  keep: string[],
): Promise<string[]> {
  const rows = await db.query<{ name: string }>(
    `UPDATE jobs.functions SET enabled = false, bundle_error = 'File removed'
     WHERE namespace = $1 AND source = 'filesystem' AND NOT (name = any($2::text[]))
       AND (enabled OR bundle_error IS DISTINCT FROM 'File removed')
     RETURNING name`,
    [namespace, keep],
  );
  return rows.map((r) => r.name);
}

/** Deletes every function of a namespace (any source) not named in `keep`. */
export async function deleteFunctionsNotIn(
  db: Queryable,
  namespace: string,
  keep: string[],
): Promise<string[]> {
  const rows = await db.query<{ name: string }>(
    "DELETE FROM jobs.functions WHERE namespace = $1 AND NOT (name = any($2::text[])) RETURNING name",
    [namespace, keep],
  );
  return rows.map((r) => r.name);
}

/** Records a bundle/syntax error without touching the code that runs (the last good version). */
export async function setFunctionBundleError(
  db: Queryable,
  id: string,
  error: string | null,
): Promise<boolean> {
  const rows = await db.query(
    `UPDATE jobs.functions SET bundle_error = $2
     WHERE id = $1 AND bundle_error IS DISTINCT FROM $2 RETURNING id`,
    [id, error],
  );
  return rows.length > 0;
}

export async function listNamespaces(db: Queryable): Promise<string[]> {
  const rows = await db.query<{ namespace: string }>(
    "SELECT DISTINCT namespace FROM jobs.functions ORDER BY namespace",
  );
  return rows.length ? rows.map((r) => r.namespace) : ["default"];
}

export async function replaceFunctionFiles(
  db: Queryable,
  functionId: string,
  files: { path: string; content: string }[],
): Promise<void> {
  await db.query(
    "DELETE FROM jobs.function_files WHERE function_id = $1 AND NOT (file_path = any($2::text[]))",
    [functionId, files.map((f) => f.path)],
  );
  if (files.length === 0) return;
  await db.query(
    `INSERT INTO jobs.function_files (function_id, file_path, content)
     SELECT $1, p, c FROM unnest($2::text[], $3::text[]) AS t(p, c)
     ON CONFLICT (function_id, file_path) DO UPDATE SET content = EXCLUDED.content
     WHERE jobs.function_files.content IS DISTINCT FROM EXCLUDED.content`,
    [functionId, files.map((f) => f.path), files.map((f) => f.content)],
  );
}
