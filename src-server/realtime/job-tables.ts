// The jobs tables whose row changes the realtime hub serves, and how to read their rows by
// id (for a notification too large for pg_notify, which carries the id only). Fixed SQL,
// never an identifier from a request.
//
// The database side of the same list is the set of tables with a trigger on
// jobs.notify_realtime_change (migration 0016); a test checks that the two agree.

export interface RealtimeJobTable {
  /** Selects `row` (the table's row as jsonb, without its payload) for the ids in $1. */
  rowsById: string;
}

export const REALTIME_JOB_TABLES: Readonly<Record<string, RealtimeJobTable>> = {
  "jobs.queue": {
    rowsById:
      "SELECT to_jsonb(t) - 'payload' AS row FROM jobs.queue t WHERE t.id = any($1::uuid[])",
  },
  "jobs.workers": {
    rowsById: "SELECT to_jsonb(t) AS row FROM jobs.workers t WHERE t.id = any($1::uuid[])",
  },
};

/** Whether the hub serves changes of `schema.table`. */
export function isRealtimeTable(schema: string, table: string): boolean {
  return Object.hasOwn(REALTIME_JOB_TABLES, `${schema}.${table}`);
}
