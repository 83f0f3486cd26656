// One realtime channel = one WebSocket (as upstream's SDK does, compatibility §3.1). It sends the
// subscribe messages of §3.2, turns §3.3 row changes into the §3.4 callback payload,
// keeps the socket alive with heartbeats and reconnects with backoff.
import { normalizeRecord } from "./json-columns.ts";
import {
  matches,
  noteSubscriptionId,
  type Binding,
  type ExecutionLogLine,
} from "./realtime-bindings.ts";

import type {
  ChangeType,
  EventFilter,
  RealtimeClientMessage,
} from "../src-shared/realtime-messages.ts";

function logsMessage(channel: string, executionId: string): RealtimeClientMessage {
  return { type: "subscribe_logs", channel, config: { execution_id: executionId, type: "job" } };
}
import type { Row } from "./query-builder.ts";

export type ChangeEvent = ChangeType;
export type ChangeEventFilter = EventFilter;

export interface PostgresChangesFilter {
  event: ChangeEventFilter;
  schema?: string;
  table?: string;
  /** One `column=op.value` filter, e.g. "status=eq.running". */
  filter?: string;
}

export interface RealtimeChangePayload<R extends Row = Row> {
  eventType: ChangeEvent;
  schema: string;
  table: string;
  commit_timestamp: string;
  new: R;
  old: Partial<R>;
  errors: null;
}

export type ChangeCallback<R extends Row = Row> = (payload: RealtimeChangePayload<R>) => void;

export type SubscribeStatus = "SUBSCRIBED" | "CHANNEL_ERROR" | "CLOSED";
export type StatusCallback = (status: SubscribeStatus, error?: Error) => void;

/** The part of a WebSocket (browser, Deno, Node 22 or the `ws` package) the channel uses. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

/** Any WebSocket class: the global one, or `ws` in Node 20. */
export type WebSocketConstructorLike = new (url: string) => unknown;

export interface ChannelConnection {
  /** ws(s)://host/realtime?token=… built fresh for each (re)connect. */
  socketUrl: () => string;
  WebSocket: WebSocketConstructorLike;
  heartbeatMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Called once the channel is unsubscribed, so the client forgets it. */
  onRemoved: (channel: RealtimeChannel) => void;
}

const OPEN = 1;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function messageText(data: unknown): string {
  if (typeof data === "string") return data;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data))
    return new TextDecoder().decode(data);
  return String(data);
}

/** §3.3 `postgres_changes` payload → §3.4 callback payload. */
export function toChangePayload(
  payload: Record<string, unknown>,
  now: Date,
): RealtimeChangePayload {
  const record = isRecord(payload.record) ? payload.record : {};
  const old = isRecord(payload.old_record) ? payload.old_record : {};
  return {
    eventType: String(payload.type) as ChangeEvent,
    schema: String(payload.schema ?? ""),
    table: String(payload.table ?? ""),
    commit_timestamp:
      typeof payload.commit_timestamp === "string" ? payload.commit_timestamp : now.toISOString(),
    new: normalizeRecord(record),
    old: normalizeRecord(old),
    errors: null,
  };
}

/** A channel named for a table: `table:<schema>.<table>`, or `table:<table>` (schema public). */
const TABLE_CHANNEL = /^table:(?:([^.]+)\.)?([^.]+)$/;

export class RealtimeChannel {
  readonly name: string;
  private readonly connection: ChannelConnection;
  private readonly bindings: Binding[] = [];
  private socket: SocketLike | null = null;
  private statusCallback: StatusCallback | null = null;
  private subscribed = false;
  /**
   * Table subscriptions sent on this socket before SUBSCRIBED whose ack has not come:
   * SUBSCRIBED waits for all of them, so it means every table listener is live. Log
   * subscriptions are not counted (a channel of logs alone reports its first ack).
   */
  private pendingAcks = 0;
  /** The events a subscribe on the open socket asked for (eventSubscription). */
  private readonly eventsAsked = new Set<ChangeEventFilter>();
  private closed = false;
  private attempt = 0;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(name: string, connection: ChannelConnection) {
    this.name = name;
    this.connection = connection;
  }

  /** `.on("UPDATE", cb)` — every change of that type this channel receives. */
  on<R extends Row = Row>(event: ChangeEventFilter, callback: ChangeCallback<R>): this;
  /** `.on("postgres_changes", { event, schema, table, filter }, cb)` — one server subscription. */
  on<R extends Row = Row>(
    event: "postgres_changes",
    filter: PostgresChangesFilter,
    callback: ChangeCallback<R>,
  ): this;
  on(
    event: string,
    filterOrCallback: PostgresChangesFilter | ChangeCallback,
    maybeCallback?: ChangeCallback,
  ): this {
    if (event === "postgres_changes") {
      if (typeof filterOrCallback === "function" || !maybeCallback) {
        throw new TypeError('on("postgres_changes") needs a filter object and a callback');
      }
      const binding: Binding = {
        kind: "postgres_changes",
        filter: filterOrCallback,
        callback: maybeCallback,
      };
      this.bindings.push(binding);
      if (this.isOpen()) this.sendSubscribe(this.subscribeMessage(filterOrCallback));
    } else {
      if (typeof filterOrCallback !== "function")
        throw new TypeError(`on("${event}") needs a callback`);
      this.bindings.push({
        kind: "event",
        event: event as ChangeEventFilter,
        callback: filterOrCallback,
      });
      // An event the open socket was not subscribed for: ask for it now.
      const message = this.isOpen() ? this.eventSubscription() : undefined;
      if (message) this.sendSubscribe(message);
    }
    return this;
  }

  /** Streams a job's log lines as they are written (`subscribe_logs`); owner or admin only. */
  onExecutionLog(executionId: string, callback: (line: ExecutionLogLine) => void): this {
    this.bindings.push({ kind: "logs", executionId, callback });
    if (this.isOpen()) this.sendJson(logsMessage(this.name, executionId));
    return this;
  }

  /** Opens the socket and subscribes. Throws when no WebSocket implementation exists. */
  subscribe(callback?: StatusCallback): this {
    if (callback) this.statusCallback = callback;
    if (this.socket || this.closed) return this;
    this.connect();
    return this;
  }

  async unsubscribe(): Promise<"ok"> {
    if (this.closed) return "ok";
    this.closed = true;
    this.stopTimers();
    if (this.socket) {
      if (this.isOpen()) this.sendJson({ type: "unsubscribe", channel: this.name });
      this.detach(this.socket);
      this.socket.close(1000, "unsubscribe");
      this.socket = null;
    }
    this.emitStatus("CLOSED");
    this.connection.onRemoved(this);
    return "ok";
  }

  /** New credential for an open socket (after sign-in or a token refresh). */
  updateToken(token: string): void {
    if (this.isOpen()) this.sendJson({ type: "access_token", token });
  }

  private connect(): void {
    const socket = new this.connection.WebSocket(this.connection.socketUrl()) as SocketLike;
    this.socket = socket;
    this.subscribed = false;
    this.pendingAcks = 0;
    socket.onopen = () => this.handleOpen();
    socket.onmessage = (event) => this.handleMessage(event.data);
    socket.onclose = () => this.handleClose(socket);
    socket.onerror = () => undefined; // a close event always follows
  }

  private handleOpen(): void {
    this.attempt = 0;
    for (const b of this.bindings) if (b.kind === "postgres_changes") delete b.id;
    const configs = this.bindings.flatMap((b) => (b.kind === "postgres_changes" ? [b.filter] : []));
    const logs = this.bindings.flatMap((b) => (b.kind === "logs" ? [b.executionId] : []));
    this.eventsAsked.clear();
    if (configs.length === 0 && logs.length === 0) {
      this.sendSubscribe(this.eventSubscription() ?? { type: "subscribe", channel: this.name });
    }
    for (const config of configs) this.sendSubscribe(this.subscribeMessage(config));
    for (const id of logs) this.sendJson(logsMessage(this.name, id));
    this.heartbeat = setInterval(
      () => this.sendJson({ type: "heartbeat" }),
      this.connection.heartbeatMs,
    );
  }

  private handleMessage(data: unknown): void {
    let message: unknown;
    try {
      message = JSON.parse(messageText(data));
    } catch {
      return;
    }
    if (!isRecord(message)) return;
    if (message.type === "postgres_changes" && isRecord(message.payload)) {
      const ids = Array.isArray(message.payload.ids)
        ? (message.payload.ids as unknown[])
        : undefined;
      this.dispatch(toChangePayload(message.payload, new Date()), ids);
    } else if (message.type === "execution_log" && isRecord(message.payload)) {
      const line = message.payload as unknown as ExecutionLogLine;
      for (const b of this.bindings)
        if (b.kind === "logs" && b.executionId === line.execution_id) b.callback(line);
    } else if (
      message.type === "ack" &&
      isRecord(message.payload) &&
      message.payload.subscribed === true
    ) {
      noteSubscriptionId(this.bindings, message.payload);
      if (message.payload.type !== "logs" && this.pendingAcks > 0) this.pendingAcks -= 1;
      if (!this.subscribed && this.pendingAcks === 0) {
        this.subscribed = true;
        this.emitStatus("SUBSCRIBED");
      }
    } else if (message.type === "error") {
      const text = typeof message.error === "string" ? message.error : "realtime error";
      this.emitStatus("CHANNEL_ERROR", new Error(text));
    }
  }

  private handleClose(socket: SocketLike): void {
    if (socket !== this.socket) return;
    this.stopTimers();
    this.socket = null;
    if (this.closed) return;
    this.emitStatus("CHANNEL_ERROR", new Error("realtime connection closed; reconnecting"));
    const delay = Math.min(
      this.connection.backoffBaseMs * 2 ** this.attempt,
      this.connection.backoffMaxMs,
    );
    this.attempt += 1;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.closed) return;
      try {
        this.connect();
      } catch (error) {
        this.emitStatus("CHANNEL_ERROR", error instanceof Error ? error : new Error(String(error)));
      }
    }, delay);
  }

  private dispatch(change: RealtimeChangePayload, ids?: unknown[]): void {
    for (const binding of this.bindings) {
      if (binding.kind === "logs" || !matches(binding, change, ids)) continue;
      try {
        binding.callback(change);
      } catch (error) {
        console.error(`fluxbase: realtime callback on "${this.name}" failed`, error);
      }
    }
  }

  /**
   * For a `table:<schema>.<table>` channel with only plain listeners, the subscribe that
   * covers the events they listen to when this socket has not asked for them yet: the one
   * event when there is one, else every event (the SDK drops the others). One subscription,
   * so its ack (SUBSCRIBED) means every listener is live; with one per event, SUBSCRIBED came
   * with the first ack while the others' events could still be missed. The server then sends
   * only those events (a bare subscribe gets every change of the table), and a server that
   * needs a table in the message (upstream's) gets one. Undefined for other channels, or
   * while postgres_changes entries say what the channel receives.
   */
  private eventSubscription(): RealtimeClientMessage | undefined {
    const table = TABLE_CHANNEL.exec(this.name);
    if (!table || this.eventsAsked.has("*") || this.bindings.some((b) => b.kind !== "event"))
      return undefined;
    const listened = new Set(this.bindings.flatMap((b) => (b.kind === "event" ? [b.event] : [])));
    if ([...listened].every((event) => this.eventsAsked.has(event))) return undefined;
    const [only] = listened;
    const event: ChangeEventFilter =
      listened.size === 1 && this.eventsAsked.size === 0 ? only! : "*";
    this.eventsAsked.add(event);
    const [, schema = "public", name] = table;
    return this.subscribeMessage({ event, schema, table: name! });
  }

  private subscribeMessage(config: PostgresChangesFilter): RealtimeClientMessage {
    const { event, schema, table, filter } = config;
    return { type: "subscribe", channel: this.name, config: { event, schema, table, filter } };
  }

  private isOpen(): boolean {
    return this.socket !== null && this.socket.readyState === OPEN;
  }

  /** A table subscription: until SUBSCRIBED, its ack is waited for. */
  private sendSubscribe(message: RealtimeClientMessage): void {
    if (!this.isOpen()) return;
    if (!this.subscribed) this.pendingAcks += 1;
    this.sendJson(message);
  }

  private sendJson(message: RealtimeClientMessage): void {
    if (this.isOpen()) this.socket?.send(JSON.stringify(message));
  }

  private emitStatus(status: SubscribeStatus, error?: Error): void {
    this.statusCallback?.(status, error);
  }

  private stopTimers(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.heartbeat = null;
    this.reconnectTimer = null;
  }

  private detach(socket: SocketLike): void {
    socket.onopen = null;
    socket.onmessage = null;
    socket.onclose = null;
    // A listener stays: closing a socket that is still connecting makes Node's `ws` emit an
    // "error", which with no listener is thrown as an uncaught exception.
    socket.onerror = () => undefined;
  }
}
