// Realtime test helpers: a `ws` class that remembers its sockets (so a test can kill the
// SDK's connection), raw protocol sockets, and SDK clients with a WebSocket on Node 20.
import { WebSocket } from "ws";
import { createClient, type FluxbaseClient } from "../../src-sdk/index.ts";
import type { WebSocketConstructorLike } from "../../src-sdk/realtime-channel.ts";
import { waitFor } from "./stack.ts";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary rows
export type Json = Record<string, any>;

/** A WebSocket class for the SDK whose instances are kept in `sockets`. */
export function trackedWebSocket() {
  const sockets: WebSocket[] = [];
  class TrackedWebSocket extends WebSocket {
    constructor(url: string) {
      super(url);
      sockets.push(this);
    }
  }
  return { WebSocket: TrackedWebSocket, sockets };
}

/** Clients made here are closed by `closeAll`. */
export function realtimeClients(url: string, anonKey: string) {
  const made: FluxbaseClient[] = [];
  const track = (c: FluxbaseClient) => (made.push(c), c);
  return {
    anon: (ws: WebSocketConstructorLike = WebSocket) =>
      track(createClient(url, { apiKey: anonKey }, { WebSocket: ws })),
    service: (serviceKey: string) => track(createClient(url, { serviceKey }, { WebSocket })),
    async user(email: string, ws: WebSocketConstructorLike = WebSocket) {
      const c = track(createClient(url, { apiKey: anonKey }, { WebSocket: ws }));
      const { error } = await c.auth.signUp({ email, password: "correct horse battery" });
      if (error) throw new Error(`sign-up failed: ${error.message}`);
      return c;
    },
    closeAll: () => Promise.all(made.map((c) => c.realtime.removeAllChannels())),
  };
}

export interface RawSocket {
  ws: WebSocket;
  messages: Json[];
  send(message: Json): void;
  /** The first message (from `from` on) passing `test`. */
  next(test: (m: Json) => boolean, what: string, from?: number): Promise<Json>;
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

export function realtimeUrl(httpUrl: string, token?: string): string {
  const url = new URL("/realtime", httpUrl.replace(/^http/, "ws"));
  if (token) url.searchParams.set("token", token);
  return url.toString();
}

/** A protocol-level socket (no SDK), open and ready. */
export async function openRawSocket(httpUrl: string, token?: string): Promise<RawSocket> {
  const ws = new WebSocket(realtimeUrl(httpUrl, token));
  const messages: Json[] = [];
  ws.on("message", (data) => messages.push(JSON.parse(String(data)) as Json));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  return {
    ws,
    messages,
    send: (message) => ws.send(JSON.stringify(message)),
    next: (test, what, from = 0) =>
      waitFor(() => messages.slice(from).find(test), { what, timeoutMs: 20_000, intervalMs: 20 }),
    closed,
    close: () => ws.terminate(),
  };
}

/** Opens an upgrade that the server refuses; resolves with its HTTP status and JSON body. */
export function refusedUpgrade(
  httpUrl: string,
  token: string,
): Promise<{ status: number; body: Json }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(realtimeUrl(httpUrl, token));
    ws.on("open", () => reject(new Error("the upgrade was accepted")));
    ws.on("error", () => undefined);
    ws.on("unexpected-response", (_req, res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Json }));
    });
  });
}
