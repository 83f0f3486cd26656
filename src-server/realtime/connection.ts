// One realtime socket: its identity, its subscriptions and execution-log watches, the
// client messages of spec §3.2 (handled one after another, so acks keep their order),
// and sending with a cap on what may pile up for a slow reader.
import { randomUUID } from "node:crypto";
import { WebSocket } from "ws";
import type { Caller, CallerResolver } from "../auth/caller.ts";
import { isUuid } from "../auth/caller.ts";
import { coerceError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import { FilterError, matchesFilter, parseFilter, type Filter } from "./filters.ts";
import { ackMessage, errorMessage, parseClientMessage, type ClientMessage, type SubscribeTarget } from "./protocol.ts";
import { subjectRow, type RowChange } from "./records.ts";
import { isRealtimeTable, mayReadRow } from "./visibility.ts";

export interface Subscription {
  id: string;
  channel: string;
  target: SubscribeTarget;
  filter?: Filter;
}

/** What a connection needs from its hub. */
export interface ConnectionContext {
  logger: Logger;
  callers: CallerResolver;
  maxBufferedBytes: number;
  /** LISTEN and a lease for the table; rejects when the database cannot be reached. */
  watchTable(schema: string, table: string): Promise<void>;
  unwatchTable(schema: string, table: string): void;
  /** May this caller read the job's logs? One query. */
  mayReadExecution(caller: Caller, executionId: string): Promise<boolean>;
  watchExecution(connection: Connection, executionId: string): Promise<void>;
  unwatchExecution(connection: Connection, executionId: string): void;
  identityChanged(connection: Connection, before: Caller): void;
  slowConsumer(connection: Connection): void;
}

export interface Connection {
  readonly id: string;
  readonly ws: WebSocket;
  caller: Caller;
  lastPongAt: number;
  readonly subscriptions: Map<string, Subscription>;
  /** Watched execution id -> the channel name it was asked on. */
  readonly executions: Map<string, string>;
  receive(text: string): void;
  /** Sends a text frame unless the socket is closing or its reader is too slow; false when not sent. */
  send(text: string | Buffer): boolean;
  /** The ids of this socket's subscriptions the change reaches (none when hidden by RLS). */
  matchChange(change: RowChange): string[];
  /** Drops every subscription and watch (socket closed). */
  dispose(): void;
}

export function createConnection(ws: WebSocket, caller: Caller, ctx: ConnectionContext): Connection {
  let chain: Promise<void> = Promise.resolve();
  let disposed = false;
  let slow = false;

  const self: Connection = {
    id: randomUUID(),
    ws,
    caller,
    lastPongAt: Date.now(),
    subscriptions: new Map(),
    executions: new Map(),
    receive(text) {
      chain = chain
        .then(() => handle(text))
        .catch((err) => {
          ctx.logger.warn("realtime: message handling failed", { error: coerceError(err).message });
          self.send(errorMessage("internal error"));
        });
    },
    send(text) {
      if (disposed || slow || ws.readyState !== WebSocket.OPEN) return false;
      if (ws.bufferedAmount > ctx.maxBufferedBytes) {
        slow = true;
        ctx.slowConsumer(self);
        return false;
      }
      ws.send(text, { binary: false });
      return true;
    },
    matchChange(change) {
      const ids: string[] = [];
      let visible: boolean | undefined;
      const row = subjectRow(change);
      for (const sub of self.subscriptions.values()) {
        const t = sub.target;
        if (t.table !== change.table || t.schema !== change.schema) continue;
        if (t.event !== "*" && t.event !== change.type) continue;
        visible ??= mayReadRow(self.caller, change.schema, change.table, row);
        if (!visible) return [];
        if (sub.filter && !matchesFilter(sub.filter, row)) continue;
        ids.push(sub.id);
      }
      return ids;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const sub of self.subscriptions.values()) ctx.unwatchTable(sub.target.schema, sub.target.table);
      for (const id of self.executions.keys()) ctx.unwatchExecution(self, id);
      self.subscriptions.clear();
      self.executions.clear();
    },
  };

  const subscribe = async (message: Extract<ClientMessage, { type: "subscribe" }>) => {
    const target = message.target;
    if ("error" in target) return void self.send(errorMessage(target.error));
    if (!isRealtimeTable(target.schema, target.table)) {
      return void self.send(errorMessage(`table ${target.schema}.${target.table} not enabled for realtime`));
    }
    let filter: Filter | undefined;
    try {
      filter = target.filter ? parseFilter(target.filter) : undefined;
    } catch (err) {
      if (!(err instanceof FilterError)) throw err;
      return void self.send(errorMessage(`invalid filter: ${err.message}`));
    }
    try {
      await ctx.watchTable(target.schema, target.table);
    } catch (err) {
      ctx.logger.warn("realtime: subscribing failed", { error: coerceError(err).message });
      return void self.send(errorMessage("realtime is unavailable: the database cannot be reached"));
    }
    if (disposed) return ctx.unwatchTable(target.schema, target.table);
    const sub: Subscription = { id: randomUUID(), channel: message.channel, target, ...(filter ? { filter } : {}) };
    self.subscriptions.set(sub.id, sub);
    self.send(ackMessage({ subscribed: true, subscription_id: sub.id, ...target }));
  };

  const unsubscribe = (message: Extract<ClientMessage, { type: "unsubscribe" }>) => {
    for (const sub of [...self.subscriptions.values()]) {
      const hit = message.subscriptionId ? sub.id === message.subscriptionId : !message.channel || sub.channel === message.channel;
      if (!hit) continue;
      self.subscriptions.delete(sub.id);
      ctx.unwatchTable(sub.target.schema, sub.target.table);
    }
    if (!message.subscriptionId) dropExecutions((_, channel) => !message.channel || channel === message.channel);
    self.send(ackMessage({ unsubscribed: true, ...(message.subscriptionId ? { subscription_id: message.subscriptionId } : {}) }));
  };

  const dropExecutions = (drop: (id: string, channel: string) => boolean) => {
    for (const [id, channel] of [...self.executions]) {
      if (!drop(id, channel)) continue;
      self.executions.delete(id);
      ctx.unwatchExecution(self, id);
    }
  };

  const subscribeLogs = async (message: Extract<ClientMessage, { type: "subscribe_logs" }>) => {
    if (message.executionType !== "job") {
      return void self.send(errorMessage(`unsupported execution type: ${String(message.executionType)}`));
    }
    const id = message.executionId;
    if (!isUuid(id) || !(await ctx.mayReadExecution(self.caller, id))) {
      return void self.send(errorMessage("execution not found"));
    }
    if (!self.executions.has(id)) {
      await ctx.watchExecution(self, id);
      if (disposed) return ctx.unwatchExecution(self, id);
    }
    self.executions.set(id, message.channel);
    self.send(ackMessage({ subscribed: true, type: "logs", channel: message.channel, execution_id: id, execution_type: "job" }));
  };

  const accessToken = async (token: unknown) => {
    let next: Caller;
    try {
      if (typeof token !== "string" || !token) throw new Error("empty");
      next = ctx.callers.fromToken(token);
    } catch {
      return void self.send(errorMessage("invalid token"));
    }
    const before = self.caller;
    self.caller = next;
    ctx.identityChanged(self, before);
    // Log watches were checked for the old identity.
    for (const id of [...self.executions.keys()]) {
      if (!(await ctx.mayReadExecution(next, id))) dropExecutions((x) => x === id);
    }
    self.send(ackMessage({ type: "access_token", updated: true }));
  };

  const handle = async (text: string) => {
    if (disposed) return;
    const message = parseClientMessage(text);
    if (!message) return void self.send(errorMessage("invalid message: expected a JSON object with a type"));
    switch (message.type) {
      case "subscribe":
        return subscribe(message);
      case "unsubscribe":
        return unsubscribe(message);
      case "subscribe_logs":
        return subscribeLogs(message);
      case "unsubscribe_logs":
        dropExecutions((id, channel) => (message.executionId ? id === message.executionId : channel === message.channel));
        return void self.send(ackMessage({ unsubscribed: true, type: "logs" }));
      case "access_token":
        return accessToken(message.token);
      case "heartbeat":
        return;
      case "unknown":
        return void self.send(errorMessage(`unknown message type: ${message.name}`));
    }
  };

  return self;
}
