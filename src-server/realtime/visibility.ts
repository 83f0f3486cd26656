// Who may see which changed row (compatibility §3.5): decided from the row and the socket's
// identity alone, with no database round trip per event. jobs.queue follows the rule the
// HTTP routes apply (auth/job-viewer.ts); jobs.workers is for admins only.
import { jobViewerOf, mayViewJob } from "../auth/job-viewer.ts";
import { isAdminRole } from "../auth/roles.ts";

export interface Viewer {
  role: string;
  userId: string | null;
}

export { isRealtimeTable } from "./job-tables.ts";

type Row = Record<string, unknown>;

/** May `viewer` read the job `row` (any object with created_by and user_role)? */
export function mayReadJob(viewer: Viewer, row: Row | null | undefined): boolean {
  return mayViewJob(jobViewerOf(viewer), row);
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
