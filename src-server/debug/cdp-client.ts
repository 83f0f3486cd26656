// A Chrome DevTools Protocol connection to one inspector (a debug run's Deno process, on
// loopback): commands with replies, and events. Only the server talks to the inspector.
import WebSocket from "ws";

export type CdpEventHandler = (method: string, params: Record<string, unknown>) => void;

export interface CdpClient {
  send<T = Record<string, unknown>>(method: string, params?: Record<string, unknown>): Promise<T>;
  /** Resolves once the connection has closed, for whatever reason. */
  readonly closed: Promise<void>;
  close(): void;
}

export interface CdpConnectOptions {
  /** ws://127.0.0.1:PORT/UUID, as the inspector printed it. */
  url: string;
  onEvent: CdpEventHandler;
  /** How long a command may wait for its reply (default 10 000 ms). */
  commandTimeoutMs?: number;
}

/** Loopback inspectors only: a URL naming anything else is refused. */
export function isLoopbackInspectorUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return (
      parsed.protocol === "ws:" && ["127.0.0.1", "[::1]", "localhost"].includes(parsed.hostname)
    );
  } catch {
    return false;
  }
}

export function connectCdp(options: CdpConnectOptions): Promise<CdpClient> {
  if (!isLoopbackInspectorUrl(options.url))
    return Promise.reject(new Error("the inspector must listen on loopback"));
  const timeoutMs = options.commandTimeoutMs ?? 10_000;
  const socket = new WebSocket(options.url, { perMessageDeflate: false });
  const pending = new Map<
    number,
    { resolve(value: unknown): void; reject(error: Error): void; timer: NodeJS.Timeout }
  >();
  let nextId = 0;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  const failAll = (error: Error) => {
    for (const [id, waiter] of pending) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
      pending.delete(id);
    }
  };

  socket.on("message", (data) => {
    let message: {
      id?: number;
      method?: string;
      params?: Record<string, unknown>;
      result?: unknown;
      error?: { message?: string };
    };
    try {
      message = JSON.parse(String(data)) as typeof message;
    } catch {
      return;
    }
    if (message.id !== undefined) {
      const waiter = pending.get(message.id);
      if (!waiter) return;
      pending.delete(message.id);
      clearTimeout(waiter.timer);
      if (message.error) waiter.reject(new Error(message.error.message ?? "CDP error"));
      else waiter.resolve(message.result ?? {});
      return;
    }
    if (message.method) options.onEvent(message.method, message.params ?? {});
  });
  socket.on("close", () => {
    failAll(new Error("the inspector connection closed"));
    resolveClosed();
  });
  socket.on("error", () => socket.terminate());

  const client: CdpClient = {
    send<T>(method: string, params: Record<string, unknown> = {}) {
      if (socket.readyState !== WebSocket.OPEN)
        return Promise.reject(new Error("the inspector connection is closed"));
      const id = ++nextId;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${method} got no reply`));
        }, timeoutMs);
        timer.unref();
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
        socket.send(JSON.stringify({ id, method, params }));
      });
    },
    closed,
    close() {
      socket.close();
      // A peer that never answers the close handshake is cut off.
      setTimeout(() => socket.terminate(), 1000).unref();
    },
  };
  return new Promise((resolve, reject) => {
    socket.once("open", () => resolve(client));
    socket.once("error", (error) => reject(error));
    socket.once("close", () => reject(new Error("the inspector connection closed")));
  });
}
