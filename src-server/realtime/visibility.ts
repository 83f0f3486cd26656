// Who may see which changed row (compatibility §3.5): decided from the row and the socket's
// identity alone, with no database round trip per event. The rule for jobs.queue is the
// one the HTTP routes apply (jobs/api/service.ts ownerOf/visible): a user sees the jobs they
// submitted, admins (admin, dashboard_admin, service_role) see every job, and the anon
// identity sees none (an anonymous submitter is told its job's id and nothing more, since
// anyone holding the public anon key would otherwise see every anonymous job).
// jobs.workers is for admins only.
import { isAdminRole } from "../auth/roles.ts";

export interface Viewer {
  role: string;
  userId: string | null;
}

export { isRealtimeTable } from "./job-tables.ts";

type Row = Record<string, unknown>;

/** May `viewer` read the job `row` (any object with created_by and user_role)? */
export function mayReadJob(viewer: Viewer, row: Row | null | undefined): boolean {
  if (isAdminRole(viewer.role)) return true;
  if (!row) return false;
  const createdBy = row.created_by ?? null;
  if (viewer.userId) return createdBy === viewer.userId;
  return false;
}

/**
 * May `viewer` see this change of `schema.table`? `row` is the record, or the old record
 * when there is no new one (DELETE); null when neither is known (admins only).
 */
export function mayReadRow(
  viewer: Viewer,
  schema: string,
  table: string,
  row: Row | null | undefined,
): boolean {
  const name = `${schema}.${table}`;
  if (name === "jobs.queue") return mayReadJob(viewer, row);
  if (name === "jobs.workers") return isAdminRole(viewer.role);
  return false;
}
