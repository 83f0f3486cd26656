// One realtime socket: its identity, its subscriptions and execution-log watches, the
// client messages of compatibility §3.2 (handled one after another, so acks keep their order),
// and sending with a cap on what may pile up for a slow reader. The identity is kept
// honest while the socket lives: at the token's expiry, and when a periodic re-check finds
// the session signed out, the user deleted or the job attempt over, the socket gets an
// error frame and no more events until the client sends a fresh `access_token`; a role
// change (demotion) applies to the next event. Anonymous sockets may not subscribe.
import { randomUUID } from "node:crypto";
import { WebSocket } from "ws";
import type { Caller, CallerResolver } from "../auth/caller.ts";
import { isUuid } from "../auth/caller.ts";
import { coerceError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import { FilterError, matchesFilter, parseFilter, type Filter } from "./filters.ts";
import {
  ackMessage,
  errorMessage,
  HEARTBEAT_MESSAGE,
  parseClientMessage,
  type ClientMessage,
  type SubscribeTarget,
} from "./protocol.ts";
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
  /** Has an admin enabled realtime on this application table? One query. */
  isAppTableEnabled(schema: string, table: string): Promise<boolean>;
  /** May this caller read the job's logs? One query. */
  mayReadExecution(caller: Caller, executionId: string): Promise<boolean>;
  watchExecution(connection: Connection, executionId: string): Promise<void>;
  unwatchExecution(connection: Connection, executionId: string): void;
  identityChanged(connection: Connection, before: Caller): void;
  slowConsumer(connection: Connection): void;
}

export const ANON_SUBSCRIBE_ERROR = "authentication required for subscriptions";
/** setTimeout's longest delay; a later expiry is re-armed when this fires. */
const MAX_TIMER_MS = 2_147_483_647;

export interface Connection {
  readonly id: string;
  readonly ws: WebSocket;
  caller: Caller;
  lastPongAt: number;
  readonly subscriptions: Map<string, Subscription>;
  /** Watched execution id -> the channel name it was asked on. */
  readonly executions: Map<string, string>;
  receive(text: string): void;
  /**
   * Sends an event frame unless the socket is closing, its reader is too slow or its
   * token no longer holds (heartbeats still go); false when not sent.
   */
  send(text: string | Buffer): boolean;
  /**
   * The ids of this socket's subscriptions the change reaches (none when hidden by RLS).
   * `visible`, when given, is the row's visibility already decided (application tables).
   * Allocates nothing when none matches: every change of a table is offered to each socket
   * that may see it, most of them subscribed to other events.
   */
  matchChange(change: RowChange, visible?: boolean): readonly string[];
  /** Drops every subscription and watch (socket closed). */
  dispose(): void;
}

const NO_IDS: readonly string[] = Object.freeze([]);

export function createConnection(
  ws: WebSocket,
  caller: Caller,
  ctx: ConnectionContext,
): Connection {
  let chain: Promise<void> = Promise.resolve();
  let disposed = false;
  let slow = false;
  /** Why events are held back (expired or revoked token), until a fresh token arrives. */
  let suspended: string | undefined;
  let expiryTimer: NodeJS.Timeout | undefined;
  let unwatch: (() => void) | undefined;

  /** Acks and errors: sent even while suspended. */
  const write = (text: string | Buffer): boolean => {
    if (disposed || slow || ws.readyState !== WebSocket.OPEN) return false;
    if (ws.bufferedAmount > ctx.maxBufferedBytes) {
      slow = true;
      ctx.slowConsumer(self);
      return false;
    }
    ws.send(text, { binary: false });
    return true;
  };

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
          write(errorMessage("internal error"));
        });
    },
    send(text) {
      if (suspended !== undefined && text !== HEARTBEAT_MESSAGE) return false;
      return write(text);
    },
    matchChange(change, decided) {
      if (suspended !== undefined) return NO_IDS;
      let ids: string[] | undefined;
      let visible: boolean | undefined = decided;
      const row = subjectRow(change);
      for (const sub of self.subscriptions.values()) {
        const t = sub.target;
        if (t.table !== change.table || t.schema !== change.schema) continue;
        if (t.event !== "*" && t.event !== change.type) continue;
        visible ??= mayReadRow(self.caller, change.schema, change.table, row);
        if (!visible) return NO_IDS;
        if (sub.filter && !matchesFilter(sub.filter, row)) continue;
        (ids ??= []).push(sub.id);
      }
      return ids ?? NO_IDS;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      clearTimeout(expiryTimer);
      unwatch?.();
      for (const sub of self.subscriptions.values())
        ctx.unwatchTable(sub.target.schema, sub.target.table);
      for (const id of self.executions.keys()) ctx.unwatchExecution(self, id);
      self.subscriptions.clear();
      self.executions.clear();
    },
  };

  /** The reason a subscription is refused for who the socket is now, if any. */
  const refusal = (): string | undefined => {
    if (suspended !== undefined) return suspended;
    if (self.caller.role === "anon") return ANON_SUBSCRIBE_ERROR;
    return undefined;
  };

  const suspend = (reason: string) => {
    if (suspended !== undefined || disposed) return;
    suspended = reason;
    clearTimeout(expiryTimer);
    unwatch?.();
    expiryTimer = unwatch = undefined;
    write(errorMessage(reason));
  };

  /** Arms the expiry timer and the periodic re-check for the current identity. */
  const watchIdentity = () => {
    clearTimeout(expiryTimer);
    unwatch?.();
    expiryTimer = unwatch = undefined;
    if (disposed) return;
    const exp = self.caller.claims.exp;
    if (typeof exp === "number") {
      const fire = () => {
        const left = exp * 1000 - Date.now();
        if (left > 0) expiryTimer = setTimeout(fire, Math.min(left, MAX_TIMER_MS)).unref();
        else suspend("token expired: send a fresh access_token to resume");
      };
      fire();
    }
    if (self.caller.job || (self.caller.kind === "user" && self.caller.userId)) {
      const checked = self.caller;
      unwatch = ctx.callers.watch(checked, (result) => void rechecked(checked, result));
    }
  };

  /** The periodic re-check's answer for the identity `checked`. */
  const rechecked = async (checked: Caller, result: { caller: Caller } | { error: unknown }) => {
    if (self.caller !== checked) return;
    if ("error" in result) {
      // A token that no longer holds; a database hiccup leaves things as they are.
      const err = result.error;
      if ((err as { status?: number }).status === 401)
        suspend(`token revoked: ${coerceError(err).message}`);
      return;
    }
    if (result.caller.role === checked.role) return;
    await adopt(result.caller);
    watchIdentity();
  };

  /** Takes on a new identity; log watches were checked for the old one. */
  const adopt = async (next: Caller) => {
    const before = self.caller;
    self.caller = next;
    ctx.identityChanged(self, before);
    for (const id of [...self.executions.keys()]) {
      if (!(await ctx.mayReadExecution(next, id))) dropExecutions((x) => x === id);
    }
  };

  const subscribe = async (message: Extract<ClientMessage, { type: "subscribe" }>) => {
    const refused = refusal();
    if (refused) return void write(errorMessage(refused));
    const target = message.target;
    if ("error" in target) return void write(errorMessage(target.error));
    if (
      !isRealtimeTable(target.schema, target.table) &&
      !(await ctx.isAppTableEnabled(target.schema, target.table))
    ) {
      return void write(
        errorMessage(`table ${target.schema}.${target.table} not enabled for realtime`),
      );
    }
    let filter: Filter | undefined;
    try {
      filter = target.filter ? parseFilter(target.filter) : undefined;
    } catch (err) {
      if (!(err instanceof FilterError)) throw err;
      return void write(errorMessage(`invalid filter: ${err.message}`));
    }
    try {
      await ctx.watchTable(target.schema, target.table);
    } catch (err) {
      ctx.logger.warn("realtime: subscribing failed", { error: coerceError(err).message });
      return void write(errorMessage("realtime is unavailable: the database cannot be reached"));
    }
    if (disposed) return ctx.unwatchTable(target.schema, target.table);
    const sub: Subscription = {
      id: randomUUID(),
      channel: message.channel,
      target,
      ...(filter ? { filter } : {}),
    };
    self.subscriptions.set(sub.id, sub);
    write(ackMessage({ subscribed: true, subscription_id: sub.id, ...target }));
  };

  const unsubscribe = (message: Extract<ClientMessage, { type: "unsubscribe" }>) => {
    // Upstream's SDK keeps one subscription id per schema.table of a channel (the last acked):
    // the id it sends ends that channel's every subscription to the table (compatibility §3).
    const named = message.subscriptionId
      ? self.subscriptions.get(message.subscriptionId)
      : undefined;
    for (const sub of [...self.subscriptions.values()]) {
      const hit = message.subscriptionId
        ? sub === named ||
          (named !== undefined &&
            sub.channel === named.channel &&
            sub.target.schema === named.target.schema &&
            sub.target.table === named.target.table)
        : !message.channel || sub.channel === message.channel;
      if (!hit) continue;
      self.subscriptions.delete(sub.id);
      ctx.unwatchTable(sub.target.schema, sub.target.table);
    }
    if (!message.subscriptionId)
      dropExecutions((_, channel) => !message.channel || channel === message.channel);
    write(
      ackMessage({
        unsubscribed: true,
        ...(message.subscriptionId ? { subscription_id: message.subscriptionId } : {}),
      }),
    );
    // Upstream clients open one socket per channel and treat an unsubscribe as done when the
    // server closes it: a socket left with nothing to deliver is closed after the ack.
    if (self.subscriptions.size === 0 && self.executions.size === 0) {
      ws.close(1000, "unsubscribed");
    }
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
      return void write(
        errorMessage(`unsupported execution type: ${String(message.executionType)}`),
      );
    }
    const refused = refusal();
    if (refused) return void write(errorMessage(refused));
    const id = message.executionId;
    if (!isUuid(id) || !(await ctx.mayReadExecution(self.caller, id))) {
      return void write(errorMessage("execution not found"));
    }
    if (!self.executions.has(id)) {
      await ctx.watchExecution(self, id);
      if (disposed) return ctx.unwatchExecution(self, id);
    }
    self.executions.set(id, message.channel);
    write(
      ackMessage({
        subscribed: true,
        type: "logs",
        channel: message.channel,
        execution_id: id,
        execution_type: "job",
      }),
    );
  };

  const accessToken = async (token: unknown) => {
    let next: Caller;
    try {
      if (typeof token !== "string" || !token) throw new Error("empty");
      next = await ctx.callers.fromToken(token);
    } catch {
      return void write(errorMessage("invalid token"));
    }
    suspended = undefined;
    await adopt(next);
    watchIdentity();
    write(ackMessage({ type: "access_token", updated: true }));
  };

  const handle = async (text: string) => {
    if (disposed) return;
    const message = parseClientMessage(text);
    if (!message)
      return void write(errorMessage("invalid message: expected a JSON object with a type"));
    switch (message.type) {
      case "subscribe":
        return subscribe(message);
      case "unsubscribe":
        return unsubscribe(message);
      case "subscribe_logs":
        return subscribeLogs(message);
      case "unsubscribe_logs":
        dropExecutions((id, channel) =>
          message.executionId ? id === message.executionId : channel === message.channel,
        );
        return void write(ackMessage({ unsubscribed: true, type: "logs" }));
      case "access_token":
        return accessToken(message.token);
      case "heartbeat":
        return;
      case "unknown":
        return void write(errorMessage(`unknown message type: ${message.name}`));
    }
  };

  watchIdentity();
  return self;
}
