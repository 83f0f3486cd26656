// Node 20 has no global WebSocket, so Node callers pass the `ws` class. This checks that the
// real `ws` client fits the SDK's socket seam (event.data arrives as text, handlers fire).
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { createClient, type RealtimeChangePayload } from "./index.ts";

let server: WebSocketServer | null = null;

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = null;
});

describe("realtime over the ws package", () => {
  it("subscribes and receives a change", async () => {
    const wss = new WebSocketServer({ port: 0 });
    server = wss;
    await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
    const address = wss.address();
    const port = address !== null && typeof address === "object" ? address.port : 0;
    const received: { url: string | undefined; message: unknown }[] = [];
    wss.on("connection", (socket, request) => {
      socket.on("message", (raw) => {
        received.push({ url: request.url, message: JSON.parse(String(raw)) });
        socket.send(JSON.stringify({ type: "ack", payload: { subscribed: true } }));
        socket.send(
          JSON.stringify({
            type: "postgres_changes",
            payload: {
              type: "INSERT",
              schema: "jobs",
              table: "queue",
              record: { id: "j1" },
              old_record: null,
            },
          }),
        );
      });
    });

    const client = createClient(`http://127.0.0.1:${port}`, { apiKey: "k" }, { WebSocket });
    const change = await new Promise<RealtimeChangePayload>((resolve) => {
      client.realtime.channel("table:jobs.queue").on("INSERT", resolve).subscribe();
    });
    await client.realtime.removeAllChannels();

    expect(received[0]).toEqual({
      url: "/realtime?token=k",
      message: {
        type: "subscribe",
        channel: "table:jobs.queue",
        config: { event: "INSERT", schema: "jobs", table: "queue" },
      },
    });
    expect(change).toMatchObject({ eventType: "INSERT", new: { id: "j1" }, old: {} });
  });
});
