// The realtime wire protocol (compatibility §3.2, §3.3): parsing client messages and building
// server messages. Pure: no sockets, no database. The message types are shared with the
// SDK (src-shared/realtime-messages.ts).
import type {
  ChangeType,
  EventFilter,
  ExecutionLogLine,
  RealtimeServerMessage,
} from "../../src-shared/realtime-messages.ts";

export type { ChangeType, EventFilter, ExecutionLogLine };

const serverMessage = (message: RealtimeServerMessage): string => JSON.stringify(message);

/** What a subscribe message asks for, defaults applied (schema public, event *). */
export interface SubscribeTarget {
  schema: string;
  table: string;
  event: EventFilter;
  filter?: string;
}

export type ClientMessage =
  | { type: "subscribe"; channel: string; target: SubscribeTarget | { error: string } }
  | { type: "unsubscribe"; channel?: string; subscriptionId?: string }
  | { type: "subscribe_logs"; channel: string; executionId: unknown; executionType: unknown }
  | { type: "unsubscribe_logs"; channel?: string; executionId?: string }
  | { type: "access_token"; token: unknown }
  | { type: "heartbeat" }
  | { type: "unknown"; name: string };

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function optionalString(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

const EVENTS = new Set(["INSERT", "UPDATE", "DELETE", "*"]);

/** The table and event of a subscribe message: config, legacy flat fields, or a `table:` channel. */
export function subscribeTarget(message: Json): SubscribeTarget | { error: string } {
  const source = isObject(message.config) ? message.config : message;
  let schema = optionalString(source.schema);
  let table = optionalString(source.table);
  if (!table) {
    const channel = optionalString(message.channel) ?? "";
    const named = /^table:(?:([^.]+)\.)?([^.]+)$/.exec(channel);
    if (named) {
      schema = named[1] ?? schema;
      table = named[2];
    }
  }
  if (!table) return { error: "table is required for subscribe" };
  const event = (optionalString(source.event) ?? "*").toUpperCase();
  if (!EVENTS.has(event))
    return { error: `invalid event "${String(source.event)}": use INSERT, UPDATE, DELETE or *` };
  const filter = optionalString(source.filter);
  return {
    schema: schema ?? "public",
    table,
    event: event as EventFilter,
    ...(filter ? { filter } : {}),
  };
}

/** Parses one text frame; undefined when it is not a JSON object with a type. */
export function parseClientMessage(text: string): ClientMessage | undefined {
  let message: unknown;
  try {
    message = JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
  if (!isObject(message) || typeof message.type !== "string") return undefined;
  const channel = optionalString(message.channel);
  switch (message.type) {
    case "subscribe":
      return { type: "subscribe", channel: channel ?? "", target: subscribeTarget(message) };
    case "unsubscribe":
      return {
        type: "unsubscribe",
        channel,
        subscriptionId: optionalString(message.subscription_id),
      };
    case "subscribe_logs": {
      const config = isObject(message.config) ? message.config : message;
      return {
        type: "subscribe_logs",
        channel: channel ?? "",
        executionId: config.execution_id,
        executionType: config.type ?? config.execution_type ?? "job",
      };
    }
    case "unsubscribe_logs": {
      const config = isObject(message.config) ? message.config : message;
      return {
        type: "unsubscribe_logs",
        channel,
        executionId: optionalString(config.execution_id),
      };
    }
    case "access_token":
      return { type: "access_token", token: message.token };
    case "heartbeat":
      return { type: "heartbeat" };
    default:
      return { type: "unknown", name: message.type };
  }
}

export function ackMessage(payload: Json): string {
  return serverMessage({ type: "ack", payload });
}

export function errorMessage(error: string): string {
  return serverMessage({ type: "error", error });
}

export const HEARTBEAT_MESSAGE = serverMessage({ type: "heartbeat" });

/**
 * A `postgres_changes` message from the change payload serialised once for all sockets.
 * On a socket with several subscriptions, `ids` names those the change matched (as
 * Supabase does), so a client with several filtered entries calls only the matching
 * callbacks; with one subscription there is nothing to tell apart and `ids` is left out.
 */
export function changeMessage(payloadJson: string, ids?: readonly string[]): string {
  const extra = ids ? `,"ids":${JSON.stringify(ids)}` : "";
  return `{"type":"postgres_changes","payload":${payloadJson.slice(0, -1)}${extra}}}`;
}

export function executionLogMessage(line: ExecutionLogLine): string {
  return serverMessage({
    type: "execution_log",
    payload: {
      execution_id: line.execution_id,
      execution_type: "job",
      line_number: line.line_number,
      level: line.level,
      message: line.message,
      timestamp: line.timestamp,
    },
  });
}
