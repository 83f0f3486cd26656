// Statements on logging.entries (execution logs of jobs).
import { storableText } from "../storable.ts";
import type { Queryable } from "../connections.ts";

export interface LogLine {
  level: string;
  message: string;
  at: Date;
}

export interface LogRow {
  id: string;
  execution_id: string;
  line_number: number;
  level: string;
  message: string;
  fields: Record<string, unknown> | null;
  timestamp: Date;
}

/** Appends lines after the job's current last line, in one statement. */
export async function appendLogs(db: Queryable, jobId: string, lines: LogLine[]): Promise<void> {
  if (lines.length === 0) return;
  await db.query(
    `INSERT INTO logging.entries (execution_id, line_number, level, message, "timestamp")
     SELECT $1, base.n + l.ord, l.level, l.message, l.at
     FROM unnest($2::text[], $3::text[], $4::timestamptz[]) WITH ORDINALITY AS l(level, message, at, ord),
          (SELECT coalesce(max(line_number), 0) AS n FROM logging.entries WHERE execution_id = $1) base`,
    [
      jobId,
      lines.map((l) => storableText(l.level)),
      lines.map((l) => storableText(l.message)),
      lines.map((l) => l.at),
    ],
  );
}

export interface LogPage {
  rows: LogRow[];
  /** Lines after the last one returned exist. */
  more: boolean;
}

/** How much of a job's log is stored: lines and bytes of messages (earlier attempts'). */
export async function logUsage(
  db: Queryable,
  jobId: string,
): Promise<{ lines: number; bytes: number }> {
  const rows = await db.query<{ lines: number; bytes: number }>(
    `SELECT count(*)::int AS lines, coalesce(sum(octet_length(message)), 0)::float8 AS bytes
     FROM logging.entries WHERE execution_id = $1`,
    [jobId],
  );
  return rows[0] ?? { lines: 0, bytes: 0 };
}

/**
 * Lines after `afterLine`, at most `limit` of them and, past the first, no more than
 * `maxBytes` of messages together: one page of a job's log.
 */
export async function listLogs(
  db: Queryable,
  jobId: string,
  afterLine: number,
  limit = 10_000,
  maxBytes = Number.MAX_SAFE_INTEGER,
): Promise<LogPage> {
  const rows = await db.query<LogRow & { fetched: number }>(
    `SELECT id, execution_id, line_number, level, message, fields, "timestamp", fetched FROM (
       SELECT *, sum(octet_length(message)) OVER (ORDER BY line_number) AS upto, count(*) OVER () AS fetched,
              row_number() OVER (ORDER BY line_number) AS n FROM (
         SELECT id, execution_id, line_number, level, message, fields, "timestamp" FROM logging.entries
         WHERE execution_id = $1 AND line_number > $2 ORDER BY line_number LIMIT $3 + 1) page
     ) sized
     WHERE upto <= $4 OR n = 1
     ORDER BY line_number`,
    [jobId, afterLine, limit, maxBytes],
  );
  const fetched = rows[0]?.fetched ?? 0;
  const kept = rows.slice(0, limit).map(({ fetched: _, ...row }) => row);
  return { rows: kept, more: fetched > kept.length };
}
