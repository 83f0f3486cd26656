// The realtime hub: WebSocket endpoint /realtime on the API's HTTP server (compatibility §3).
// One LISTEN connection per process receives row changes and log lines (triggers of
// migrations 0004/0005, active while this hub holds leases); the feed puts them in commit
// order; each change goes once to every socket with a matching subscription that may
// see the row.
import type http from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { anonCaller, type Caller, type CallerResolver } from "../auth/caller.ts";
import type { Db } from "../db/connections.ts";
import { coerceError } from "../errors.ts";
import { listen, type NotificationListener } from "../db/listener.ts";
import type { Logger } from "../logger.ts";
import { createAppTables } from "./app-tables.ts";
import { createAudience } from "./audience.ts";
import { createConnection, type Connection } from "./connection.ts";
import { createFanout, type FanoutTarget } from "./fanout.ts";
import { CHANGES_CHANNEL, createChangeFeed, LOGS_CHANNEL } from "./feed.ts";
import { createLeaseKeeper } from "./leases.ts";
import { changeMessage, errorMessage, executionLogMessage, HEARTBEAT_MESSAGE } from "./protocol.ts";
import { subjectRow, type RowChange } from "./records.ts";
import { refuseUpgrade, upgradeToken } from "./upgrade.ts";
import { mayReadJob } from "./visibility.ts";

export interface RealtimeLimits {
  maxConnections: number;
  /** Sockets per signed-in user (anon and service keys count only toward the total). */
  maxConnectionsPerUser: number;
  /** A socket with more unsent bytes than this is closed (1013 "slow consumer"). */
  maxBufferedBytes: number;
  pingIntervalMs: number;
  /** A socket that answered no ping for this long is dropped. */
  pongTimeoutMs: number;
  heartbeatIntervalMs: number;
  leaseRenewMs: number;
  leaseTtlSeconds: number;
}

export const defaultRealtimeLimits: RealtimeLimits = {
  maxConnections: 1000,
  maxConnectionsPerUser: 10,
  maxBufferedBytes: 4 * 1024 * 1024,
  pingIntervalMs: 15_000,
  pongTimeoutMs: 45_000,
  heartbeatIntervalMs: 30_000,
  leaseRenewMs: 10_000,
  leaseTtlSeconds: 30,
};

export interface RealtimeHubOptions {
  db: Db;
  callers: CallerResolver;
  logger: Logger;
  limits?: Partial<RealtimeLimits>;
}

export interface RealtimeStats {
  connections: number;
  subscriptions: number;
  logSubscriptions: number;
  /** Notifications received and not yet delivered. */
  pending: number;
  delivered: number;
  refused: number;
  slowConsumersClosed: number;
}

export interface RealtimeHub {
  attach(server: http.Server): void;
  close(): Promise<void>;
  stats(): RealtimeStats;
}

export const REALTIME_PATH = "/realtime";
const LOG_TABLE = ["logging", "entries"] as const;

export function createRealtimeHub(options: RealtimeHubOptions): RealtimeHub {
  const { db, callers, logger } = options;
  const limits = { ...defaultRealtimeLimits, ...options.limits };
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const leases = createLeaseKeeper({
    db,
    logger,
    ttlSeconds: limits.leaseTtlSeconds,
    renewMs: limits.leaseRenewMs,
  });
  const connections = new Set<Connection>();
  /** The sockets filed by which jobs their identity sees: a job's change visits only those. */
  const jobAudience = createAudience<Connection>();
  const perUser = new Map<string, number>();
  const logWatchers = new Map<string, Set<Connection>>();
  const counters = { delivered: 0, refused: 0, slowConsumersClosed: 0 };
  const timers: NodeJS.Timeout[] = [];
  let server: http.Server | undefined;
  let listening: Promise<NotificationListener> | undefined;
  let closed = false;

  /** Each connection as the fan-out writes to it: its socket corked around a batch of frames. */
  const targets = new Map<Connection, FanoutTarget>();
  const owners = new Map<FanoutTarget, Connection>();
  const targetOf = (connection: Connection): FanoutTarget => {
    let target = targets.get(connection);
    if (target) return target;
    const socket = (connection.ws as unknown as { _socket?: Duplex | null })._socket;
    target = {
      send: (frame) => connection.send(frame),
      cork: () => socket?.cork(),
      uncork: () => socket?.uncork(),
      bufferedAmount: () => connection.ws.bufferedAmount,
    };
    targets.set(connection, target);
    owners.set(target, connection);
    return target;
  };
  const fanout = createFanout({
    maxBufferedBytes: limits.maxBufferedBytes,
    overflow: (target) => {
      const connection = owners.get(target);
      if (connection) context.slowConsumer(connection);
    },
    onSent: (n) => (counters.delivered += n),
  });

  /** The sockets a change may reach: for a job, those that see all jobs and its creator's. */
  const candidatesOf = (change: RowChange): Iterable<Connection>[] =>
    change.schema === "jobs" && change.table === "queue"
      ? jobAudience.ofJob(subjectRow(change)?.created_by)
      : [connections];

  /**
   * Matched and serialised once per change (the frame is shared by every socket with one
   * subscription), then queued per socket: the fan-out writes a few sockets per turn.
   */
  const deliverChange = (change: RowChange, visibility?: Map<Connection, boolean>) => {
    let json: string | undefined;
    let shared: Buffer | undefined;
    for (const group of visibility ? [visibility.keys()] : candidatesOf(change)) {
      for (const connection of group) {
        const ids = connection.matchChange(change, visibility?.get(connection));
        if (ids.length === 0) continue;
        json ??= JSON.stringify(change);
        const frame =
          connection.subscriptions.size === 1
            ? (shared ??= Buffer.from(changeMessage(json)))
            : changeMessage(json, ids);
        fanout.enqueue(targetOf(connection), frame);
      }
    }
  };

  // Application tables: each change waits for its per-socket RLS checks; one chain keeps
  // their changes in commit order.
  const appTables = createAppTables({ db, logger });
  let appChain: Promise<void> = Promise.resolve();
  const deliverAppChange = (change: RowChange) => {
    const candidates = [...connections].filter((c) =>
      [...c.subscriptions.values()].some(
        (s) => s.target.schema === change.schema && s.target.table === change.table,
      ),
    );
    if (candidates.length === 0) return;
    const checks = candidates.map((c) => appTables.visibleTo(c.caller, change));
    appChain = appChain
      .then(async () => {
        const visible = await Promise.all(checks);
        deliverChange(change, new Map(candidates.map((c, i) => [c, visible[i]!])));
      })
      .catch((err: unknown) =>
        logger.warn("realtime: app table change dropped", { error: coerceError(err).message }),
      );
  };

  const feed = createChangeFeed({
    db,
    logger,
    wantsTable: (schema, table) => leases.holds(schema, table),
    wantsExecution: (id) => logWatchers.has(id),
    onChange: (change) =>
      appTables.isAppTable(change.schema) ? deliverAppChange(change) : deliverChange(change),
    onLog(line) {
      const watchers = logWatchers.get(line.execution_id);
      if (!watchers) return;
      const text = executionLogMessage(line);
      // Behind any change still queued for the socket: one commit order for both.
      for (const connection of watchers) fanout.sendInOrder(targetOf(connection), text);
    },
  });

  const ensureListening = () => {
    listening ??= listen({
      db,
      channels: [CHANGES_CHANNEL, LOGS_CHANNEL],
      logger,
      onNotification: (channel, payload) => feed.push(channel, payload),
    }).catch((err: unknown) => {
      listening = undefined;
      throw err;
    });
    return listening;
  };

  const watch = async (schema: string, table: string) => {
    if (closed) throw new Error("realtime hub is closed");
    await ensureListening();
    try {
      await leases.acquire(schema, table);
    } catch (err) {
      leases.release(schema, table);
      throw err;
    }
  };

  const countUser = (caller: Caller, delta: number) => {
    if (!caller.userId) return;
    const n = (perUser.get(caller.userId) ?? 0) + delta;
    if (n > 0) perUser.set(caller.userId, n);
    else perUser.delete(caller.userId);
  };

  const context = {
    logger,
    callers,
    maxBufferedBytes: limits.maxBufferedBytes,
    watchTable: watch,
    unwatchTable: (schema: string, table: string) => leases.release(schema, table),
    isAppTableEnabled: (schema: string, table: string) => appTables.isEnabled(schema, table),
    async mayReadExecution(caller: Caller, id: string) {
      const rows = await db.query<{ created_by: string | null; user_role: string | null }>(
        "SELECT created_by, user_role FROM jobs.queue WHERE id = $1",
        [id],
      );
      return rows.length > 0 && mayReadJob(caller, rows[0]);
    },
    async watchExecution(connection: Connection, id: string) {
      await watch(...LOG_TABLE);
      const set = logWatchers.get(id) ?? new Set();
      logWatchers.set(id, set.add(connection));
    },
    unwatchExecution(connection: Connection, id: string) {
      const set = logWatchers.get(id);
      if (set?.delete(connection)) leases.release(...LOG_TABLE);
      if (set?.size === 0) logWatchers.delete(id);
    },
    identityChanged(connection: Connection, before: Caller) {
      countUser(before, -1);
      countUser(connection.caller, +1);
      jobAudience.file(connection, connection.caller);
    },
    slowConsumer(connection: Connection) {
      counters.slowConsumersClosed++;
      logger.warn("realtime: closing a slow consumer", { buffered: connection.ws.bufferedAmount });
      connection.ws.close(1013, "slow consumer");
      setTimeout(() => connection.ws.terminate(), 5_000).unref();
    },
  };

  const accept = (ws: WebSocket, caller: Caller) => {
    const userCount = caller.userId ? (perUser.get(caller.userId) ?? 0) : 0;
    if (connections.size >= limits.maxConnections || userCount >= limits.maxConnectionsPerUser) {
      counters.refused++;
      ws.send(errorMessage("max_connections_reached"));
      ws.close(1008, "max_connections_reached");
      return;
    }
    const connection = createConnection(ws, caller, context);
    connections.add(connection);
    jobAudience.file(connection, caller);
    countUser(caller, +1);
    ws.on("message", (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
      if (isBinary) return void connection.send(errorMessage("binary frames are not supported"));
      connection.receive(
        Array.isArray(data)
          ? Buffer.concat(data).toString("utf8")
          : Buffer.from(data as ArrayBuffer).toString("utf8"),
      );
    });
    ws.on("pong", () => (connection.lastPongAt = Date.now()));
    ws.on("error", (err) => logger.debug("realtime: socket error", { error: err.message }));
    ws.on("close", () => {
      connections.delete(connection);
      jobAudience.remove(connection);
      const target = targets.get(connection);
      if (target) {
        fanout.forget(target);
        targets.delete(connection);
        owners.delete(target);
      }
      countUser(connection.caller, -1);
      connection.dispose();
    });
  };

  const onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? "/", "http://local");
    if (url.pathname !== REALTIME_PATH) {
      // Leave other paths to other upgrade handlers; with none, answer rather than hang.
      if (server && server.listenerCount("upgrade") === 1)
        refuseUpgrade(socket, 404, { error: `Not found: ${url.pathname}` });
      return;
    }
    if (closed) return refuseUpgrade(socket, 503, { error: "Server is shutting down" });
    const token = upgradeToken(req, url);
    (token ? callers.fromToken(token) : Promise.resolve(anonCaller())).then(
      (caller) => {
        if (closed) return refuseUpgrade(socket, 503, { error: "Server is shutting down" });
        wss.handleUpgrade(req, socket, head, (ws) => accept(ws, caller));
      },
      (err: unknown) =>
        refuseUpgrade(socket, 401, { error: coerceError(err).message, code: "UNAUTHORIZED" }),
    );
  };

  const keepAlive = () => {
    const now = Date.now();
    for (const connection of connections) {
      if (now - connection.lastPongAt > limits.pongTimeoutMs) connection.ws.terminate();
      else connection.ws.ping();
    }
  };

  return {
    attach(target) {
      server = target;
      target.on("upgrade", onUpgrade);
      timers.push(setInterval(keepAlive, limits.pingIntervalMs));
      timers.push(
        setInterval(
          () => connections.forEach((c) => c.send(HEARTBEAT_MESSAGE)),
          limits.heartbeatIntervalMs,
        ),
      );
      for (const t of timers) t.unref();
    },

    async close() {
      if (closed) return;
      closed = true;
      server?.off("upgrade", onUpgrade);
      for (const t of timers) clearInterval(t);
      const gone = [...connections].map(
        (c) => new Promise<void>((resolve) => c.ws.once("close", () => resolve())),
      );
      for (const c of connections) c.ws.close(1001, "server shutting down");
      const deadline = new Promise<void>((resolve) => setTimeout(resolve, 1_000).unref());
      await Promise.race([Promise.all(gone), deadline]);
      for (const c of connections) c.ws.terminate();
      const listener = await listening?.catch(() => undefined);
      await listener?.close();
      await leases.close();
      wss.close();
    },

    stats() {
      let subscriptions = 0;
      let logSubscriptions = 0;
      for (const c of connections) {
        subscriptions += c.subscriptions.size;
        logSubscriptions += c.executions.size;
      }
      return {
        connections: connections.size,
        subscriptions,
        logSubscriptions,
        pending: feed.pending(),
        ...counters,
      };
    },
  };
}
