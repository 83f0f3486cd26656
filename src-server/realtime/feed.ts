// Turns notifications into deliverable changes and log lines, strictly in the order
// PostgreSQL sent them (commit order). One FIFO for both channels: a batch of queued
// notifications is enriched with one query per kind of missing data (the row of a
// truncated notification, the result of a completed job, the logs of a failed job, the
// whole of a cut log line), then emitted in order before the next batch starts.
import type { Queryable } from "../db/connections.ts";
import { coerceError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import { REALTIME_JOB_TABLES } from "./job-tables.ts";
import type { ExecutionLogLine } from "./protocol.ts";
import {
  jobRecordForWire,
  parseChangeNotification,
  parseLogNotification,
  type ChangeNotification,
  type JsonRecord,
  type LogNotification,
  type RowChange,
} from "./records.ts";

export const CHANGES_CHANNEL = "fluxbase_changes";
export const LOGS_CHANNEL = "fluxbase_logs";

export interface ChangeFeedOptions {
  db: Queryable;
  logger: Logger;
  /** Whether any socket subscribes to the table (else the change is dropped unread). */
  wantsTable(schema: string, table: string): boolean;
  wantsExecution(executionId: string): boolean;
  onChange(change: RowChange): void;
  onLog(line: ExecutionLogLine): void;
  /** Longest `logs` string attached to a failed job (its tail is kept). */
  maxLogsChars?: number;
  maxBatch?: number;
}

export interface ChangeFeed {
  push(channel: string, payload: string): void;
  /** Notifications received and not yet emitted. */
  pending(): number;
}

type Item = { kind: "change"; n: ChangeNotification } | { kind: "log"; n: LogNotification };

interface Fetched {
  rows: Map<string, JsonRecord>;
  logs: Map<string, string>;
  lines: Map<string, string>;
}

const lineKey = (id: string, line: number) => `${id}#${line}`;

/**
 * Changes emitted per turn of the event loop: each is matched against every socket, so a
 * batch of hundreds emitted at once would hold the loop (and every HTTP request) for long.
 */
const EMITS_PER_TURN = 16;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export function createChangeFeed(options: ChangeFeedOptions): ChangeFeed {
  const { db, logger } = options;
  const maxBatch = options.maxBatch ?? 500;
  const maxLogs = options.maxLogsChars ?? 256 * 1024;
  const queue: Item[] = [];
  let draining = false;

  const needs = (batch: Item[]) => {
    const rows = new Map<string, Set<string>>();
    const logs = new Set<string>();
    const lines: LogNotification[] = [];
    for (const item of batch) {
      if (item.kind === "log") {
        if (item.n.truncated) lines.push(item.n);
        continue;
      }
      const n = item.n;
      const name = `${n.schema}.${n.table}`;
      const id = n.truncated ? n.id : (n.record?.id as string | undefined);
      const status = n.record?.status;
      const wantRow = n.truncated || (name === "jobs.queue" && status === "completed");
      if (wantRow && id && REALTIME_JOB_TABLES[name])
        rows.set(name, (rows.get(name) ?? new Set()).add(id));
      if (name === "jobs.queue" && id && (status === "failed" || n.truncated)) logs.add(id);
    }
    return { rows, logs, lines };
  };

  const fetch = async (batch: Item[]): Promise<Fetched> => {
    const want = needs(batch);
    const fetched: Fetched = { rows: new Map(), logs: new Map(), lines: new Map() };
    for (const [name, ids] of want.rows) {
      const rows = await db.query<{ row: JsonRecord }>(REALTIME_JOB_TABLES[name]!.rowsById, [
        [...ids],
      ]);
      for (const { row } of rows) fetched.rows.set(`${name}:${String(row.id)}`, row);
    }
    // Only failed jobs carry logs; a truncated notification's status is known once read.
    const failed = [...want.logs].filter((id) => {
      const row = fetched.rows.get(`jobs.queue:${id}`);
      return row ? row.status === "failed" : true;
    });
    if (failed.length) {
      const rows = await db.query<{ id: string; logs: string }>(
        `SELECT execution_id::text AS id, right(string_agg(message, E'\\n' ORDER BY line_number), $2) AS logs
         FROM logging.entries WHERE execution_id = any($1::uuid[]) GROUP BY execution_id`,
        [failed, maxLogs],
      );
      for (const r of rows) fetched.logs.set(r.id, r.logs);
    }
    if (want.lines.length) {
      const rows = await db.query<{ id: string; line_number: number; message: string }>(
        `SELECT e.execution_id::text AS id, e.line_number, e.message FROM logging.entries e
         JOIN unnest($1::uuid[], $2::int[]) AS k(id, n) ON e.execution_id = k.id AND e.line_number = k.n`,
        [want.lines.map((l) => l.execution_id), want.lines.map((l) => l.line_number)],
      );
      for (const r of rows) fetched.lines.set(lineKey(r.id, r.line_number), r.message);
    }
    return fetched;
  };

  const toChange = (n: ChangeNotification, fetched: Fetched): RowChange => {
    const name = `${n.schema}.${n.table}`;
    let record = n.record;
    let old = n.old_record;
    if (n.truncated) {
      const row = n.id ? fetched.rows.get(`${name}:${n.id}`) : undefined;
      const known = row ?? (n.id ? { id: n.id } : null);
      record = n.type === "DELETE" ? null : known;
      old = n.type === "DELETE" ? known : null;
    }
    if (name !== "jobs.queue")
      return {
        type: n.type,
        schema: n.schema,
        table: n.table,
        commit_timestamp: n.commit_timestamp,
        record,
        old_record: old,
      };
    if (record) {
      const { result: _result, ...rest } = record;
      record = rest;
      const id = String(record.id);
      if (record.status === "completed")
        record.result = fetched.rows.get(`jobs.queue:${id}`)?.result ?? null;
      if (record.status === "failed") record.logs = fetched.logs.get(id) ?? "";
    }
    if (old) {
      const { result: _result, ...rest } = old;
      old = rest;
    }
    return {
      type: n.type,
      schema: n.schema,
      table: n.table,
      commit_timestamp: n.commit_timestamp,
      record: jobRecordForWire(record, n.commit_timestamp),
      old_record: jobRecordForWire(old, n.commit_timestamp),
    };
  };

  const emit = (item: Item, fetched: Fetched) => {
    if (item.kind === "log") {
      const { truncated, ...line } = item.n;
      const full = truncated
        ? fetched.lines.get(lineKey(line.execution_id, line.line_number))
        : undefined;
      options.onLog(full === undefined ? line : { ...line, message: full });
    } else {
      options.onChange(toChange(item.n, fetched));
    }
  };

  const drain = async () => {
    while (queue.length) {
      const batch = queue.splice(0, maxBatch);
      let fetched: Fetched = { rows: new Map(), logs: new Map(), lines: new Map() };
      try {
        fetched = await fetch(batch);
      } catch (err) {
        logger.warn("realtime: reading rows for notifications failed", {
          error: coerceError(err).message,
        });
      }
      for (let i = 0; i < batch.length; i++) {
        if (i > 0 && i % EMITS_PER_TURN === 0) await nextTurn();
        try {
          emit(batch[i]!, fetched);
        } catch (err) {
          logger.error("realtime: delivering a change failed", { error: coerceError(err).message });
        }
      }
    }
  };

  const kick = () => {
    if (draining) return;
    draining = true;
    void drain().finally(() => {
      draining = false;
      if (queue.length) kick();
    });
  };

  return {
    push(channel, payload) {
      if (channel === CHANGES_CHANNEL) {
        const n = parseChangeNotification(payload);
        if (n && options.wantsTable(n.schema, n.table)) queue.push({ kind: "change", n });
      } else if (channel === LOGS_CHANNEL) {
        const n = parseLogNotification(payload);
        if (n && options.wantsExecution(n.execution_id)) queue.push({ kind: "log", n });
      }
      if (queue.length) kick();
    },
    pending: () => queue.length,
  };
}
