// The SDK in Node with `ws` as its WebSocket: a channel dropped while its socket is still
// connecting must not take the process down. Closing a connecting `ws` socket emits an
// "error" event; with no listener left on it, Node throws it as an uncaught exception.
import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { WebSocket } from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "../../src-sdk/index.ts";
import { waitFor } from "../helpers/wait.ts";

let server: Server;
const held: Socket[] = [];
let url: string;

beforeAll(async () => {
  // Accepts the connection and never answers the upgrade: the socket stays connecting.
  server = createServer((socket) => held.push(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of held) s.destroy();
  await new Promise((resolve) => server.close(resolve));
});

describe("realtime over ws in Node", () => {
  it("unsubscribes a channel whose socket is still connecting without an uncaught error", async () => {
    const uncaught: unknown[] = [];
    const record = (err: unknown) => uncaught.push(err);
    process.on("uncaughtException", record);
    try {
      const client = createClient(url, { apiKey: "anon" }, { WebSocket });
      const statuses: string[] = [];
      const channel = client.realtime
        .channel("table:jobs.queue")
        .on("*", () => undefined)
        .subscribe((status) => statuses.push(status));
      await waitFor(() => (held.length > 0 ? true : undefined), {
        what: "the client to connect",
      });
      await channel.unsubscribe();
      // The error `ws` emits for the aborted handshake comes on a later tick.
      await new Promise((resolve) => setImmediate(resolve));
      expect(uncaught).toEqual([]);
    } finally {
      process.off("uncaughtException", record);
    }
  });
});
