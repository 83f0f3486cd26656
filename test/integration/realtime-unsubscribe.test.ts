// Unsubscribing as upstream clients do (one socket per channel): they send `unsubscribe` for
// each subscription id, or one for the whole channel, then wait for the server to close the
// socket (up to 5 s by default) before reporting "ok" rather than "timed out".
import { WebSocket } from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRawSocket, type Json, type RawSocket } from "../helpers/realtime.ts";
import { startTestStack, waitFor, type TestStack } from "../helpers/stack.ts";

let t: TestStack;
const sockets: RawSocket[] = [];

beforeAll(async () => {
  t = await startTestStack();
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await t?.stop();
});

const isAck = (m: Json) => m.type === "ack";
/** The upstream client's wait: the socket closed within its default 5 s. */
const closedLikeUpstream = (s: RawSocket) =>
  waitFor(() => s.ws.readyState === WebSocket.CLOSED || undefined, {
    what: "the server to close the socket",
    timeoutMs: 5_000,
    intervalMs: 100,
  });

async function subscribed(s: RawSocket, table: string, filter?: string): Promise<string> {
  const from = s.messages.length;
  const config = { event: "*", schema: "jobs", table, ...(filter ? { filter } : {}) };
  s.send({ type: "subscribe", channel: "ch", config });
  const ack = await s.next((m) => isAck(m) && m.payload.table === table, "ack", from);
  return ack.payload.subscription_id as string;
}

describe("unsubscribe", () => {
  it("acks each subscription id and closes the socket once nothing is left", async () => {
    const s = await openRawSocket(t.url, t.stack.keys.serviceKey);
    sockets.push(s);
    const queue = await subscribed(s, "queue");
    const workers = await subscribed(s, "workers");
    s.send({ type: "unsubscribe", channel: "ch", subscription_id: queue });
    await s.next((m) => isAck(m) && m.payload.subscription_id === queue, "first ack");
    expect(s.ws.readyState).toBe(WebSocket.OPEN);
    // Still usable: another subscription is answered.
    await subscribed(s, "queue");
    s.send({ type: "unsubscribe", channel: "ch" });
    await s.next(
      (m) => isAck(m) && m.payload.unsubscribed === true && !m.payload.subscription_id,
      "channel ack",
    );
    await closedLikeUpstream(s);
    expect(await s.closed).toEqual({ code: 1000, reason: "unsubscribed" });
    expect(workers).toBeTruthy();
  });

  it("ends a channel's other subscriptions to the same table with the one id upstream's SDK kept", async () => {
    // That SDK keeps one subscription id per schema.table (the last acked), so a channel with
    // two filters on one table sends one unsubscribe, and still waits for the socket to close.
    const s = await openRawSocket(t.url, t.stack.keys.serviceKey);
    sockets.push(s);
    await subscribed(s, "queue", "status=eq.running");
    const kept = await subscribed(s, "queue", "status=eq.failed");
    s.send({ type: "unsubscribe", channel: "ch", subscription_id: kept });
    await s.next((m) => isAck(m) && m.payload.subscription_id === kept, "ack");
    await closedLikeUpstream(s);
    expect(await s.closed).toEqual({ code: 1000, reason: "unsubscribed" });
  });
});
