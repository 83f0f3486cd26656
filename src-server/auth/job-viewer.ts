// Which jobs a caller may see: the one rule for the HTTP routes (get, list, logs, cancel,
// retry) and the realtime hub (row changes of jobs.queue, execution logs). Admins (admin,
// dashboard_admin, service_role) see every job; a signed-in user sees the jobs they
// submitted; anyone else (the anon key, a role with no user) sees none. An anonymous
// submitter reads its own job only through the receipt it was given (http/guards.ts), not
// through this rule, since anyone holding the public anon key would otherwise see every
// anonymous job. The rule is stated once and yields both the TypeScript predicate and the
// SQL clause, so the two cannot drift apart.
import { isAdminRole } from "./roles.ts";

export type JobViewer = { sees: "all" } | { sees: "user"; userId: string } | { sees: "none" };

export const ALL_JOBS: JobViewer = Object.freeze({ sees: "all" });
export const NO_JOBS: JobViewer = Object.freeze({ sees: "none" });

/** The viewer of a caller or a realtime socket's identity. */
export function jobViewerOf(identity: { role: string; userId: string | null }): JobViewer {
  if (isAdminRole(identity.role)) return ALL_JOBS;
  if (identity.userId) return { sees: "user", userId: identity.userId };
  return NO_JOBS;
}

/** May `viewer` see the job `row` (any object with created_by)? */
export function mayViewJob(
  viewer: JobViewer,
  row: { created_by?: unknown } | null | undefined,
): boolean {
  if (viewer.sees === "all") return true;
  if (viewer.sees === "none" || !row) return false;
  return row.created_by === viewer.userId;
}

/**
 * The same rule as a condition on jobs.queue aliased `alias`; a user id becomes parameter
 * `$param` (append `values` to the statement's parameters).
 */
export function jobViewerSql(
  viewer: JobViewer,
  alias: string,
  param: number,
): { sql: string; values: unknown[] } {
  if (viewer.sees === "all") return { sql: "true", values: [] };
  if (viewer.sees === "none") return { sql: "false", values: [] };
  return { sql: `${alias}.created_by = $${param}`, values: [viewer.userId] };
}
