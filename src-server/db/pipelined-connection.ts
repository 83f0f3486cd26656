// One connection in pipeline mode: statements go out as they are asked for, without waiting
// for the answer of the one before, and PostgreSQL runs them in that order, each its own
// transaction. A submit uses it to have its job claimed in the round trip of its insert
// (jobs/api/insert-batcher.ts, docs/architecture.md "Submit to start").
//
// The connection opens on first use and again on the first use after it was lost (the
// database restarted, the network went): the statements in flight then fail with the
// connection's error, as a pooled connection's would. Until the server's version is known
// (asked once per connection, right after it opens), `canFlush()` is false.
import pg from "pg";
import { queryRows, type Queryable, type QueryOptions } from "./connections.ts";

export interface PipelinedConnection extends Queryable {
  /** The backend's process id, once the connection is open. */
  backendPid(): number | undefined;
  /**
   * True once the connection is open and its server can flush its WAL on request
   * (`pg_logical_emit_message` with `flush`, PostgreSQL 17 and later). Opens the
   * connection when it is not open.
   */
  canFlush(): boolean;
  end(): Promise<void>;
}

export interface PipelinedConnectionOptions {
  connectionString: string;
  applicationName?: string;
}

/** PostgreSQL 17 added `flush` to pg_logical_emit_message. */
const FLUSH_MARKER_SINCE = 170000;

export function createPipelinedConnection(
  options: PipelinedConnectionOptions,
): PipelinedConnection {
  let client: pg.Client | undefined;
  let pid: number | undefined;
  let canFlush = false;
  let ended = false;

  const open = (): pg.Client => {
    const next = new pg.Client({
      connectionString: options.connectionString,
      application_name: options.applicationName ?? "fluxbase-local",
      pipeline: true,
    } as pg.ClientConfig);
    const lost = () => {
      if (client !== next) return;
      client = undefined;
      pid = undefined;
      canFlush = false;
    };
    // Its statements fail with the error; the next use opens a new connection.
    next.on("error", lost);
    next.on("end", lost);
    next.connect().then(() => {
      if (client !== next) return;
      pid = (next as unknown as { processID?: number }).processID;
    }, lost);
    next.query<{ v: string }>("SELECT current_setting('server_version_num') AS v").then(
      (res) => {
        if (client === next) canFlush = Number(res.rows[0]?.v) >= FLUSH_MARKER_SINCE;
      },
      () => undefined,
    );
    return next;
  };

  return {
    query<R extends object>(text: string, values?: unknown[], queryOptions?: QueryOptions) {
      if (ended) return Promise.reject(new Error("the pipelined connection was closed"));
      return queryRows<R>((client ??= open()), text, values, queryOptions);
    },
    backendPid: () => pid,
    canFlush() {
      if (!client && !ended) client = open();
      return canFlush;
    },
    async end() {
      ended = true;
      const c = client;
      client = undefined;
      if (c) await c.end().catch(() => undefined);
    },
  };
}
