// The realtime WebSocket messages between the SDK (src-sdk/realtime-channel.ts) and the
// server (src-server/realtime/): what a client sends, and what the server sends back.
// docs/compatibility.md says which of these follow upstream Fluxbase and where they differ.

export type ChangeType = "INSERT" | "UPDATE" | "DELETE";
export type EventFilter = ChangeType | "*";

/** What a subscribe message's `config` asks for (schema defaults to public, event to *). */
export interface SubscribeConfig {
  event?: EventFilter;
  schema?: string;
  table?: string;
  /** One `column=op.value` filter, e.g. "status=eq.running". */
  filter?: string;
}

/** One line of a job's execution log, as streamed after `subscribe_logs`. */
export interface ExecutionLogLine {
  execution_id: string;
  line_number: number;
  level: string;
  message: string;
  timestamp: string;
}

/** Client → server. The server also reads legacy flat fields; the SDK sends these shapes. */
export type RealtimeClientMessage =
  | { type: "subscribe"; channel: string; config?: SubscribeConfig }
  | { type: "unsubscribe"; channel?: string; subscription_id?: string }
  | { type: "subscribe_logs"; channel: string; config: { execution_id: string; type: "job" } }
  | { type: "unsubscribe_logs"; channel?: string; config?: { execution_id?: string } }
  | { type: "access_token"; token: string | null }
  | { type: "heartbeat" };

/** Server → client. A change's payload is serialised once for every socket (see the server). */
export type RealtimeServerMessage =
  | { type: "ack"; payload: Record<string, unknown> }
  | { type: "error"; error: string }
  | { type: "heartbeat" }
  | {
      type: "postgres_changes";
      payload: {
        type: ChangeType;
        schema: string;
        table: string;
        commit_timestamp: string;
        record?: Record<string, unknown> | null;
        old_record?: Record<string, unknown> | null;
        /** The subscriptions of this socket the change matched, when it has several. */
        ids?: string[];
      };
    }
  | { type: "execution_log"; payload: ExecutionLogLine & { execution_type: "job" } };
