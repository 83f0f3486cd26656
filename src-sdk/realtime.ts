// client.realtime: creates channels and keeps their sockets' credential current.
import type { ExecutionLogLine } from "./realtime-bindings.ts";
import { RealtimeChannel, type WebSocketConstructorLike } from "./realtime-channel.ts";

export interface RealtimeOptions {
  /** HTTP base URL of the server; the socket goes to its origin with ws:/wss: at /realtime. */
  url: string;
  /** The token for `?token=`: the user's access token, else the key. */
  token: () => string | null;
  /** WebSocket class; defaults to `globalThis.WebSocket` (pass `ws` on Node 20). */
  WebSocket?: WebSocketConstructorLike;
  heartbeatMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
}

export function realtimeUrl(httpUrl: string, token: string | null): string {
  const url = new URL(httpUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.pathname = "/realtime";
  url.search = "";
  url.hash = "";
  if (token) url.searchParams.set("token", token);
  return url.toString();
}

function globalWebSocket(): WebSocketConstructorLike | undefined {
  return (globalThis as { WebSocket?: WebSocketConstructorLike }).WebSocket;
}

export class RealtimeClient {
  private readonly options: RealtimeOptions;
  private readonly channels = new Set<RealtimeChannel>();

  constructor(options: RealtimeOptions) {
    this.options = options;
  }

  /** A new channel; call `.on(...)` then `.subscribe()`. Throws if no WebSocket exists. */
  channel(name: string): RealtimeChannel {
    const WebSocket = this.options.WebSocket ?? globalWebSocket();
    if (!WebSocket) {
      throw new Error(
        "fluxbase realtime: no WebSocket implementation. On Node 20 pass one: " +
          'createClient(url, key, { WebSocket: (await import("ws")).WebSocket })',
      );
    }
    const channel = new RealtimeChannel(name, {
      socketUrl: () => realtimeUrl(this.options.url, this.options.token()),
      WebSocket,
      heartbeatMs: this.options.heartbeatMs ?? 30_000,
      backoffBaseMs: this.options.backoffBaseMs ?? 1_000,
      backoffMaxMs: this.options.backoffMaxMs ?? 30_000,
      onRemoved: (removed) => this.channels.delete(removed),
    });
    this.channels.add(channel);
    return channel;
  }

  /** A subscribed channel streaming one job's log lines (owner or admin). */
  executionLogs(jobId: string, callback: (line: ExecutionLogLine) => void): RealtimeChannel {
    return this.channel(`execution:${jobId}`).onExecutionLog(jobId, callback).subscribe();
  }

  getChannels(): RealtimeChannel[] {
    return [...this.channels];
  }

  async removeChannel(channel: RealtimeChannel): Promise<"ok"> {
    return channel.unsubscribe();
  }

  async removeAllChannels(): Promise<"ok"[]> {
    return Promise.all([...this.channels].map((channel) => channel.unsubscribe()));
  }

  /** Push a new credential to every open socket (sign-in, refresh, sign-out). */
  setAuth(token: string | null): void {
    if (!token) return;
    for (const channel of this.channels) channel.updateToken(token);
  }
}
