// The hub on its own, with short timings: keepalive, dead sockets, slow consumers,
// connection limits and the listener leases that switch the triggers on and off.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { createCallerResolver } from "../../src-server/auth/caller.ts";
import { createDb, type Db } from "../../src-server/db/connections.ts";
import { silentLogger } from "../../src-server/logger.ts";
import {
  createRealtimeHub,
  type RealtimeHub,
  type RealtimeLimits,
} from "../../src-server/realtime/index.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";
import { openRawSocket, realtimeUrl, type RawSocket } from "../helpers/realtime.ts";
import { waitFor } from "../helpers/stack.ts";

const keys = {
  jwtSecret: "s".repeat(40),
  anonKey: "anon-key-for-tests",
  serviceKey: "service-key-for-tests",
  file: "",
};

let database: TestDatabase;
let db: Db;
let hub: RealtimeHub;
let url: string;
const sockets: RawSocket[] = [];
const stops: (() => Promise<void>)[] = [];

/** A hub on its own HTTP server. */
async function startHub(limits: Partial<RealtimeLimits>) {
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  const started = createRealtimeHub({
    db,
    callers: createCallerResolver(keys),
    logger: silentLogger,
    limits,
  });
  started.attach(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  stops.push(async () => {
    await started.close();
    await new Promise((resolve) => server.close(resolve));
  });
  return { hub: started, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb({ connectionString: database.url, max: 5 });
  ({ hub, url } = await startHub({
    maxConnections: 6,
    pingIntervalMs: 100,
    pongTimeoutMs: 400,
    heartbeatIntervalMs: 150,
  }));
});
afterAll(async () => {
  for (const s of sockets) s.close();
  for (const stop of stops) await stop();
  await db?.end();
  await database?.drop();
});

async function open(at = url): Promise<RawSocket> {
  const s = await openRawSocket(at, keys.serviceKey);
  sockets.push(s);
  return s;
}

const leases = () =>
  db.query<{ schema_name: string; table_name: string }>(
    "SELECT schema_name, table_name FROM realtime.listeners ORDER BY 1, 2",
  );

async function queueTriggerEnabled(): Promise<boolean> {
  const [row] = await db.query<{ on: boolean }>(
    "SELECT tgenabled <> 'D' AS on FROM pg_trigger WHERE tgname = 'queue_realtime_notify' AND tgrelid = 'jobs.queue'::regclass",
  );
  return row!.on;
}

async function insertJob(): Promise<string> {
  const [row] = await db.query<{ id: string }>(
    "INSERT INTO jobs.queue (job_name, status) VALUES ('x', 'running') RETURNING id",
  );
  return row!.id;
}

describe("keepalive", () => {
  it("sends heartbeat messages and drops a socket that stops answering pings", async () => {
    const s = await open();
    await s.next((m) => m.type === "heartbeat", "heartbeat");
    const mute = new WebSocket(realtimeUrl(url, keys.serviceKey), { autoPong: false });
    const closed = new Promise<number>((resolve) => mute.on("close", (code) => resolve(code)));
    expect(await closed).toBe(1006);
    expect(s.ws.readyState).toBe(WebSocket.OPEN);
  });
});

describe("leases", () => {
  it("holds a lease per subscribed table only while someone subscribes", async () => {
    expect(await leases()).toEqual([]);
    expect(await queueTriggerEnabled()).toBe(false);
    const id = await insertJob();
    const s = await open();
    s.send({ type: "subscribe", channel: "table:jobs.queue" });
    s.send({ type: "subscribe", channel: "table:jobs.queue" });
    await s.next((m) => m.type === "ack", "ack");
    expect(await leases()).toEqual([{ schema_name: "jobs", table_name: "queue" }]);
    // The row trigger is on while the lease lives (migration 0010)...
    expect(await queueTriggerEnabled()).toBe(true);
    await db.query("UPDATE jobs.queue SET progress = '{\"percent\": 5}' WHERE id = $1", [id]);
    await s.next((m) => m.payload?.record?.progress_percent === 5, "the update");
    s.close();
    await waitFor(async () => ((await leases()).length === 0 ? true : undefined), {
      what: "lease deleted",
    });
    // ...and off again once nobody listens: unwatched writes cost no trigger call.
    await waitFor(async () => ((await queueTriggerEnabled()) ? undefined : true), {
      what: "trigger switched off",
    });
  });
});

describe("limits", () => {
  it("closes a reader that falls more than maxBufferedBytes behind with 1013", async () => {
    // Its own hub: a paused reader answers no pings either, and must not be dropped for that first.
    const own = await startHub({ maxBufferedBytes: 64 * 1024 });
    const id = await insertJob();
    const slow = await open(own.url);
    slow.send({ type: "subscribe", channel: "table:jobs.queue" });
    await slow.next((m) => m.type === "ack", "ack");
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    // 2,000 updates of ~6.5 KB each (record and old_record, under the 7,900-byte cut) in one
    // transaction, all distinct (PostgreSQL folds identical notifications of a transaction):
    // 13 MB for a reader that reads nothing.
    await db.query(
      `DO $$ BEGIN FOR i IN 1..2000 LOOP
         UPDATE jobs.queue SET progress = jsonb_build_object('percent', i, 'message', repeat('x', 3000)) WHERE id = '${id}';
       END LOOP; END $$`,
    );
    await waitFor(() => (own.hub.stats().slowConsumersClosed === 1 ? true : undefined), {
      what: "slow consumer closed",
    });
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    const { code } = await slow.closed;
    expect([1013, 1006]).toContain(code);
    await waitFor(() => (own.hub.stats().pending === 0 ? true : undefined), {
      what: "feed drained",
    });
  });

  it("refuses connections beyond the total limit with 1008", async () => {
    for (const s of sockets.splice(0)) s.close();
    await waitFor(() => (hub.stats().connections === 0 ? true : undefined), {
      what: "sockets gone",
    });
    for (let i = 0; i < 6; i++) await open();
    const extra = await open();
    expect(await extra.closed).toEqual({ code: 1008, reason: "max_connections_reached" });
    expect(hub.stats()).toMatchObject({ connections: 6, refused: 1 });
  });

  it("deletes its leases when it closes", async () => {
    for (const s of sockets.splice(0)) s.close();
    await waitFor(() => (hub.stats().connections === 0 ? true : undefined), {
      what: "sockets gone",
    });
    const s = await open();
    s.send({ type: "subscribe", channel: "table:jobs.workers" });
    await s.next((m) => m.type === "ack", "ack");
    expect((await leases()).map((l) => l.table_name)).toContain("workers");
    await hub.close();
    expect(await leases()).toEqual([]);
    expect(await s.closed).toMatchObject({ code: 1001 });
  });
});
